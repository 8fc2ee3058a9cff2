using Microsoft.Data.Analysis;
using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Forecasting;

/// <summary>Forecasting past the end of the data.</summary>
public static class FutureForecast
{
    /// <summary>Name of the timestamp column of the returned frame (or <c>step</c>, 1-based, when the history has no timestamps).</summary>
    public const string DateColumn = "date";

    /// <summary>
    /// Forecasts the <paramref name="steps"/> values of the target that follow the end of
    /// <paramref name="history"/>, with their dates, on the original scale.
    /// </summary>
    /// <remarks>
    /// <para>When <paramref name="steps"/> ≤ the forecaster's horizon the forecast is direct: one call on the
    /// last window, its first <paramref name="steps"/> values. Beyond that it is recursive: the forecasts are
    /// appended to the window as if observed and the forecaster runs again, a horizon at a time. Recursion
    /// needs every input of the next window, so it works only for a history whose only column is the target;
    /// with other features the future values of those features are unknown and a forecaster of a longer
    /// horizon is needed.</para>
    /// <para>The dates continue the history's frequency (<see cref="SeriesFrequency.Infer"/>, or
    /// <paramref name="frequency"/>): 2015-12-31 in a daily series is followed by 2016-01-01, 1958-03-01
    /// in a monthly one by 1958-04-01, and 2020-01-31 in a month-end one by 2020-02-29.</para>
    /// </remarks>
    /// <param name="forecaster">Any forecaster: a baseline or a <see cref="NetworkForecaster"/>.</param>
    /// <param name="history">The data so far, the same columns the forecaster was fitted on.</param>
    /// <param name="steps">How many future values, at least 1.</param>
    /// <param name="frequency">The series' frequency; inferred from the history's timestamps when null.</param>
    /// <returns>A frame with a <see cref="DateColumn"/> column (DateTime; <c>step</c> when the history has no
    /// timestamps) and a column named after the target holding the forecasts.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The history is shorter than the forecaster's lookback, or a recursive forecast needs features other than the target.</exception>
    /// <exception cref="DataValidationException">The history's timestamps are irregular (the message names the rows).</exception>
    public static DataFrame Forecast(this IForecaster forecaster, TimeSeriesTable history, int steps, SeriesFrequency? frequency = null)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        int lookback = forecaster.Lookback, horizon = forecaster.Horizon;
        if (history.Length < lookback)
            throw new ArgumentException($"{forecaster.Name} reads windows of {lookback} rows; the history has {history.Length}", nameof(history));
        if (steps > horizon && history.FeatureCount > 1)
            throw new ArgumentException(
                $"{forecaster.Name} forecasts {horizon} step(s) at a time; forecasting {steps} steps recursively would need the future values of " +
                $"{string.Join(", ", history.Columns.Where((_, i) => i != history.TargetIndex).Select(c => $"'{c}'"))}. " +
                $"Use a forecaster with a horizon of at least {steps}, or a history of the target alone",
                nameof(steps));

        DateTime[]? dates = null;
        if (history.Timestamps is { } stamps)
        {
            frequency ??= SeriesFrequency.Infer(stamps);
            dates = frequency.Following(stamps[^1], steps + horizon);
        }

        var window = new List<float>(lookback * history.FeatureCount);
        using (var tail = history.Values.narrow(0, history.Length - lookback, lookback).contiguous())
            window.AddRange(tail.data<float>().ToArray());
        var forecasts = new List<double>(steps);
        while (forecasts.Count < steps)
        {
            DateTime[,]? targetDates = null;
            if (dates is not null)
            {
                targetDates = new DateTime[1, horizon];
                for (int h = 0; h < horizon; h++) targetDates[0, h] = dates[forecasts.Count + h];
            }
            double[,] next;
            using (var windows = new ForecastWindows(torch.tensor(window.ToArray(), [1, lookback, history.FeatureCount]), history.TargetIndex, targetDates))
                next = forecaster.Predict(windows);
            for (int h = 0; h < horizon && forecasts.Count < steps; h++)
            {
                forecasts.Add(next[0, h]);
                if (forecasts.Count == steps) break;
                // Only a target-only history gets here (checked above), so a row is the forecast alone.
                window.RemoveAt(0);
                window.Add((float)next[0, h]);
            }
        }

        DataFrameColumn index = dates is null
            ? new Int32DataFrameColumn("step", Enumerable.Range(1, steps))
            : new PrimitiveDataFrameColumn<DateTime>(DateColumn, dates.Take(steps));
        return new DataFrame(index, new DoubleDataFrameColumn(history.TargetColumn, forecasts));
    }
}
