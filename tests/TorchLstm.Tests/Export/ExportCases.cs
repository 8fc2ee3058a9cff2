using System.Runtime.CompilerServices;
using TorchLstm.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>One exported model: how to build it, its test inputs, and its outputs flattened to a tensor list.</summary>
internal sealed record ExportCase(string Name, Func<nn.Module> Create, Func<Generator, Tensor[]> Inputs, Func<nn.Module, Tensor, Tensor[]> Run)
{
    public override string ToString() => Name;
}

internal static class ExportCases
{
    private static Tensor[] FloatInputs(Generator g, params long[][] shapes) =>
        shapes.Select(s => torch.randn(s, generator: g)).ToArray();

    public static readonly TorchScriptExportOptions Options = new() { Emitters = [new LastStepRegressorEmitter()] };

    public static IReadOnlyList<ExportCase> All { get; } =
    [
        new("lstm_batch_first_2_layers", () => nn.LSTM(3, 5, numLayers: 2, batchFirst: true),
            g => FloatInputs(g, [1, 1, 3], [4, 7, 3], [2, 3, 3]),
            (m, x) => { var (o, h, c) = ((nn.Module<Tensor, (Tensor, Tensor)?, (Tensor, Tensor, Tensor)>)m).call(x, null); return [o, h, c]; }),
        new("lstm_bidirectional_seq_first", () => nn.LSTM(3, 4, bidirectional: true),
            g => FloatInputs(g, [5, 2, 3], [1, 3, 3]),
            (m, x) => { var (o, h, c) = ((nn.Module<Tensor, (Tensor, Tensor)?, (Tensor, Tensor, Tensor)>)m).call(x, null); return [o, h, c]; }),
        new("gru_batch_first_2_layers", () => nn.GRU(3, 5, numLayers: 2, batchFirst: true),
            g => FloatInputs(g, [1, 1, 3], [3, 6, 3]),
            (m, x) => { var (o, h) = ((nn.Module<Tensor, Tensor?, (Tensor, Tensor)>)m).call(x, null); return [o, h]; }),
        new("rnn_tanh_batch_first", () => nn.RNN(3, 4, numLayers: 2, batchFirst: true),
            g => FloatInputs(g, [2, 5, 3], [1, 2, 3]),
            (m, x) => { var (o, h) = ((nn.Module<Tensor, Tensor?, (Tensor, Tensor)>)m).call(x, null); return [o, h]; }),
        new("rnn_relu_bidirectional", () => nn.RNN(3, 4, nonLinearity: nn.NonLinearities.ReLU, bidirectional: true),
            g => FloatInputs(g, [4, 2, 3], [2, 1, 3]),
            (m, x) => { var (o, h) = ((nn.Module<Tensor, Tensor?, (Tensor, Tensor)>)m).call(x, null); return [o, h]; }),
        new("linear", () => nn.Linear(4, 3),
            g => FloatInputs(g, [1, 4], [6, 4]), Single),
        new("linear_without_bias", () => nn.Linear(4, 2, hasBias: false),
            g => FloatInputs(g, [3, 4]), Single),
        new("sequential_mlp_with_dropout", () => nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Dropout(0.3), nn.Linear(6, 3), nn.Tanh()),
            g => FloatInputs(g, [5, 4], [1, 4]), Single),
        new("sequential_activations", () => nn.Sequential(
                ("scale", nn.Linear(3, 3)), ("leaky", nn.LeakyReLU(0.2)), ("sigmoid", nn.Sigmoid()),
                ("identity", nn.Identity()), ("softmax", nn.Softmax(1)), ("log_softmax", nn.LogSoftmax(1))),
            g => FloatInputs(g, [4, 3]), Single),
        new("embedding", () => nn.Embedding(10, 4),
            g => [torch.randint(0, 10, [3, 5], dtype: ScalarType.Int64, generator: g), torch.tensor(new long[] { 9, 0 })], Single),
        new("composite_lstm_last_step_linear", () => new LastStepRegressor(),
            g => FloatInputs(g, [1, 1, 2], [4, 6, 2], [2, 11, 2]), Single),
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in All) data.Add(c.Name);
        return data;
    }

    public static ExportCase Get(string name) => All.Single(c => c.Name == name);

    private static Tensor[] Single(nn.Module module, Tensor input) => [((nn.Module<Tensor, Tensor>)module).call(input)];

    /// <summary>Flattens what a ScriptModule returns (a tensor or nested tuples of tensors) into a list.</summary>
    public static List<Tensor> Flatten(object? value)
    {
        switch (value)
        {
            case Tensor tensor: return [tensor];
            case ITuple tuple:
                var all = new List<Tensor>();
                for (int i = 0; i < tuple.Length; i++) all.AddRange(Flatten(tuple[i]));
                return all;
            case Tensor[] tensors: return [.. tensors];
            default: throw new InvalidOperationException($"unexpected script result {value?.GetType().Name ?? "null"}");
        }
    }

    public static double MaxAbsDifference(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        return a.numel() == 0 ? 0 : (a - b).abs().max().item<float>();
    }

    /// <summary>Trains a loaded export in training mode with Adam on the MSE to <paramref name="target"/>; returns the loss of every step.</summary>
    public static List<double> TrainLoaded(jit.ScriptModule loaded, Tensor input, Tensor target, double learningRate, int steps)
    {
        loaded.train();
        using var optimizer = optim.Adam(loaded.parameters(), lr: learningRate);
        var losses = new List<double>(steps);
        for (int step = 0; step < steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss((Tensor)loaded.call(input), target);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        return losses;
    }
}
