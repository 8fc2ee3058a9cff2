namespace TorchLstm.Models;

/// <summary>
/// Stacked bidirectional recurrent layers (torch <c>bidirectional=True</c>, Keras
/// <c>Bidirectional(layer, merge_mode=...)</c>) of any <see cref="RecurrentCell"/>, with dropout after each
/// layer and a Linear head. Each layer's forward and backward outputs are merged before they reach the
/// next layer or the head. Input (batch, time, inputSize).
/// </summary>
/// <remarks>
/// Merging, the final step of each direction, parameter names (<c>..._reverse</c> for the backward
/// direction) and counts are described on <see cref="StackedRecurrent"/>.
/// </remarks>
public sealed class BidirectionalRnn : StackedRecurrent
{
    /// <summary>Creates the model.</summary>
    /// <param name="cell">Recurrent cell of every layer.</param>
    /// <param name="inputSize">Features per time step (≥ 1).</param>
    /// <param name="hiddenSizes">Hidden units per direction of each layer, first to last (non-empty, each ≥ 1).</param>
    /// <param name="outputSize">Width of the Linear head (≥ 1).</param>
    /// <param name="dropout">Dropout probability in [0, 1) after every layer, including before the head.</param>
    /// <param name="merge">How forward and backward outputs are combined; <see cref="MergeMode.Concat"/> doubles the width.</param>
    /// <param name="returnSequences">Apply the head at every step, giving (batch, time, outputSize), instead of only the final output.</param>
    /// <param name="weightInit">Initialisation scheme for the recurrent layers and the head.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, <paramref name="hiddenSizes"/> is empty, dropout is outside [0, 1), or an enum value is undefined.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="hiddenSizes"/> is null.</exception>
    public BidirectionalRnn(
        RecurrentCell cell,
        int inputSize,
        int[] hiddenSizes,
        int outputSize,
        double dropout = 0,
        MergeMode merge = MergeMode.Concat,
        bool returnSequences = false,
        WeightInit weightInit = WeightInit.TorchDefault)
        : base(nameof(BidirectionalRnn), cell, inputSize, hiddenSizes, outputSize, dropout, returnSequences, bidirectional: true, merge, weightInit)
    {
    }
}
