using TorchLstm.Data;
using TorchLstm.Forecasting;
using TorchSharp;

namespace TorchLstm.Tests.Forecasting;

public class DifferencedForecasterTests
{
    private static TimeSeriesTable Squares(int rows) => TestSeries.Squares(rows, monthly: true);

    private sealed class ShiftedQuantiles(double width) : IProbabilisticForecaster
    {
        public string Name => "band";
        public int Lookback => 1;
        public int Horizon => 1;
        public IReadOnlyList<double> Quantiles { get; } = [0.1, 0.9];
        public double[,] Predict(ForecastWindows windows) => new Persistence().Predict(windows);

        public double[,,] PredictQuantiles(ForecastWindows windows)
        {
            var point = Predict(windows);
            var result = new double[windows.Count, 1, 2];
            for (int i = 0; i < windows.Count; i++) (result[i, 0, 0], result[i, 0, 1]) = (point[i, 0] - width, point[i, 0] + width);
            return result;
        }
    }

    [Fact]
    public void Differencing_replaces_the_target_by_its_changes_and_drops_the_first_row()
    {
        using var table = Squares(5);
        using var differences = DifferencedForecaster.Difference(table);
        // Rows 1…4: Δ(t²) = 2t − 1 and the other column as it was.
        Assert.Equal([1f, 11f, 3f, 12f, 5f, 13f, 7f, 14f], differences.Values.data<float>().ToArray());
        Assert.Equal(new DateTime(2020, 2, 1), differences.Timestamps![0]);
        Assert.Contains("differencing needs at least 2 rows", Assert.Throws<ArgumentException>(() =>
        {
            using var one = table.Slice(0, 1);
            DifferencedForecaster.Difference(one);
        }).Message);
    }

    [Fact]
    public void Forecasts_of_the_changes_are_summed_onto_the_last_level()
    {
        using var table = Squares(12);
        using var windows = new ForecastWindows(table.Values.narrow(0, 7, 4).unsqueeze(0).clone(), 0);

        // Persistence of the last change 2·10 − 1 = 19 after y = 100, over two steps: 119, 138.
        using var twoSteps = DifferencedForecaster.Wrap(new Persistence(2));
        Assert.Equal(2, twoSteps.Lookback);
        Assert.Equal("persistence_diff", twoSteps.Name);
        Assert.Equal(new double[,] { { 119, 138 } }, twoSteps.Predict(windows));
        Assert.IsNotAssignableFrom<IProbabilisticForecaster>(twoSteps);

        // Quantiles of the next change, shifted by the last level: 19 ± 5 after 100.
        var oneStep = Assert.IsAssignableFrom<IProbabilisticForecaster>(DifferencedForecaster.Wrap(new ShiftedQuantiles(5)));
        var quantiles = oneStep.PredictQuantiles(windows);
        Assert.Equal(114, quantiles[0, 0, 0], 9);
        Assert.Equal(124, quantiles[0, 0, 1], 9);
    }

    [Fact]
    public void A_differenced_trainer_fits_on_changes_and_extrapolates_a_trend_that_a_level_model_cannot()
    {
        // A straight line 3t + 1: ridge on differences sees a constant 3 and extrapolates exactly; climatology of levels cannot.
        var line = Enumerable.Range(0, 120).Select(t => 3f * t + 1).ToArray();
        var dates = Enumerable.Range(0, 120).Select(i => new DateTime(2000, 1, 1).AddMonths(i)).ToArray();
        using var table = TimeSeriesTable.FromTensor(torch.tensor(line), ["y"], 0, dates);
        var result = Backtest.Run(table,
            [ForecasterTrainer.Differenced(ForecasterTrainer.Ridge(6)), ForecasterTrainer.Climatology(ClimatologyPeriod.MonthOfYear)],
            options: new BacktestOptions { Folds = 3, Step = 4 });

        Assert.Equal("ridge_ar_diff", result.BestBaseline);
        var ridge = result.RunsOf("ridge_ar_diff")[0];
        for (int w = 0; w < 12; w++) Assert.Equal(result.Actual[w, 0], ridge.Forecasts[w, 0], 3);
    }
}
