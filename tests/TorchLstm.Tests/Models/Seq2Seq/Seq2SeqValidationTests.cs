using TorchLstm.Data.Text;
using TorchLstm.Training;
using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchLstm.Tests.Models.Seq2Seq.Seq2SeqAttentionTests;

namespace TorchLstm.Tests.Models.Seq2Seq;

public class Seq2SeqValidationTests
{
    private static readonly long[][] Sources = [[5, 7, 9], [11, 6, 0]];
    private static readonly long[][] Targets = [[5, 2], [7, 2]];

    [Fact]
    public void A_source_id_at_or_above_the_vocabulary_size_is_named()
    {
        using var model = new Seq2SeqAttention(Tiny());
        var error = Assert.Throws<ArgumentException>(() => model.Greedy(Pad([[5, 12, 4]], 3)));
        Assert.Equal("sourceIds", error.ParamName);
        Assert.Contains("source id 12 is outside [0, 12)", error.Message);
        Assert.Contains("<unk>", error.Message);
    }

    [Fact]
    public void A_target_id_out_of_range_is_named()
    {
        using var model = new Seq2SeqAttention(Tiny());
        var error = Assert.Throws<ArgumentException>(() => model.ForwardWithAttention(Pad(Sources, 3), Pad([[5, 2], [-1, 2]], 2)));
        Assert.Equal("targetIds", error.ParamName);
        Assert.Contains("target id -1 is outside [0, 10)", error.Message);
    }

    [Fact]
    public void Floating_point_source_ids_are_rejected_with_the_fix()
    {
        using var model = new Seq2SeqAttention(Tiny());
        var error = Assert.Throws<ArgumentException>(() => model.BeamSearch(Pad(Sources, 3).to(ScalarType.Float32)));
        Assert.Contains("integer dtype", error.Message);
        Assert.Contains("Float32", error.Message);
    }

    [Fact]
    public void Padding_before_a_real_token_and_all_padding_rows_are_rejected()
    {
        using var model = new Seq2SeqAttention(Tiny());
        var leading = Assert.Throws<ArgumentException>(() => model.Greedy(Pad([[5, 7, 9], [0, 11, 6]], 3)));
        Assert.Contains("row 1 has a real token at position 1 after padding", leading.Message);
        var empty = Assert.Throws<ArgumentException>(() => model.Greedy(Pad([[5, 7, 9], [0, 0, 0]], 3)));
        Assert.Contains("row 1 is all padding", empty.Message);
    }

    [Fact]
    public void Malformed_training_ids_are_explained()
    {
        using var model = new Seq2SeqAttention(Tiny());
        using var scope = torch.NewDisposeScope();
        var sources = Pad(Sources, 3);
        var targets = Pad(Targets, 2);
        var floats = Assert.Throws<ArgumentException>(() => model.forward(sources.to(ScalarType.Float32), targets));
        Assert.Contains("expects source ids of an integer dtype", floats.Message);
        Assert.Equal("sourceIds", floats.ParamName);
        var rank = Assert.Throws<ArgumentException>(() => model.forward(sources, targets.unsqueeze(0)));
        Assert.Contains("expects target ids shaped (batch, length) but got rank 3", rank.Message);
        var mismatched = Assert.Throws<ArgumentException>(() => model.forward(sources, Pad([[5, 2]], 2)));
        Assert.Contains("2 sources and 1 targets", mismatched.Message);

        // Through the runner, the same checks name the dataset before any batch runs.
        using var pairs = new TokenPairs(sources, Pad([[5, 2]], 2));
        var options = new TrainingOptions { Epochs = 1, Loss = Loss.CrossEntropy(ignoreIndex: 0), Progress = ProgressMode.None };
        var runner = Assert.Throws<ArgumentException>(() => new ExperimentRunner().Fit(model, Seq2SeqAttention.TeacherForcedStep, pairs, null, options));
        Assert.Equal("train", runner.ParamName);
    }

    [Fact]
    public void Nonsense_options_and_decoding_parameters_name_the_field()
    {
        var vocab = Assert.Throws<ArgumentOutOfRangeException>(() => new Seq2SeqAttention(Tiny() with { TargetVocabSize = 4 }));
        Assert.Equal("TargetVocabSize", vocab.ParamName);
        var dropout = Assert.Throws<ArgumentOutOfRangeException>(() => new Seq2SeqAttention(Tiny() with { Dropout = double.NaN }));
        Assert.Equal("Dropout", dropout.ParamName);
        var attention = Assert.Throws<ArgumentOutOfRangeException>(() => new Seq2SeqAttention(Tiny() with { Attention = (AttentionKind)9 }));
        Assert.Contains("Additive", attention.Message);

        using var model = new Seq2SeqAttention(Tiny());
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => model.TeacherForcingRatio = 1.5).ParamName);
        Assert.Equal("beamWidth", Assert.Throws<ArgumentOutOfRangeException>(() => model.BeamSearch(Pad(Sources, 3), beamWidth: 0)).ParamName);
        Assert.Equal("lengthPenalty", Assert.Throws<ArgumentOutOfRangeException>(() => model.BeamSearch(Pad(Sources, 3), lengthPenalty: -1)).ParamName);
        Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => model.Greedy(Pad(Sources, 3), maxLength: 0)).ParamName);
        Assert.Equal("start", Assert.Throws<ArgumentOutOfRangeException>(() => TeacherForcingSchedule.Linear(model, 2, 0.5, 10)).ParamName);
    }
}
