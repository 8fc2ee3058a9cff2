using TorchLstm.Data;
using TorchLstm.Models;
using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Training;

/// <summary>The runner trains models that take integer token ids, such as <see cref="SequenceClassifier"/>.</summary>
public class TokenInputTrainingTests
{
    /// <summary>Sequences of ids 1–5 (trailing padding 0); the class says whether id 4 occurs.</summary>
    private static SequenceDataset ContainsFour(int count, long seed)
    {
        using var generator = new Generator((ulong)seed);
        var ids = torch.randint(1, 6, [count, 6], generator: generator, dtype: ScalarType.Int64);
        var lengths = torch.randint(2, 7, [count, 1], generator: generator, dtype: ScalarType.Int64);
        var padded = ids * torch.arange(6, dtype: ScalarType.Int64).unsqueeze(0).lt(lengths);
        return new SequenceDataset(padded, padded.eq(4).any(1).to(ScalarType.Int64));
    }

    [Fact]
    public void A_sequence_classifier_learns_from_int64_token_ids_through_fit_and_evaluate()
    {
        var train = ContainsFour(256, 1);
        var validation = ContainsFour(128, 2);
        torch.manual_seed(3);
        var model = new SequenceClassifier(vocabSize: 6, embeddingDim: 8, hiddenSize: 12, numClasses: 2);
        var options = new TrainingOptions { Epochs = 25, BatchSize = 32, LearningRate = 1e-2, Loss = LossKind.CrossEntropy, Seed = 4, Progress = ProgressMode.None };

        var history = new ExperimentRunner().Fit(model, train, validation, options);
        var scores = new ExperimentRunner().Evaluate(model, validation, options);

        double majority = Math.Max(validation.Targets.to(ScalarType.Float64).mean().item<double>(), 1 - validation.Targets.to(ScalarType.Float64).mean().item<double>());
        Assert.True(scores["accuracy"] > 0.9 && scores["accuracy"] > majority + 0.1, $"validation accuracy {scores["accuracy"]:F3}, majority class {majority:F3}");
        Assert.True(history.Last!.TryGet("val_accuracy", out double lastEpochAccuracy));
        Assert.Equal(lastEpochAccuracy, scores["accuracy"], 6);
    }

    [Fact]
    public void Boolean_inputs_are_rejected_with_what_is_accepted()
    {
        var data = new SequenceDataset(torch.ones(4, 3, dtype: ScalarType.Bool), torch.zeros(4, dtype: ScalarType.Int64));
        var model = new SequenceClassifier(vocabSize: 3, embeddingDim: 2, hiddenSize: 2, numClasses: 2);
        var options = new TrainingOptions { Epochs = 1, Loss = LossKind.CrossEntropy, Progress = ProgressMode.None };

        var error = Assert.Throws<ArgumentException>(() => new ExperimentRunner().Fit(model, data, null, options));
        Assert.Equal("train", error.ParamName);
        Assert.Contains("inputs must be a floating-point tensor, or integer token ids", error.Message, StringComparison.Ordinal);
        Assert.Contains("got Bool", error.Message, StringComparison.Ordinal);
    }
}
