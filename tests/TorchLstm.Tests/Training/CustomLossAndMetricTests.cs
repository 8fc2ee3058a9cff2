using TorchLstm.Data;
using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Training;

/// <summary>A user's own metric: the share of predictions within 0.25 of the target, summed per batch.</summary>
internal sealed class WithinQuarter() : Metric("within_quarter")
{
    public override bool HigherIsBetter => true;

    public override Tensor BatchStatistics(Tensor predictions, Tensor targets) => (predictions - targets).abs().le(0.25).sum();

    public override double Result(IReadOnlyList<double> totals, long elements) => totals[0] / elements;
}

// Compares runs that each seed torch's global generator: no other test may draw from it meanwhile.
[Collection(nameof(Reliability.GlobalRandomStateCollection))]
public class CustomLossAndMetricTests
{
    /// <summary>The pinball (quantile) loss at level q: under-prediction costs q, over-prediction 1 - q.</summary>
    private static Tensor Pinball(Tensor predictions, Tensor targets, double q)
    {
        var error = targets - predictions;
        return torch.maximum(error * q, error * (q - 1)).mean();
    }

    /// <summary>y = x·w + 0.3 + noise with standard deviation 0.5, so quantiles of the noise are far apart.</summary>
    private static SequenceDataset Noisy(int samples, long seed)
    {
        using var clean = ToyData.Linear(samples, seed);
        using var generator = new Generator((ulong)seed + 1000);
        var noise = randn([samples, 1], generator: generator) * 0.5;
        return new SequenceDataset(clean.Inputs.clone(), (clean.Targets + noise).DetachFromDisposeScope());
    }

    [Fact]
    public void A_custom_loss_and_custom_metrics_are_used_by_fit_and_recorded_in_the_history()
    {
        using var train = Noisy(512, seed: 61);
        using var validation = Noisy(256, seed: 62);
        var quantile90 = Loss.Create("pinball_0.9", (p, t) => Pinball(p, t, 0.9));
        var smape = Metric.Mean("smape", (p, t) => 200 * (p - t).abs() / (p.abs() + t.abs()));
        var options = ToyData.Quiet(40) with { Loss = quantile90, Metrics = [new WithinQuarter(), smape, new RootMeanSquaredError()] };
        Seeding.SeedEverything(63);
        using var model = new LastStepLinear(3);

        var history = new ExperimentRunner().Fit(model, train, validation, options);

        // Every metric is logged for training and validation, and nothing else (no default mae).
        Assert.Equal(["within_quarter", "smape", "rmse", "val_within_quarter", "val_smape", "val_rmse"], history.Last!.Metrics.Keys);
        // The logged validation values are the loss and the metrics over the whole validation set.
        model.eval();
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            var predictions = model.forward(validation.Inputs);
            var targets = validation.Targets;
            Assert.Equal(Pinball(predictions, targets, 0.9).item<float>(), history.Last.ValidationLoss!.Value, 5);
            Assert.Equal((predictions - targets).abs().le(0.25).to(ScalarType.Float64).mean().item<double>(), history.Last.Metrics["val_within_quarter"], 9);
            Assert.Equal((200 * (predictions - targets).abs() / (predictions.abs() + targets.abs())).to(ScalarType.Float64).mean().item<double>(),
                history.Last.Metrics["val_smape"], 4);
            Assert.Equal(Metrics.Rmse(predictions, targets).item<float>(), history.Last.Metrics["val_rmse"], 5);

            // The gradients came from the pinball loss: the model learned the 90th percentile, so about
            // 90 % of validation targets lie below its predictions (an MSE fit would put about 50 % there).
            double below = targets.lt(predictions).to(ScalarType.Float64).mean().item<double>();
            Assert.InRange(below, 0.82, 0.97);
        }
        var evaluated = new ExperimentRunner().Evaluate(model, validation, options);
        Assert.Equal(history.Last.ValidationLoss!.Value, evaluated["loss"], 9);
        Assert.Equal(history.Last.Metrics["val_within_quarter"], evaluated["within_quarter"], 12);
    }

    [Fact]
    public void A_torch_loss_module_and_a_loss_kind_are_interchangeable_with_the_same_loss_as_a_function()
    {
        using var train = Noisy(128, seed: 64);
        History Train(Loss loss)
        {
            Seeding.SeedEverything(65);
            using var model = new LastStepLinear(3);
            return new ExperimentRunner().Fit(model, train, null, ToyData.Quiet(3) with { Loss = loss });
        }

        var fromKind = Train(LossKind.Mae);
        var fromModule = Train(Loss.FromModule(nn.L1Loss(), "l1"));
        var fromFunction = Train(Loss.Create("l1", (p, t) => (p - t).abs().mean()));

        Assert.Equal(fromKind.Series("loss"), fromModule.Series("loss"));
        Assert.Equal(fromKind.Series("loss")[^1], fromFunction.Series("loss")[^1], 6);
        // A custom loss has no default metric; a built-in regression loss logs mae.
        Assert.Equal(["mae"], fromKind.Last!.Metrics.Keys);
        Assert.Empty(fromModule.Last!.Metrics);
    }

    [Fact]
    public void Precision_recall_and_f1_match_hand_counts_per_class_and_averaged_over_classes_across_batches()
    {
        // Predicted classes 0 2 1 2 1 2 against targets 0 1 1 2 2 2: class 0 tp 1; class 1 tp 1 fp 1 fn 1;
        // class 2 tp 2 fp 1 fn 1. Split into two batches of 4 and 2 to check that the sums are exact.
        var predicted = new long[] { 0, 2, 1, 2, 1, 2 };
        using var logits = nn.functional.one_hot(torch.tensor(predicted), 3).to(ScalarType.Float32);
        using var targets = torch.tensor(new long[] { 0, 1, 1, 2, 2, 2 });
        double Score(Metric metric)
        {
            using var scope = torch.NewDisposeScope();
            var total = metric.BatchStatistics(logits[..4], targets[..4]).to(ScalarType.Float64) + metric.BatchStatistics(logits[4..], targets[4..]);
            return metric.Result(total.data<double>().ToArray(), targets.numel());
        }

        Assert.Equal((1 + 0.5 + 2.0 / 3) / 3, Score(new F1Score()), 12);
        Assert.Equal((1 + 0.5 + 2.0 / 3) / 3, Score(new Precision()), 12);
        Assert.Equal(2.0 / 3, Score(new Recall(positiveClass: 2)), 12);
        Assert.Equal(0.5, Score(new F1Score(positiveClass: 1)), 12);
        Assert.Equal(4.0 / 6, Score(new Accuracy()), 12);
        // Ignoring class 0 (padding) drops the one sample of class 0 from every count.
        Assert.Equal(3.0 / 5, Score(new Accuracy(ignoreIndex: 0)), 12);
        Assert.Equal((0.5 + 2.0 / 3 + 0) / 3, Score(new F1Score(ignoreIndex: 0)), 12);
    }

    [Fact]
    public void A_classifier_logs_f1_and_early_stopping_on_it_maximises_without_being_told()
    {
        using var generator = new Generator(66);
        var inputs = randn([256, 2, 3], generator: generator);
        var classes = inputs.select(1, -1).select(1, 0).gt(0).to(ScalarType.Int64);
        using var data = new SequenceDataset(inputs, classes);
        Seeding.SeedEverything(67);
        using var model = new LastStepLinear(3, outputs: 2);
        using var stopping = new EarlyStopping("val_f1", patience: 2);
        var options = ToyData.Quiet(15) with { Loss = LossKind.CrossEntropy, Metrics = [new F1Score(positiveClass: 1), new Accuracy()] };

        var history = new ExperimentRunner().Fit(model, data, data, options, [stopping]);

        Assert.True(history.Last!.Metrics["val_f1"] > 0.95, $"val_f1 {history.Last.Metrics["val_f1"]}");
        Assert.Equal(history.Series("val_f1").Max(), stopping.Best);
    }

    [Fact]
    public void Metric_names_are_checked_when_training_starts()
    {
        using var train = ToyData.Linear(8, seed: 68);
        using var model = new LastStepLinear(3);
        var twice = Assert.Throws<ArgumentException>(() => new ExperimentRunner().Fit(model, train, null,
            ToyData.Quiet(1) with { Metrics = [new MeanAbsoluteError(), new MeanAbsoluteError()] }));
        Assert.Contains("names 'mae' twice", twice.Message, StringComparison.Ordinal);
        var prefixed = Assert.Throws<ArgumentException>(() => Metric.Mean("val_x", (p, t) => p - t));
        Assert.Contains("not start with 'val_'", prefixed.Message, StringComparison.Ordinal);
        var huber = Assert.Throws<ArgumentOutOfRangeException>(() => Loss.Huber(double.NaN));
        Assert.Equal("delta", huber.ParamName);
    }
}
