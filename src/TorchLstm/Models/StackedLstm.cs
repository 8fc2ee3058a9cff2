namespace TorchLstm.Models;

/// <summary>
/// A many-to-one (or, with <c>returnSequences</c>, many-to-many) model of stacked LSTM layers (torch <c>nn.LSTM</c>), e.g. Keras's <c>LSTM(60, return_sequences=True) → LSTM(50) → Dense(1)</c> is <c>new StackedLstm(1, [60, 50], 1)</c>
/// with dropout after each layer and a Linear head. Input (batch, time, inputSize).
/// </summary>
/// <remarks>Layer stacking, dropout placement, parameter names and counts are described on <see cref="StackedRecurrent"/>.</remarks>
public sealed class StackedLstm : StackedRecurrent
{
    /// <summary>Creates the model.</summary>
    /// <param name="inputSize">Features per time step (≥ 1).</param>
    /// <param name="hiddenSizes">Hidden units of each layer, first to last (non-empty, each ≥ 1).</param>
    /// <param name="outputSize">Width of the Linear head (≥ 1).</param>
    /// <param name="dropout">Dropout probability in [0, 1) after every layer, including before the head.</param>
    /// <param name="returnSequences">Apply the head at every step, giving (batch, time, outputSize), instead of only the last.</param>
    /// <param name="weightInit">Initialisation scheme for the recurrent layers and the head.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, <paramref name="hiddenSizes"/> is empty, or dropout is outside [0, 1).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="hiddenSizes"/> is null.</exception>
    public StackedLstm(int inputSize, int[] hiddenSizes, int outputSize, double dropout = 0, bool returnSequences = false, WeightInit weightInit = WeightInit.TorchDefault)
        : base(nameof(StackedLstm), RecurrentCell.Lstm, inputSize, hiddenSizes, outputSize, dropout, returnSequences, bidirectional: false, MergeMode.Concat, weightInit)
    {
    }
}
