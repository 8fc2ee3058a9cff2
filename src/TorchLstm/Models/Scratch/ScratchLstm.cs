using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>
/// A multi-layer LSTM written from its equations, a drop-in for TorchSharp's <c>nn.LSTM</c>: same
/// constructor arguments, same <c>forward</c> shapes, and parameters named, shaped and ordered as
/// torch's (<c>weight_ih_l0</c>, <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c>, then
/// <c>..._reverse</c>, per layer; gate blocks i, f, g, o), so state dicts load in both directions.
/// </summary>
/// <remarks>
/// For one layer and direction, with σ the logistic sigmoid and ⊙ the element-wise product:
/// <code>
/// i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)
/// f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)
/// g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)
/// o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)
/// c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
/// h_t = o_t ⊙ tanh(c_t)
/// </code>
/// Layer k &gt; 0 reads the (concatenated, if bidirectional) hidden states of layer k − 1, with dropout
/// between layers in training mode. A <see cref="ScratchLstmVariant"/> other than the standard one adds
/// peephole weights or couples the forget gate to the input gate.
/// </remarks>
public sealed class ScratchLstm : ScratchRecurrent<(Tensor, Tensor)?, (Tensor, Tensor, Tensor)>
{
    private readonly string[][] _parameterNames;

    /// <summary>Creates the module with torch's default initialisation, U(−1/√hidden, 1/√hidden) for every parameter.</summary>
    /// <param name="inputSize">Features per time step of the input.</param>
    /// <param name="hiddenSize">Features of the hidden and cell states.</param>
    /// <param name="numLayers">Number of stacked layers.</param>
    /// <param name="bias">Whether the layers have the biases b_ih and b_hh.</param>
    /// <param name="batchFirst">Input and output are (batch, seq, features) instead of (seq, batch, features).</param>
    /// <param name="dropout">Dropout probability on the outputs of every layer but the last, in training mode.</param>
    /// <param name="bidirectional">Whether each layer also runs backwards in time.</param>
    /// <param name="variant">Opt-in cell variant (peepholes, CIFG); null or <see cref="ScratchLstmVariant.Standard"/> for torch's cell.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or the number of layers is below 1, or dropout is outside [0, 1].</exception>
    public ScratchLstm(long inputSize, long hiddenSize, long numLayers = 1, bool bias = true, bool batchFirst = false,
        double dropout = 0, bool bidirectional = false, ScratchLstmVariant? variant = null)
        : base(nameof(ScratchLstm), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional)
    {
        Variant = variant ?? ScratchLstmVariant.Standard;

        // Registered one by one (rather than as fields) because torch's names depend on the layer index.
        double bound = 1.0 / Math.Sqrt(hiddenSize);
        long gateRows = Variant.GateCount * hiddenSize;
        _parameterNames = new string[numLayers * NumDirections][];
        for (long layer = 0; layer < numLayers; layer++)
        {
            long layerInput = LayerInputSize(layer);
            for (int direction = 0; direction < NumDirections; direction++)
            {
                string suffix = Suffix(layer, direction);
                var shapes = new List<(string Name, long[] Shape)>
                {
                    ("weight_ih" + suffix, [gateRows, layerInput]),
                    ("weight_hh" + suffix, [gateRows, hiddenSize]),
                };
                if (bias)
                    shapes.AddRange([("bias_ih" + suffix, [gateRows]), ("bias_hh" + suffix, [gateRows])]);
                if (Variant.Peepholes)
                {
                    shapes.Add(("weight_ci" + suffix, [hiddenSize]));
                    if (!Variant.CoupledInputForgetGate) shapes.Add(("weight_cf" + suffix, [hiddenSize]));
                    shapes.Add(("weight_co" + suffix, [hiddenSize]));
                }
                foreach (var (name, shape) in shapes)
                    register_parameter(name, new Parameter(torch.empty(shape).uniform_(-bound, bound)));
                _parameterNames[layer * NumDirections + direction] = shapes.Select(s => s.Name).ToArray();
            }
        }
    }

    /// <summary>The cell variant; <see cref="ScratchLstmVariant.Standard"/> is torch's cell.</summary>
    public ScratchLstmVariant Variant { get; }

    /// <summary>
    /// Whether the standard cell runs each layer as one autograd node with hand-written
    /// back-propagation through time (the default, fast) rather than as a per-step autograd graph of
    /// the cell's equations (the readable reference, 2–3× slower to train). Both compute the same
    /// function to rounding; the variants always use the reference path.
    /// </summary>
    public bool UseFusedKernel { get; set; } = true;

    /// <summary>
    /// Runs the LSTM over a sequence, as <c>nn.LSTM</c> does.
    /// </summary>
    /// <param name="input">(seq, batch, input) — (batch, seq, input) when <c>BatchFirst</c> — or unbatched (seq, input).</param>
    /// <param name="state">Initial (h0, c0), each (layers × directions, batch, hidden) or unbatched (layers × directions, hidden); zeros when null.</param>
    /// <returns>
    /// The output, (seq, batch, directions × hidden) in the input's layout: the last layer's h_t for every t;
    /// and the final h_n and c_n of every layer and direction, (layers × directions, batch, hidden).
    /// </returns>
    /// <exception cref="ArgumentException">The input's rank, feature count, dtype or device, or a state's shape, is wrong.</exception>
    public override (Tensor, Tensor, Tensor) forward(Tensor input, (Tensor, Tensor)? state = null)
    {
        Tensor first = Weights(0, 0).InputWeights;
        var (x, batched) = RecurrentShapes.ToTimeMajor(input, InputSize, BatchFirst, first.dtype, first.device, nameof(ScratchLstm));
        long batch = x.shape[1], stacked = NumLayers * NumDirections;
        Tensor h0, c0;
        if (state is var (h, c))
        {
            h0 = RecurrentShapes.CheckState(h, "h0", stacked, batch, HiddenSize, batched, first.dtype, nameof(ScratchLstm));
            c0 = RecurrentShapes.CheckState(c, "c0", stacked, batch, HiddenSize, batched, first.dtype, nameof(ScratchLstm));
        }
        else
        {
            h0 = torch.zeros(stacked, batch, HiddenSize, first.dtype, first.device);
            c0 = h0;
        }

        using var scope = torch.NewDisposeScope();
        var finalH = new Tensor[stacked];
        var finalC = new Tensor[stacked];
        Tensor last = RunLayers(x, (layerInput, layer, direction, index) =>
        {
            LstmWeights w = Weights(layer, direction);
            bool reverse = direction == 1;
            (Tensor output, finalH[index], finalC[index]) = UseFusedKernel && Variant.IsStandard
                ? FusedLstmLayer.Run(layerInput, h0[index], c0[index], w, reverse)
                : LstmCell.Run(layerInput, h0[index], c0[index], w, Variant, reverse);
            return output;
        });
        Tensor output = RecurrentShapes.FromTimeMajor(last, batched, BatchFirst).MoveToOuterDisposeScope();
        Tensor hN = RecurrentShapes.FinalState(torch.stack(finalH), batched).MoveToOuterDisposeScope();
        Tensor cN = RecurrentShapes.FinalState(torch.stack(finalC), batched).MoveToOuterDisposeScope();
        return (output, hN, cN);
    }

    private LstmWeights Weights(long layer, int direction)
    {
        string[] names = _parameterNames[layer * NumDirections + direction];
        Tensor Get(string prefix) => get_parameter(names.First(n => n.StartsWith(prefix, StringComparison.Ordinal)))!;
        Tensor? Optional(string prefix) => names.Any(n => n.StartsWith(prefix, StringComparison.Ordinal)) ? Get(prefix) : null;
        return new LstmWeights(Get("weight_ih"), Get("weight_hh"), Optional("bias_ih"), Optional("bias_hh"),
            Optional("weight_ci"), Optional("weight_cf"), Optional("weight_co"));
    }
}
