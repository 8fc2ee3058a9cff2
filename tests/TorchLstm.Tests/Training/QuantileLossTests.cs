using TorchLstm.Experiments;
using TorchLstm.Training;
using TorchSharp;

namespace TorchLstm.Tests.Training;

public class QuantileLossTests
{
    [Fact]
    public void Mse_on_the_point_plus_mean_pinball_on_the_quantiles_equals_the_hand_computation()
    {
        // Two samples, horizon 2, levels 0.1 and 0.9: per step [point, q0.1, q0.9].
        double[] outputs = [1.0, 0.5, 2.0, /**/ 3.0, 3.5, 4.0, /**/ -1.0, -2.0, 0.0, /**/ 0.0, 0.2, 0.1];
        double[] targets = [1.5, 3.0, /**/ 0.5, -0.5];
        using var predictions = torch.tensor(outputs, [2, 6], torch.ScalarType.Float64);
        using var target = torch.tensor(targets, [2, 2], torch.ScalarType.Float64);

        double mse = 0, pinball = 0;
        double[] levels = [0.1, 0.9];
        for (int k = 0; k < 4; k++)
        {
            mse += Math.Pow(outputs[3 * k] - targets[k], 2) / 4;
            for (int q = 0; q < 2; q++)
            {
                double e = targets[k] - outputs[3 * k + 1 + q];
                pinball += Math.Max(levels[q] * e, (levels[q] - 1) * e) / 8;
            }
        }

        var loss = Loss.Quantile(levels);
        using var value = loss.Compute(predictions, target);
        Assert.Equal(mse + pinball, value.item<double>(), 12);
        Assert.Equal(3, loss.OutputsPerStep);
        Assert.Equal("mse+pinball(0.1,0.9)", loss.Name);

        var quantilesOnly = Loss.Quantile(levels, withPoint: false);
        using var onlyQuantiles = torch.tensor(new double[] { 0.5, 2.0, 3.5, 4.0, -2.0, 0.0, 0.2, 0.1 }, [2, 4], torch.ScalarType.Float64);
        using var pinballOnly = quantilesOnly.Compute(onlyQuantiles, target);
        Assert.Equal(pinball, pinballOnly.item<double>(), 12);
    }

    [Fact]
    public void The_logged_mae_reads_only_the_point_outputs()
    {
        var metric = Assert.Single(Loss.Quantile([0.5]).DefaultMetrics);
        using var predictions = torch.tensor(new double[] { 1.0, 100.0, 2.0, -100.0 }, [2, 2], torch.ScalarType.Float64);
        using var targets = torch.tensor(new double[] { 0.0, 4.0 }, [2, 1], torch.ScalarType.Float64);
        using var sum = metric.BatchStatistics(predictions, targets);
        Assert.Equal("mae", metric.Name);
        Assert.Equal(1.5, metric.Result([sum.item<double>()], 2), 12);
    }

    [Theory]
    [InlineData(new[] { 0.1, 1.0 }, "quantile level 1 is 1;")]
    [InlineData(new[] { 0.0, 0.5 }, "quantile level 0 is 0;")]
    [InlineData(new[] { 0.5, 0.1 }, "quantile level 1 is 0.1, not above the level before it (0.5)")]
    [InlineData(new[] { 0.5, 0.5 }, "quantile level 1 is 0.5, not above")]
    [InlineData(new[] { 0.2, double.NaN }, "quantile level 1 is NaN;")]
    [InlineData(new double[0], "at least one quantile level")]
    public void Bad_levels_are_named_in_the_exception(double[] levels, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => Loss.Quantile(levels));
        Assert.Contains(message, error.Message);
        Assert.Equal("quantiles", error.ParamName);

        var options = new ForecastExperimentOptions { Quantiles = levels };
        var fromOptions = Assert.Throws<ArgumentException>(() => ForecastExperiment.Run(options, TextWriter.Null));
        Assert.Contains(message, fromOptions.Message);
        Assert.Equal("Quantiles", fromOptions.ParamName);
    }

    [Fact]
    public void A_model_output_that_does_not_hold_a_point_and_every_quantile_per_step_is_rejected_with_the_shape_it_needs()
    {
        var loss = Loss.Quantile([0.1, 0.9]);
        using var predictions = torch.zeros(4, 3);
        using var targets = torch.zeros(4, 2);
        var error = Assert.Throws<ArgumentException>(() => loss.CheckPredictions(predictions, targets, [targets]));
        Assert.Contains("[4, 6]", error.Message);
        Assert.Contains("a point forecast and 2 quantiles per horizon step", error.Message);
    }

    [Fact]
    public void Quantiles_next_to_a_custom_loss_are_refused_rather_than_silently_replacing_it()
    {
        var options = new ForecastExperimentOptions { Quantiles = [0.1, 0.9], Training = new TrainingOptions { Loss = Loss.Mae } };
        var error = Assert.Throws<ArgumentException>(() => ForecastExperiment.Run(options, TextWriter.Null));
        Assert.Contains("Training.Loss must stay at its default (mse) but is mae", error.Message);
    }
}
