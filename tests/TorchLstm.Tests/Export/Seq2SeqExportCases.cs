using TorchLstm.Data.Text;
using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>One exported seq2seq configuration and the (source, target) batches it is checked on.</summary>
internal sealed record Seq2SeqExportCase(string Name, Seq2SeqOptions Options)
{
    public const int SourceVocab = 11;
    public const int TargetVocab = 9;
    public const int MaxLength = 7;

    public override string ToString() => Name;
}

internal static class Seq2SeqExportCases
{
    private static Seq2SeqOptions Tiny(RecurrentCell cell, AttentionKind attention, bool bidirectional, bool inputFeeding = true, int layers = 1) => new()
    {
        SourceVocabSize = Seq2SeqExportCase.SourceVocab,
        TargetVocabSize = Seq2SeqExportCase.TargetVocab,
        EmbeddingDim = 5,
        HiddenSize = 4,
        AttentionSize = 6,
        EncoderLayers = layers,
        Cell = cell,
        Attention = attention,
        BidirectionalEncoder = bidirectional,
        InputFeeding = inputFeeding,
        Dropout = layers > 1 ? 0.2 : 0.1,
    };

    public static IReadOnlyList<Seq2SeqExportCase> All { get; } =
    [
        new("lstm_additive_bidirectional_2_layers", Tiny(RecurrentCell.Lstm, AttentionKind.Additive, bidirectional: true, layers: 2)),
        new("gru_dot", Tiny(RecurrentCell.Gru, AttentionKind.Dot, bidirectional: false)),
        new("gru_dot_bidirectional", Tiny(RecurrentCell.Gru, AttentionKind.Dot, bidirectional: true)),
        new("lstm_general_no_input_feeding", Tiny(RecurrentCell.Lstm, AttentionKind.General, bidirectional: true, inputFeeding: false)),
        new("lstm_no_attention", Tiny(RecurrentCell.Lstm, AttentionKind.None, bidirectional: true)),
        new("rnn_additive_2_layers", Tiny(RecurrentCell.Rnn, AttentionKind.Additive, bidirectional: false, layers: 2)),
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in All) data.Add(c.Name);
        return data;
    }

    public static Seq2SeqExportCase Get(string name) => All.Single(c => c.Name == name);

    /// <summary>Rows of ordinary ids (4 and up) of the given lengths, padded with 0 at the end to <paramref name="width"/>.</summary>
    public static Tensor Rows(Generator g, int vocab, int width, params int[] lengths)
    {
        var ids = torch.randint(SpecialTokens.Count, vocab, [lengths.Length, width], dtype: ScalarType.Int64, generator: g);
        for (int r = 0; r < lengths.Length; r++)
            if (lengths[r] < width) ids[r, lengths[r]..] = SpecialTokens.PadId;
        return ids;
    }

    /// <summary>Targets as EncodeBatch writes them: tokens, the end token, padding.</summary>
    public static Tensor Targets(Generator g, int width, params int[] tokenCounts)
    {
        var ids = Rows(g, Seq2SeqExportCase.TargetVocab, width, tokenCounts.Select(n => n + 1).ToArray());
        for (int r = 0; r < tokenCounts.Length; r++) ids[r, tokenCounts[r]] = SpecialTokens.EosId;
        return ids;
    }

    /// <summary>
    /// Source batches: one token; every row at full length; lengths 6, 3, 1, 4 in width 6 (padding of
    /// every amount, the longest row not first); width 9 with no row reaching it.
    /// </summary>
    public static (Tensor Source, Tensor Target)[] Batches(Generator g) =>
    [
        (Rows(g, Seq2SeqExportCase.SourceVocab, 1, 1), Targets(g, 2, 1)),
        (Rows(g, Seq2SeqExportCase.SourceVocab, 5, 5, 5), Targets(g, 4, 3, 2)),
        (Rows(g, Seq2SeqExportCase.SourceVocab, 6, 6, 3, 1, 4), Targets(g, 5, 4, 1, 2, 0)),
        (Rows(g, Seq2SeqExportCase.SourceVocab, 9, 2, 7, 5), Targets(g, 3, 2, 1, 2)),
    ];
}
