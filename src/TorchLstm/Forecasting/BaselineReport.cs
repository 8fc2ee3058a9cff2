using Microsoft.Data.Analysis;
using TorchLstm.Data;
using TorchLstm.Experiments;

namespace TorchLstm.Forecasting;

/// <summary>
/// A trained network against every standard baseline on its own test windows, with the paired test against the
/// best of them: the report a single train/test split owes its reader.
/// </summary>
public static class BaselineReport
{
    /// <summary>
    /// The baselines for data of this frequency, fitted on the training rows only: persistence, seasonal naive (7 for
    /// daily, 12 for monthly series), drift over the window, climatology (by day of year for daily, month otherwise; only
    /// with timestamps) and the ridge autoregression on the network's own windows, its penalty chosen on the validation windows.
    /// </summary>
    /// <param name="data">The network's prepared data.</param>
    /// <param name="table">The table the data were prepared from (for the training rows' dates).</param>
    /// <exception cref="ArgumentException">The table's length differs from the data's split.</exception>
    public static IReadOnlyList<IForecaster> Fit(ForecastData data, TimeSeriesTable table)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(table);
        if (table.Length != data.Split.Total)
            throw new ArgumentException($"the data were prepared from {data.Split.Total} rows; the table has {table.Length}", nameof(table));
        int lookback = data.Options.Lookback, horizon = data.Options.Horizon;
        var frequency = table.Timestamps is { Count: >= 2 } stamps ? SeriesFrequency.Infer(stamps) : null;
        using var training = table.Slice(0, data.Split.TrainCount);
        var baselines = ForecasterTrainer.StandardBaselines(frequency, lookback, horizon).Select(b => b.Fit(training, seed: 0)).ToList();
        baselines.Add(data.Validation is null ? RidgeAutoregression.Fit(data) : RidgeAutoregression.FitSelectingPenalty(data));
        return baselines;
    }

    /// <summary>
    /// The network of <paramref name="result"/> and every baseline of <see cref="Fit"/> on the test windows: the frame of
    /// <see cref="ForecastComparison.Compare"/> (each row's Diebold–Mariano test is against the best baseline) and that
    /// baseline's name.
    /// </summary>
    /// <param name="result">A finished experiment with a test set.</param>
    /// <param name="table">The table its data were prepared from.</param>
    /// <exception cref="ArgumentException">The result has no test set.</exception>
    public static (DataFrame Table, string BestBaseline) Compare(ForecastResult result, TimeSeriesTable table)
    {
        ArgumentNullException.ThrowIfNull(result);
        var data = result.Data;
        var testSet = data.Test ?? throw new ArgumentException("the report compares on the test windows; the result has none", nameof(result));
        var baselines = Fit(data, table);
        IForecaster network = result.Quantiles is null ? NetworkForecaster.FromResult(result) : QuantileNetworkForecaster.FromResult(result);
        using var test = ForecastWindows.FromData(data, testSet);
        using var training = table.Slice(0, data.Split.TrainCount);
        double scale = ForecastMetrics.NaiveScale(training);
        var truth = ForecastMetrics.Flatten(result.Truth);
        string best = baselines
            .Select(b => (b.Name, Rmse: Training.Metrics.Rmse(ForecastMetrics.Flatten(b.Predict(test)), truth)))
            .OrderBy(x => x.Rmse).First().Name;
        return (ForecastComparison.Compare([network, .. baselines], test, result.Truth, scale, reference: best), best);
    }
}
