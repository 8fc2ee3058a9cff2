using TorchLstm.Data.Text;
using TorchLstm.Models;
using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Models.Seq2Seq;

public class Seq2SeqLearningTests
{
    private static readonly (string Source, string Target)[] Pairs =
    [
        ("3 may 21", "2021-05-03"), ("may 4 '19", "2019-05-04"), ("12/01/1999", "1999-01-12"),
        ("2020.7.9", "2020-07-09"), ("1 jun 77", "1977-06-01"), ("30.11.1960", "1960-11-30"),
    ];

    private static (Seq2SeqAttention Model, Vocabulary Source, Vocabulary Target, History History) Train(AttentionKind attention, double teacherForcingEnd)
    {
        // A decoder runs many tiny ops; on a loaded two-core machine libtorch's intra-op thread pool makes
        // them tens of times slower than one thread does.
        torch.set_num_threads(1);
        var source = Vocabulary.Build(Pairs.Select(p => p.Source));
        var target = Vocabulary.Build(Pairs.Select(p => p.Target));
        Seeding.SeedEverything(11);
        var model = new Seq2SeqAttention(new Seq2SeqOptions
        {
            SourceVocabSize = source.Count, TargetVocabSize = target.Count,
            EmbeddingDim = 12, HiddenSize = 16, AttentionSize = 16, Attention = attention,
        });
        // The source and target id tensors go in as they are: no packing, no float conversion.
        using var data = new TokenPairs(
            source.EncodeBatch(Pairs.Select(p => p.Source).ToList()),
            target.EncodeBatch(Pairs.Select(p => p.Target).ToList(), addEos: true));
        const int epochs = 60;
        var options = new TrainingOptions
        {
            Epochs = epochs, BatchSize = Pairs.Length, LearningRate = 0.02, Loss = Loss.CrossEntropy(ignoreIndex: SpecialTokens.PadId),
            Progress = ProgressMode.None, Seed = 11, ClipGradNorm = 1.0,
        };
        var schedule = TeacherForcingSchedule.Linear(model, 1.0, teacherForcingEnd, epochs);
        var history = new ExperimentRunner().Fit(model, Seq2SeqAttention.TeacherForcedStep, data, data, options, [schedule]);
        return (model, source, target, history);
    }

    [Fact]
    public void A_small_attention_model_learns_a_handful_of_pairs_exactly_through_the_runner()
    {
        var (model, source, target, history) = Train(AttentionKind.Additive, teacherForcingEnd: 0.5);
        using var translator = new Seq2SeqTranslator(model, source, target);
        var greedy = translator.Translate(Pairs.Select(p => p.Source).ToList());
        Assert.Equal(Pairs.Select(p => p.Target), greedy.Select(t => t.Text));
        var beam = translator.Translate(Pairs.Select(p => p.Source).ToList(), beamWidth: 3);
        Assert.Equal(Pairs.Select(p => p.Target), beam.Select(t => t.Text));

        // The schedule was applied and logged; accuracy counts real target tokens only (padding ignored).
        Assert.Equal(1.0, history.Epochs[0].Metrics[TeacherForcingSchedule.LogName]);
        Assert.Equal(0.5, history.Epochs[^1].Metrics[TeacherForcingSchedule.LogName], 9);
        Assert.Equal(1.0, history.Epochs[^1].Metrics["val_accuracy"]);
        Assert.True(history.Epochs[^1].ValidationLoss < 0.05);
    }

    [Fact]
    public void A_saved_translator_loads_with_the_same_vocabularies_weights_and_outputs()
    {
        var (model, source, target, _) = Train(AttentionKind.General, teacherForcingEnd: 1.0);
        using var translator = new Seq2SeqTranslator(model, source, target);
        string directory = Path.Combine(Path.GetTempPath(), "seq2seq-" + Guid.NewGuid().ToString("N"));
        try
        {
            translator.Save(directory);
            Assert.Equal(
                new[] { Seq2SeqTranslator.ConfigFileName, Seq2SeqTranslator.WeightsFileName }.Order(),
                Directory.GetFiles(directory).Select(Path.GetFileName).Order());
            using var loaded = Seq2SeqTranslator.Load(directory);
            Assert.Equal(model.Options, loaded.Model.Options);
            Assert.Equal(source.Tokens, loaded.SourceVocabulary.Tokens);
            Assert.Equal(target.Tokens, loaded.TargetVocabulary.Tokens);
            var texts = Pairs.Select(p => p.Source).Append("7 jul 19").ToList();
            var before = translator.Translate(texts);
            var after = loaded.Translate(texts);
            Assert.Equal(before.Select(t => t.Text), after.Select(t => t.Text));
            Assert.Equal(before[^1].Hypothesis.LogProbability, after[^1].Hypothesis.LogProbability, 5);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_runners_loss_ignores_padded_target_positions()
    {
        torch.manual_seed(12);
        using var model = new Seq2SeqAttention(Seq2SeqAttentionTests.Tiny());
        using var scope = torch.NewDisposeScope();
        var sources = Seq2SeqAttentionTests.Pad([[5, 7, 9], [11, 6]], 3);
        var targets = Seq2SeqAttentionTests.Pad([[5, 6, 2, 0], [7, 2, 0, 0]], 4);
        using var data = new TokenPairs(sources, targets);
        var options = new TrainingOptions { Loss = Loss.CrossEntropy(ignoreIndex: 0) };
        var evaluated = new ExperimentRunner().Evaluate(model, Seq2SeqAttention.TeacherForcedStep, data, options);

        model.eval();
        var (logits, _) = model.ForwardWithAttention(sources, targets);
        var real = targets.ne(0).reshape(-1).nonzero().squeeze(1);
        var expected = nn.functional.cross_entropy(logits.reshape(-1, 10).index_select(0, real), targets.reshape(-1).index_select(0, real));
        Assert.Equal(expected.item<float>(), evaluated["loss"], 5);
        double correct = logits.argmax(-1).eq(targets).logical_and(targets.ne(0)).sum().item<long>();
        Assert.Equal(correct / 5, evaluated["accuracy"], 9);

        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => Loss.CrossEntropy(ignoreIndex: -1));
        Assert.Equal("ignoreIndex", negative.ParamName);
    }
}
