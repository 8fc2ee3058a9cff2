using Microsoft.Data.Analysis;

namespace TorchLstm.Forecasting;

/// <summary>Several forecasters on the same windows: one row each of accuracy and a paired test against a reference.</summary>
public static class ForecastComparison
{
    /// <summary>
    /// Forecasts <paramref name="windows"/> with every forecaster and returns a frame with columns <c>model</c>,
    /// <c>rmse</c>, <c>mae</c>, <c>mape</c>, <c>smape</c>, <c>mase</c> (over every window and step) and
    /// <c>dm_statistic</c>, <c>dm_pvalue</c>: the <see cref="DieboldMariano"/> test of each forecaster against
    /// <paramref name="reference"/> on the forecasts of the last horizon step (a positive statistic means the
    /// row's forecaster has the larger squared error; the reference's own row is NaN).
    /// </summary>
    /// <param name="forecasters">The forecasters, all of the same horizon H; names must differ.</param>
    /// <param name="windows">The windows to forecast.</param>
    /// <param name="actual">The observed values, [window, step], H steps per window.</param>
    /// <param name="maseScale">The MASE denominator (<see cref="ForecastMetrics.NaiveScale(IReadOnlyList{double}, int)"/> of the training target); null leaves MASE NaN.</param>
    /// <param name="reference">Name of the forecaster the others are tested against; the first when null.</param>
    /// <exception cref="ArgumentException">No forecaster, names repeated, horizons that differ from each other or from <paramref name="actual"/>, or an unknown reference.</exception>
    public static DataFrame Compare(IReadOnlyList<IForecaster> forecasters, ForecastWindows windows, double[,] actual, double? maseScale = null, string? reference = null)
    {
        ArgumentNullException.ThrowIfNull(forecasters);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(actual);
        if (forecasters.Count == 0) throw new ArgumentException("give at least one forecaster", nameof(forecasters));
        var repeated = forecasters.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"two forecasters are named '{repeated.Key}'; names must differ", nameof(forecasters));
        int horizon = actual.GetLength(1);
        var mismatch = forecasters.FirstOrDefault(f => f.Horizon != horizon);
        if (mismatch is not null || actual.GetLength(0) != windows.Count)
            throw new ArgumentException(
                $"every forecaster must forecast the {horizon} step(s) of the actual values for each of the {windows.Count} windows; " +
                (mismatch is null ? $"the actual values have {actual.GetLength(0)} rows" : $"'{mismatch.Name}' forecasts {mismatch.Horizon}"), nameof(actual));
        reference ??= forecasters[0].Name;
        if (!forecasters.Any(f => f.Name == reference))
            throw new ArgumentException($"no forecaster is named '{reference}'; the names are {string.Join(", ", forecasters.Select(f => f.Name))}", nameof(reference));

        var forecasts = forecasters.ToDictionary(f => f.Name, f => f.Predict(windows));
        var truth = ForecastMetrics.Flatten(actual);
        var lastStepTruth = LastStep(actual);
        var lastStepReference = LastStep(forecasts[reference]);
        var names = new StringDataFrameColumn("model");
        var columns = new[] { "rmse", "mae", "mape", "smape", "mase", "dm_statistic", "dm_pvalue" }.Select(n => new DoubleDataFrameColumn(n)).ToArray();
        foreach (var forecaster in forecasters)
        {
            var predicted = forecasts[forecaster.Name];
            var accuracy = ForecastMetrics.Evaluate(ForecastMetrics.Flatten(predicted), truth, maseScale);
            var dm = forecaster.Name == reference ? null : DieboldMariano.Test(LastStep(predicted), lastStepReference, lastStepTruth, horizon);
            names.Append(forecaster.Name);
            double[] row = [accuracy.Rmse, accuracy.Mae, accuracy.Mape, accuracy.Smape, accuracy.Mase, dm?.Statistic ?? double.NaN, dm?.PValue ?? double.NaN];
            for (int c = 0; c < columns.Length; c++) columns[c].Append(row[c]);
        }
        return new DataFrame([names, .. columns]);
    }

    private static double[] LastStep(double[,] values) =>
        Enumerable.Range(0, values.GetLength(0)).Select(i => values[i, values.GetLength(1) - 1]).ToArray();
}
