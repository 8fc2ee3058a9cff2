using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>
/// A multi-layer GRU written from its equations, a drop-in for TorchSharp's <c>nn.GRU</c>: same
/// constructor arguments, same <c>forward</c> shapes, and parameters named, shaped and ordered as
/// torch's (<c>weight_ih_l0</c>, <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c>, then
/// <c>..._reverse</c>, per layer; gate blocks r, z, n).
/// </summary>
/// <remarks>
/// For one layer and direction:
/// <code>
/// r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)
/// z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)
/// n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))
/// h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}
/// </code>
/// Layer k &gt; 0 reads the hidden states of layer k − 1, with dropout between layers in training mode.
/// </remarks>
public sealed class ScratchGru : ScratchRecurrent<Tensor?, (Tensor, Tensor)>
{
    private const int GateCount = 3;

    /// <summary>Creates the module with torch's default initialisation, U(−1/√hidden, 1/√hidden) for every parameter.</summary>
    /// <param name="inputSize">Features per time step of the input.</param>
    /// <param name="hiddenSize">Features of the hidden state.</param>
    /// <param name="numLayers">Number of stacked layers.</param>
    /// <param name="bias">Whether the layers have the biases b_ih and b_hh.</param>
    /// <param name="batchFirst">Input and output are (batch, seq, features) instead of (seq, batch, features).</param>
    /// <param name="dropout">Dropout probability on the outputs of every layer but the last, in training mode.</param>
    /// <param name="bidirectional">Whether each layer also runs backwards in time.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or the number of layers is below 1, or dropout is outside [0, 1].</exception>
    public ScratchGru(long inputSize, long hiddenSize, long numLayers = 1, bool bias = true, bool batchFirst = false,
        double dropout = 0, bool bidirectional = false)
        : base(nameof(ScratchGru), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional)
    {

        // Registered one by one (rather than as fields) because torch's names depend on the layer index.
        double bound = 1.0 / Math.Sqrt(hiddenSize);
        long gateRows = GateCount * hiddenSize;
        for (long layer = 0; layer < numLayers; layer++)
        {
            long layerInput = LayerInputSize(layer);
            for (int direction = 0; direction < NumDirections; direction++)
            {
                string suffix = Suffix(layer, direction);
                register_parameter("weight_ih" + suffix, new Parameter(torch.empty(gateRows, layerInput).uniform_(-bound, bound)));
                register_parameter("weight_hh" + suffix, new Parameter(torch.empty(gateRows, hiddenSize).uniform_(-bound, bound)));
                if (!bias) continue;
                register_parameter("bias_ih" + suffix, new Parameter(torch.empty(gateRows).uniform_(-bound, bound)));
                register_parameter("bias_hh" + suffix, new Parameter(torch.empty(gateRows).uniform_(-bound, bound)));
            }
        }
    }

    /// <summary>Runs the GRU over a sequence, as <c>nn.GRU</c> does.</summary>
    /// <param name="input">(seq, batch, input) — (batch, seq, input) when <c>BatchFirst</c> — or unbatched (seq, input).</param>
    /// <param name="h0">Initial hidden state, (layers × directions, batch, hidden) or unbatched (layers × directions, hidden); zeros when null.</param>
    /// <returns>
    /// The output, (seq, batch, directions × hidden) in the input's layout: the last layer's h_t for every t;
    /// and the final h_n of every layer and direction, (layers × directions, batch, hidden).
    /// </returns>
    /// <exception cref="ArgumentException">The input's rank, feature count, dtype or device, or h0's shape, is wrong.</exception>
    public override (Tensor, Tensor) forward(Tensor input, Tensor? h0 = null)
    {
        Tensor first = Weights(0, 0).InputWeights;
        var (x, batched) = RecurrentShapes.ToTimeMajor(input, InputSize, BatchFirst, first.dtype, first.device, nameof(ScratchGru));
        long batch = x.shape[1], stacked = NumLayers * NumDirections;
        Tensor initial = h0 is null
            ? torch.zeros(stacked, batch, HiddenSize, first.dtype, first.device)
            : RecurrentShapes.CheckState(h0, nameof(h0), stacked, batch, HiddenSize, batched, first.dtype, nameof(ScratchGru));

        using var scope = torch.NewDisposeScope();
        var finalH = new Tensor[stacked];
        Tensor last = RunLayers(x, (layerInput, layer, direction, index) =>
        {
            (Tensor output, finalH[index]) = GruCell.Run(layerInput, initial[index], Weights(layer, direction), reverse: direction == 1);
            return output;
        });
        Tensor output = RecurrentShapes.FromTimeMajor(last, batched, BatchFirst).MoveToOuterDisposeScope();
        Tensor hN = RecurrentShapes.FinalState(torch.stack(finalH), batched).MoveToOuterDisposeScope();
        return (output, hN);
    }

    private GruWeights Weights(long layer, int direction)
    {
        string suffix = Suffix(layer, direction);
        return new GruWeights(get_parameter("weight_ih" + suffix)!, get_parameter("weight_hh" + suffix)!,
            Bias ? get_parameter("bias_ih" + suffix) : null, Bias ? get_parameter("bias_hh" + suffix) : null);
    }
}
