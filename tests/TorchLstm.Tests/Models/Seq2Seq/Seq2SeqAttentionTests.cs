using TorchLstm.Data.Text;
using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchLstm.Tests.Models.ModelTestHelpers;

namespace TorchLstm.Tests.Models.Seq2Seq;

public class Seq2SeqAttentionTests
{
    // Real source lengths 4, 2 and 5; ids 4..11 are ordinary tokens.
    private static readonly long[][] Sources = [[5, 7, 9, 4], [11, 6], [4, 8, 10, 6, 7]];
    private static readonly long[][] Targets = [[5, 6, 2], [7, 2, 0], [8, 9, 5]];

    internal static Seq2SeqOptions Tiny(AttentionKind attention = AttentionKind.Additive, RecurrentCell cell = RecurrentCell.Lstm, bool bidirectional = true) => new()
    {
        SourceVocabSize = 12,
        TargetVocabSize = 10,
        EmbeddingDim = 6,
        HiddenSize = 5,
        AttentionSize = 7,
        Attention = attention,
        Cell = cell,
        BidirectionalEncoder = bidirectional,
    };

    internal static Tensor Pad(long[][] rows, int length)
    {
        var flat = new long[rows.Length * length];
        for (int r = 0; r < rows.Length; r++)
            Array.Copy(rows[r], 0, flat, r * length, rows[r].Length);
        return torch.tensor(flat, [rows.Length, length]);
    }

    [Theory]
    [InlineData(AttentionKind.Additive, RecurrentCell.Lstm)]
    [InlineData(AttentionKind.Dot, RecurrentCell.Gru)]
    [InlineData(AttentionKind.General, RecurrentCell.Lstm)]
    [InlineData(AttentionKind.Additive, RecurrentCell.Rnn)]
    public void Attention_weights_sum_to_one_and_padding_gets_exactly_zero(AttentionKind kind, RecurrentCell cell)
    {
        torch.manual_seed(1);
        using var model = new Seq2SeqAttention(Tiny(kind, cell));
        model.eval();
        using var scope = torch.NewDisposeScope();
        var (logits, attention) = model.ForwardWithAttention(Pad(Sources, 7), Pad(Targets, 3));
        Assert.Equal([3L, 3L, 10L], logits.shape);
        Assert.NotNull(attention);
        Assert.Equal([3L, 3L, 7L], attention.shape);
        Assert.True(MaxAbsDifference(attention.sum(-1), torch.ones(3, 3)) < 1e-6);
        for (int row = 0; row < Sources.Length; row++)
        {
            var padding = attention[row].narrow(1, Sources[row].Length, 7 - Sources[row].Length);
            Assert.Equal(0.0, padding.abs().max().item<float>());
            // Every real source token gets some weight: the mask hides padding only.
            Assert.True(attention[row].narrow(1, 0, Sources[row].Length).min().item<float>() > 0);
        }
    }

    [Theory]
    [InlineData(AttentionKind.Additive, RecurrentCell.Lstm, true)]
    [InlineData(AttentionKind.General, RecurrentCell.Gru, true)]
    [InlineData(AttentionKind.Dot, RecurrentCell.Lstm, false)]
    [InlineData(AttentionKind.None, RecurrentCell.Lstm, true)]
    public void Extra_padding_changes_neither_logits_nor_attention_nor_decoding(AttentionKind kind, RecurrentCell cell, bool bidirectional)
    {
        torch.manual_seed(2);
        using var model = new Seq2SeqAttention(Tiny(kind, cell, bidirectional));
        model.eval();
        using var scope = torch.NewDisposeScope();
        var (tightLogits, tightAttention) = model.ForwardWithAttention(Pad(Sources, 5), Pad(Targets, 3));
        var (paddedLogits, paddedAttention) = model.ForwardWithAttention(Pad(Sources, 12), Pad(Targets, 3));
        Assert.True(MaxAbsDifference(tightLogits, paddedLogits) < 1e-5);
        if (kind == AttentionKind.None)
        {
            Assert.Null(tightAttention);
        }
        else
        {
            Assert.True(MaxAbsDifference(tightAttention!, paddedAttention!.narrow(2, 0, 5)) < 1e-6);
        }
        var tight = model.Greedy(Pad(Sources, 5), maxLength: 6);
        var padded = model.Greedy(Pad(Sources, 12), maxLength: 6);
        for (int row = 0; row < Sources.Length; row++)
        {
            Assert.Equal(tight[row].Tokens, padded[row].Tokens);
            Assert.Equal(tight[row].LogProbability, padded[row].LogProbability, 5);
        }
    }

    [Theory]
    [InlineData(AttentionKind.Additive)]
    [InlineData(AttentionKind.None)]
    public void Beam_width_one_equals_greedy(AttentionKind kind)
    {
        torch.manual_seed(3);
        using var model = new Seq2SeqAttention(Tiny(kind));
        using var scope = torch.NewDisposeScope();
        var sources = Pad(Sources, 6);
        var greedy = model.Greedy(sources, maxLength: 8);
        var beam = model.BeamSearch(sources, beamWidth: 1, maxLength: 8);
        for (int row = 0; row < Sources.Length; row++)
        {
            var best = beam[row][0];
            Assert.Equal(greedy[row].Tokens, best.Tokens);
            Assert.Equal(greedy[row].Ended, best.Ended);
            Assert.Equal(greedy[row].LogProbability, best.LogProbability, 4);
            Assert.Equal(greedy[row].Score, best.Score, 4);
            if (kind == AttentionKind.None) continue;
            Assert.Equal(Sources[row].Length, best.Attention!.GetLength(1));
            for (int t = 0; t < best.Tokens.Length; t++)
                for (int s = 0; s < Sources[row].Length; s++)
                    Assert.Equal(greedy[row].Attention![t, s], best.Attention[t, s], 5);
        }
    }

    [Fact]
    public void A_wider_beam_never_scores_below_its_own_first_beam_and_sorts_its_hypotheses()
    {
        torch.manual_seed(4);
        using var model = new Seq2SeqAttention(Tiny());
        using var scope = torch.NewDisposeScope();
        var beams = model.BeamSearch(Pad(Sources, 5), beamWidth: 4, maxLength: 6, lengthPenalty: 0);
        foreach (var hypotheses in beams)
        {
            Assert.InRange(hypotheses.Count, 1, 4);
            for (int i = 1; i < hypotheses.Count; i++)
                Assert.True(hypotheses[i - 1].Score >= hypotheses[i].Score);
        }
    }

    [Fact]
    public void Without_teacher_forcing_training_feeds_the_models_own_greedy_tokens()
    {
        torch.manual_seed(5);
        using var model = new Seq2SeqAttention(Tiny(cell: RecurrentCell.Gru));
        using var scope = torch.NewDisposeScope();
        var sources = Pad(Sources, 5);
        var greedy = model.Greedy(sources, maxLength: 4);
        model.train();
        model.TeacherForcingRatio = 0;
        // Gold targets that no untrained model predicts: with ratio 0 they must not be read after step 0.
        var gold = torch.full(3, 4, 9L);
        var logits = model.forward(sources, gold);
        var fed = logits.argmax(-1);
        for (int row = 0; row < Sources.Length; row++)
        {
            var tokens = fed[row].data<long>().ToArray();
            Assert.Equal(greedy[row].Tokens, tokens.Take(greedy[row].Tokens.Length));
        }
        model.TeacherForcingRatio = 1;
        var forced = model.forward(sources, gold);
        Assert.True(MaxAbsDifference(forced.narrow(1, 0, 1), logits.narrow(1, 0, 1)) < 1e-6);
        Assert.True(MaxAbsDifference(forced, logits) > 1e-3);
    }

    [Fact]
    public void Forward_gives_the_same_logits_as_forward_with_attention_for_any_integer_id_dtype()
    {
        torch.manual_seed(6);
        using var model = new Seq2SeqAttention(Tiny(AttentionKind.General));
        model.eval();
        using var scope = torch.NewDisposeScope();
        var (logits, _) = model.ForwardWithAttention(Pad(Sources, 6), Pad(Targets, 3));
        Assert.Equal([3L, 3L, 10L], logits.shape);
        Assert.True(MaxAbsDifference(logits, model.call(Pad(Sources, 6), Pad(Targets, 3))) < 1e-6);
        Assert.True(MaxAbsDifference(logits, model.call(Pad(Sources, 6).to(ScalarType.Int32), Pad(Targets, 3).to(ScalarType.Int32))) < 1e-6);
    }

    [Fact]
    public void Parameters_carry_torch_style_names()
    {
        using var model = new Seq2SeqAttention(Tiny());
        var names = model.named_parameters().Select(p => p.name).ToHashSet();
        foreach (string name in new[]
        {
            "encoder.embedding.weight", "encoder.rnn.weight_ih_l0", "encoder.rnn.weight_hh_l0_reverse", "bridge_hidden.weight", "bridge_cell.bias",
            "decoder.embedding.weight", "decoder.cell.weight_ih", "decoder.attention.query.weight", "decoder.attention.key.bias",
            "decoder.attention.energy.weight", "decoder.combine.weight", "decoder.output.weight", "decoder.output.bias",
        })
            Assert.Contains(name, names);
        // Input feeding widens the decoder cell's input: embedding (6) + decoder hidden (2 × 5).
        Assert.Equal([4L * 10, 16L], Parameter(model, "decoder.cell.weight_ih").shape);
    }
}
