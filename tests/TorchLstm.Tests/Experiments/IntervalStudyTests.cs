using TorchLstm.Data;
using TorchLstm.Experiments;
using TorchLstm.Forecasting;
using TorchLstm.Training;
using TorchSharp;

namespace TorchLstm.Tests.Experiments;

public class IntervalStudyTests
{
    private static TimeSeriesTable RandomWalk(int rows, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows];
        for (int t = 1; t < rows; t++) values[t] = values[t - 1] + (float)(2 * random.NextDouble() - 1);
        return TimeSeriesTable.FromTensor(torch.tensor(values));
    }

    [Fact]
    public void Persistence_with_empirical_intervals_is_fitted_on_the_last_part_of_each_history()
    {
        double[] levels = [0.1, 0.9];
        using var history = RandomWalk(300, 1);
        var trainer = IntervalStudy.EmpiricalPersistence(levels, lookback: 5);
        Assert.True(trainer.IsDeterministic);
        var forecaster = Assert.IsAssignableFrom<IProbabilisticForecaster>(trainer.Fit(history, 0));
        var intervals = Assert.IsType<EmpiricalIntervals>(forecaster);
        Assert.Equal(60, intervals.CalibrationCount);
        // The offsets are the quantiles (linear interpolation) of the one-step changes over the last 60 rows.
        var v = history.Values.select(1, 0).to(torch.float64).data<double>().ToArray();
        var steps = Enumerable.Range(240, 60).Select(t => v[t] - v[t - 1]).Order().ToArray();
        double Quantile(double q)
        {
            double position = q * (steps.Length - 1);
            int below = (int)position;
            return steps[below] + (position - below) * (steps[below + 1] - steps[below]);
        }
        Assert.Equal(Quantile(0.1), intervals.Offsets[0, 0], 1e-4);
        Assert.Equal(Quantile(0.9), intervals.Offsets[0, 1], 1e-4);
    }

    [Fact]
    public void A_quantile_network_trainer_gives_an_owning_probabilistic_forecaster_raw_or_conformalized()
    {
        using var history = RandomWalk(200, 2);
        var options = new ForecastExperimentOptions
        {
            Quantiles = [0.1, 0.9],
            HiddenSizes = [4],
            Data = new ForecastDataOptions { Lookback = 5, TestFraction = 0 },
            Training = new TrainingOptions { Epochs = 1, Progress = ProgressMode.None },
        };
        foreach (bool conformalize in new[] { false, true })
        {
            var forecaster = IntervalStudy.QuantileNetwork(options, "q", conformalize).Fit(history, 3);
            var probabilistic = Assert.IsAssignableFrom<IProbabilisticForecaster>(forecaster);
            Assert.Equal([0.1, 0.9], probabilistic.Quantiles);
            using var windows = new ForecastWindows(torch.randn(4, 5, 1), 0);
            var quantiles = probabilistic.PredictQuantiles(windows);
            Assert.Equal(4, quantiles.GetLength(0));
            Assert.All(Enumerable.Range(0, 4), i => Assert.True(quantiles[i, 0, 1] >= quantiles[i, 0, 0]));
            Assert.Equal(conformalize ? "q+conformal" : "q", forecaster.Name);
            Assert.IsAssignableFrom<IDisposable>(forecaster).Dispose();
        }
        Assert.Throws<ArgumentException>(() => IntervalStudy.QuantileNetwork(options with { Quantiles = null }, "q"));
    }
}
