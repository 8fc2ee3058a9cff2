using TorchLstm.Data;
using TorchLstm.Export;
using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>
/// One library model exported with the default emitters: how to build it (and a differently seeded
/// twin), its test inputs, and how to run it with its outputs flattened (a single tensor by default).
/// </summary>
internal sealed record ModelExportCase(string Name, Func<nn.Module> Create, Func<Generator, Tensor[]> Inputs, Func<nn.Module, Tensor, Tensor[]>? Runner = null)
{
    public Tensor[] Run(nn.Module model, Tensor input) =>
        Runner is null ? [((nn.Module<Tensor, Tensor>)model).call(input)] : Runner(model, input);

    public override string ToString() => Name;
}

internal static class ModelExportCases
{
    private static Tensor[] Floats(Generator g, params long[][] shapes) =>
        shapes.Select(s => torch.randn(s, generator: g)).ToArray();

    // Batch 1 and length 1, a long sequence, a mid-sized batch: the shapes the C# forward treats specially.
    private static Tensor[] Sequences(Generator g, long features) =>
        Floats(g, [1, 1, features], [4, 7, features], [3, 9, features], [1, 8, features]);

    /// <summary>
    /// Token rows (ids 1..vocab-1) with padding (0) blocks: per row the count of leading and trailing
    /// zeros, plus optional zeros inside (kept as padding embeddings by the model).
    /// </summary>
    public static Tensor Tokens(Generator g, int vocab, long steps, params (int Lead, int Trail)[] rows)
    {
        var ids = torch.randint(1, vocab, [rows.Length, steps], dtype: ScalarType.Int64, generator: g);
        for (int r = 0; r < rows.Length; r++)
        {
            if (rows[r].Lead > 0) ids[r, ..rows[r].Lead] = 0;
            if (rows[r].Trail > 0) ids[r, (int)(steps - rows[r].Trail)..] = 0;
        }
        return ids;
    }

    private static Tensor[] TokenInputs(Generator g, int vocab)
    {
        var inner = Tokens(g, vocab, 8, (1, 2), (0, 0));
        inner[0, 4] = 0; // a zero between real tokens
        inner[1, 2] = 0;
        return
        [
            Tokens(g, vocab, 1, (0, 0)),                                 // batch 1, length 1
            Tokens(g, vocab, 9, (0, 0), (0, 3), (0, 8), (4, 0), (2, 3)), // none, trailing, one real token, leading, both
            Tokens(g, vocab, 7, (0, 4), (7, 0), (3, 0)),                 // an all-padding row
            inner,
        ];
    }

    private static readonly float[] ColumnSpread = [10f, 0.5f, 3f];
    private static readonly float[] ColumnLevel = [50f, -2f, 7f];

    /// <summary>Values on the original scale of three columns of very different levels and spreads.</summary>
    public static Tensor RawValues(Generator g, params long[] shape) =>
        torch.randn(shape, generator: g) * torch.tensor(ColumnSpread) + torch.tensor(ColumnLevel);

    /// <summary>A scaler fitted on a fixed history whose last column is constant (the scalers' special case).</summary>
    public static Scaler FittedScaler(Scaler scaler)
    {
        var history = RawValues(new Generator(99), 80, 3);
        history[.., 2] = 7f;
        return scaler.Fit(history);
    }

    private static Tensor[] RawWindows(Generator g) =>
        [RawValues(g, 1, 1, 3), RawValues(g, 4, 7, 3), RawValues(g, 3, 10, 3)];

    private static Tensor[] LstmOutputs(nn.Module module, Tensor input)
    {
        var (output, h, c) = ((nn.Module<Tensor, (Tensor, Tensor)?, (Tensor, Tensor, Tensor)>)module).call(input, null);
        return [output, h, c];
    }

    private static Tensor[] GruOutputs(nn.Module module, Tensor input)
    {
        var (output, h) = ((nn.Module<Tensor, Tensor?, (Tensor, Tensor)>)module).call(input, null);
        return [output, h];
    }

    // Batched in both layouts, plus an unbatched (seq, features) input.
    private static Tensor[] BatchFirstSequences(Generator g, long features) =>
        Floats(g, [1, 1, features], [4, 7, features], [3, 9, features], [5, features]);

    private static Tensor[] TimeMajorSequences(Generator g, long features) =>
        Floats(g, [1, 1, features], [7, 4, features], [9, 3, features], [6, features]);

    public static IReadOnlyList<ModelExportCase> All { get; } =
    [
        new("stacked_lstm_2_layers_dropout", () => new StackedLstm(3, [6, 4], 2, dropout: 0.25), g => Sequences(g, 3)),
        new("stacked_lstm_return_sequences", () => new StackedLstm(2, [5], 1, returnSequences: true), g => Sequences(g, 2)),
        new("stacked_gru_2_layers", () => new StackedGru(3, [5, 4], 1, dropout: 0.1), g => Sequences(g, 3)),
        new("stacked_rnn_3_layers", () => new StackedRnn(2, [4, 4, 3], 2), g => Sequences(g, 2)),
        new("bidirectional_lstm_concat", () => new BidirectionalRnn(RecurrentCell.Lstm, 3, [4, 3], 1, dropout: 0.2), g => Sequences(g, 3)),
        new("bidirectional_gru_sum", () => new BidirectionalRnn(RecurrentCell.Gru, 3, [4, 3], 2, merge: MergeMode.Sum), g => Sequences(g, 3)),
        new("bidirectional_rnn_average", () => new BidirectionalRnn(RecurrentCell.Rnn, 2, [5, 4], 1, merge: MergeMode.Average), g => Sequences(g, 2)),
        new("bidirectional_lstm_multiply", () => new BidirectionalRnn(RecurrentCell.Lstm, 2, [4, 4], 1, merge: MergeMode.Multiply), g => Sequences(g, 2)),
        new("bidirectional_gru_concat_sequences", () => new BidirectionalRnn(RecurrentCell.Gru, 2, [3], 2, returnSequences: true), g => Sequences(g, 2)),
        new("bidirectional_lstm_average_sequences", () => new BidirectionalRnn(RecurrentCell.Lstm, 2, [3, 3], 1, merge: MergeMode.Average, returnSequences: true), g => Sequences(g, 2)),
        new("classifier_lstm", () => new SequenceClassifier(12, 4, 5, 3), g => TokenInputs(g, 12)),
        new("classifier_lstm_bidirectional_2_layers", () => new SequenceClassifier(15, 4, 5, 2, bidirectional: true, numLayers: 2, dropout: 0.3), g => TokenInputs(g, 15)),
        new("classifier_gru_bidirectional", () => new SequenceClassifier(10, 3, 4, 1, RecurrentCell.Gru, bidirectional: true), g => TokenInputs(g, 10)),
        new("scaled_forecaster_minmax_lstm", () => ScaledForecaster.FromScaler(new StackedLstm(3, [5, 4], 2, dropout: 0.1), FittedScaler(new MinMaxScaler()), 0), RawWindows),
        new("scaled_forecaster_standard_bidirectional_gru", () => ScaledForecaster.FromScaler(
            new BidirectionalRnn(RecurrentCell.Gru, 3, [4], 1, merge: MergeMode.Sum), FittedScaler(new StandardScaler()), 1), RawWindows),
        new("residual_forecaster_lstm", () => new ResidualForecaster(new StackedLstm(3, [5, 4], 2, dropout: 0.1), 1), g => Sequences(g, 3)),
        new("scaled_residual_forecaster_gru", () => ScaledForecaster.FromScaler(
            new ResidualForecaster(new StackedGru(3, [4], 1), 0), FittedScaler(new MinMaxScaler()), 0), RawWindows),
        new("scratch_lstm_bidirectional_2_layers_batch_first", () => new ScratchLstm(3, 4, 2, batchFirst: true, dropout: 0.2, bidirectional: true),
            g => BatchFirstSequences(g, 3), LstmOutputs),
        new("scratch_lstm_peephole", () => new ScratchLstm(3, 4, variant: new ScratchLstmVariant(Peepholes: true)),
            g => TimeMajorSequences(g, 3), LstmOutputs),
        new("scratch_lstm_cifg_2_layers_batch_first", () => new ScratchLstm(2, 5, 2, batchFirst: true, variant: new ScratchLstmVariant(CoupledInputForgetGate: true)),
            g => BatchFirstSequences(g, 2), LstmOutputs),
        new("scratch_lstm_peephole_cifg_bidirectional_no_bias", () => new ScratchLstm(3, 4, bias: false, bidirectional: true, variant: new ScratchLstmVariant(true, true)),
            g => TimeMajorSequences(g, 3), LstmOutputs),
        new("scratch_gru_bidirectional_2_layers_batch_first", () => new ScratchGru(3, 4, 2, batchFirst: true, dropout: 0.3, bidirectional: true),
            g => BatchFirstSequences(g, 3), GruOutputs),
        new("scratch_gru_no_bias", () => new ScratchGru(2, 5, bias: false),
            g => TimeMajorSequences(g, 2), GruOutputs),
        new("classifier_rnn_2_layers", () => new SequenceClassifier(10, 3, 4, 2, RecurrentCell.Rnn, numLayers: 2, dropout: 0.1), g => TokenInputs(g, 10)),
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in All) data.Add(c.Name);
        return data;
    }

    public static ModelExportCase Get(string name) => All.Single(c => c.Name == name);
}
