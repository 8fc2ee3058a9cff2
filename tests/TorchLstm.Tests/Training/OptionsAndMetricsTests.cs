using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Training;

public class OptionsAndMetricsTests
{
    public static TheoryData<TrainingOptions, string> BadOptions => new()
    {
        { new TrainingOptions { BatchSize = 0 }, nameof(TrainingOptions.BatchSize) },
        { new TrainingOptions { Epochs = -1 }, nameof(TrainingOptions.Epochs) },
        { new TrainingOptions { LearningRate = 0 }, nameof(TrainingOptions.LearningRate) },
        { new TrainingOptions { LearningRate = -0.1 }, nameof(TrainingOptions.LearningRate) },
        { new TrainingOptions { LearningRate = double.NaN }, nameof(TrainingOptions.LearningRate) },
        { new TrainingOptions { WeightDecay = -1e-4 }, nameof(TrainingOptions.WeightDecay) },
        { new TrainingOptions { Momentum = 1.0 }, nameof(TrainingOptions.Momentum) },
        { new TrainingOptions { ClipGradNorm = 0 }, nameof(TrainingOptions.ClipGradNorm) },
        { new TrainingOptions { ClipGradNorm = double.PositiveInfinity }, nameof(TrainingOptions.ClipGradNorm) },
        { new TrainingOptions { Optimizer = (OptimizerKind)42 }, nameof(TrainingOptions.Optimizer) },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Nonsense_options_are_rejected_before_training_naming_the_option(TrainingOptions options, string name)
    {
        using var train = ToyData.Linear(8, seed: 40);
        using var model = new LastStepLinear(3);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ExperimentRunner().Fit(model, train, null, options));

        Assert.Equal(name, error.ParamName);
        Assert.Contains($"TrainingOptions.{name} must", error.Message);
    }

    [Fact]
    public void Defaults_are_keras_like()
    {
        var options = new TrainingOptions();
        Assert.Equal((100, 32, OptimizerKind.Adam, 1e-3, LossKind.Mse, true, "cpu", ProgressMode.Auto),
            (options.Epochs, options.BatchSize, options.Optimizer, options.LearningRate, options.Loss, options.Shuffle, options.Device, options.Progress));
        Assert.Null(options.ClipGradNorm);
    }

    [Fact]
    public void Callback_arguments_outside_their_range_are_rejected()
    {
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLrOnPlateau(factor: 1.0)).ParamName);
        Assert.Equal("minLr", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLrOnPlateau(minLr: -1)).ParamName);
        Assert.Equal("patience", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(patience: -1)).ParamName);
        Assert.Equal("minDelta", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(minDelta: double.NaN)).ParamName);
        Assert.Equal("monitor", Assert.Throws<ArgumentException>(() => new EarlyStopping(monitor: " ")).ParamName);
    }

    [Fact]
    public void Array_metrics_match_hand_computed_values()
    {
        double[] targets = [1, 2, 4, -2];
        double[] predictions = [2, 2, 3, -1];

        Assert.Equal(0.75, Metrics.Mse(predictions, targets), 12);
        Assert.Equal(Math.Sqrt(0.75), Metrics.Rmse(predictions, targets), 12);
        Assert.Equal(0.75, Metrics.Mae(predictions, targets), 12);
        Assert.Equal(100.0 * (1 + 0 + 0.25 + 0.5) / 4, Metrics.Mape(predictions, targets), 10);
        Assert.Contains("4 values but targets hold 3", Assert.Throws<ArgumentException>(() => Metrics.Mae(predictions, [1, 2, 3])).Message);
    }

    [Fact]
    public void Tensor_metrics_agree_with_array_metrics_and_accuracy_counts_arg_max_hits()
    {
        double[] targets = [1, 2, 4, -2, 0.5];
        double[] predictions = [2, 2, 3, -1, 0.25];
        using var t = tensor(targets);
        using var p = tensor(predictions);

        Assert.Equal(Metrics.Mse(predictions, targets), Metrics.Mse(p, t).item<double>(), 12);
        Assert.Equal(Metrics.Rmse(predictions, targets), Metrics.Rmse(p, t).item<double>(), 12);
        Assert.Equal(Metrics.Mae(predictions, targets), Metrics.Mae(p, t).item<double>(), 12);
        Assert.Equal(Metrics.Mape(predictions, targets), Metrics.Mape(p, t).item<double>(), 10);

        using var logits = tensor(new float[,] { { 2, 1, 0 }, { 0, 3, 1 }, { 1, 0, 5 }, { 4, 0, 0 } });
        using var classes = tensor(new long[] { 0, 1, 1, 0 });
        Assert.Equal(0.75, Metrics.Accuracy(logits, classes).item<float>(), 6);
        Assert.Throws<ArgumentException>(() => Metrics.Mse(p, t.reshape(5, 1)));
    }

    [Fact]
    public void History_lookups_and_csv_are_consistent()
    {
        using var train = ToyData.Linear(32, seed: 41);
        using var model = new LastStepLinear(3);

        var history = new ExperimentRunner().Fit(model, train, null, ToyData.Quiet(2));

        Assert.Equal([history[1].Loss, history[2].Loss], history.Series("loss"));
        Assert.Equal(history[2].Metrics["mae"], history.Series("mae")[1]);
        Assert.Contains("'val_loss' was not logged", Assert.Throws<KeyNotFoundException>(() => history.Series("val_loss")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => history[3]);
        var rows = history.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("epoch,loss,mae,lr,seconds", rows[0]);
        Assert.Equal(history[2].Loss, double.Parse(rows[2].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
