using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Export.Emitters;

/// <summary>
/// What the flat torch recurrent ops need to know about a TorchSharp LSTM/GRU/RNN, read from its
/// parameters (named as torch names them) and, where TorchSharp keeps the setting native and
/// private (batch_first, the RNN non-linearity), observed from the module's own outputs.
/// </summary>
internal sealed record RecurrentLayout(
    long InputSize, long HiddenSize, int NumLayers, bool Bidirectional, bool HasBias, IReadOnlyList<(string Name, Tensor Value)> FlatWeights)
{
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Reads the layout; <paramref name="gates"/> is 4 (LSTM), 3 (GRU) or 1 (RNN).</summary>
    public static RecurrentLayout Read(nn.Module module, int gates, string modulePath)
    {
        var parameters = module.named_parameters(recurse: false).ToDictionary(p => p.name, p => (Tensor)p.parameter);
        if (!parameters.TryGetValue("weight_ih_l0", out var firstInput) || !parameters.TryGetValue("weight_hh_l0", out var firstHidden))
            throw new NotSupportedException($"recurrent module '{modulePath}' ({module.GetType().Name}) has no weight_ih_l0/weight_hh_l0 parameters; found: {string.Join(", ", parameters.Keys)}");
        long hidden = firstHidden.shape[1];
        if (firstInput.shape[0] != gates * hidden)
            throw new NotSupportedException($"recurrent module '{modulePath}': weight_ih_l0 has {firstInput.shape[0]} rows, expected {gates} gates x hidden {hidden}; projections (proj_size) are not supported");
        int layers = 0;
        while (parameters.ContainsKey($"weight_ih_l{layers}")) layers++;
        bool bidirectional = parameters.ContainsKey("weight_ih_l0_reverse");
        bool hasBias = parameters.ContainsKey("bias_ih_l0");

        // Order expected by torch.lstm/gru/rnn_*: per layer, per direction: w_ih, w_hh, (b_ih, b_hh).
        var flat = new List<(string, Tensor)>();
        for (int layer = 0; layer < layers; layer++)
        {
            foreach (string suffix in bidirectional ? new[] { "", "_reverse" } : [""])
            {
                foreach (string kind in hasBias ? new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh" } : ["weight_ih", "weight_hh"])
                {
                    string name = $"{kind}_l{layer}{suffix}";
                    if (!parameters.TryGetValue(name, out var value))
                        throw new NotSupportedException($"recurrent module '{modulePath}' lacks parameter '{name}'");
                    flat.Add((name, value));
                }
            }
        }
        return new RecurrentLayout(firstInput.shape[1], hidden, layers, bidirectional, hasBias, flat);
    }

    /// <summary>
    /// Finds whether the module reads (batch, seq, feature): for a 1x2 input, the second position is a
    /// one-step sequence of its own when dim 0 is time, and the second step of a sequence when dim 0 is
    /// batch. Degenerate weights that make both readings equal make the choice irrelevant too.
    /// Uses a fixed input, never the random generator, so exporting does not change later draws.
    /// </summary>
    public bool ProbeBatchFirst(Func<Tensor, Tensor> runOutput)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var dtype = FlatWeights[0].Value.dtype;
        var device = FlatWeights[0].Value.device;
        Tensor pair = torch.linspace(-1.0, 1.0, 2 * InputSize, dtype: dtype, device: device).reshape(1, 2, InputSize);
        Tensor second = pair[.., 1..2, ..].contiguous();
        Tensor pairOutput = runOutput(pair)[0, 1];
        Tensor alone = runOutput(second)[0, 0];
        return !torch.allclose(pairOutput, alone, rtol: 1e-5, atol: 1e-6);
    }

    /// <summary>One step from a zero state through all layers with <paramref name="activation"/> (for RNN probing).</summary>
    public Tensor SingleStep(Tensor input, Func<Tensor, Tensor> activation)
    {
        var weights = FlatWeights.ToDictionary(w => w.Name, w => w.Value);
        Tensor layerInput = input;
        for (int layer = 0; layer < NumLayers; layer++)
        {
            var outputs = new List<Tensor>();
            foreach (string suffix in Bidirectional ? new[] { "", "_reverse" } : [""])
            {
                Tensor pre = torch.matmul(weights[$"weight_ih_l{layer}{suffix}"], layerInput);
                if (HasBias) pre = pre + weights[$"bias_ih_l{layer}{suffix}"] + weights[$"bias_hh_l{layer}{suffix}"];
                outputs.Add(activation(pre));
            }
            layerInput = torch.cat(outputs, 0);
        }
        return layerInput;
    }
}
