using Microsoft.Data.Analysis;
using TorchLstm.Forecasting;
using TorchSharp;

namespace TorchLstm.Tests.Forecasting;

public class ForecastComparisonTests
{
    [Fact]
    public void The_comparison_frame_holds_each_forecasters_metrics_and_its_paired_test_against_the_reference()
    {
        // A noisy upward line: drift follows it, persistence lags one step behind.
        var generator = new Random(7);
        var series = Enumerable.Range(0, 80).Select(t => 0.5 * t + generator.NextDouble()).ToArray();
        int lookback = 10, count = series.Length - lookback;
        var inputs = new float[count * lookback];
        var actual = new double[count, 1];
        for (int i = 0; i < count; i++)
        {
            for (int k = 0; k < lookback; k++) inputs[i * lookback + k] = (float)series[i + k];
            actual[i, 0] = series[i + lookback];
        }
        using var windows = new ForecastWindows(torch.tensor(inputs, [count, lookback, 1]), 0);
        IForecaster[] forecasters = [new Drift(lookback), new Persistence()];

        var frame = ForecastComparison.Compare(forecasters, windows, actual, maseScale: 0.5, reference: "drift");

        Assert.Equal(new[] { "drift", "persistence" }, ((StringDataFrameColumn)frame.Columns["model"]).ToArray());
        var persistence = ForecastMetrics.Flatten(new Persistence().Predict(windows));
        var drift = ForecastMetrics.Flatten(new Drift(lookback).Predict(windows));
        var truth = ForecastMetrics.Flatten(actual);
        Assert.Equal(TorchLstm.Training.Metrics.Rmse(persistence, truth), (double)frame.Columns["rmse"][1]!, 12);
        Assert.Equal(ForecastMetrics.Mase(drift, truth, 0.5), (double)frame.Columns["mase"][0]!, 12);
        Assert.True(double.IsNaN((double)frame.Columns["dm_pvalue"][0]!));
        var dm = DieboldMariano.Test(persistence, drift, truth);
        Assert.Equal(dm.Statistic, (double)frame.Columns["dm_statistic"][1]!, 12);
        Assert.True(dm.Statistic > 0 && dm.PValue < 0.05, $"persistence should lose to drift on a trend: {dm}");

        Assert.Contains("no forecaster is named 'ridge_ar'", Assert.Throws<ArgumentException>(() => ForecastComparison.Compare(forecasters, windows, actual, reference: "ridge_ar")).Message);
    }
}
