using TorchLstm.Data;
using static TorchSharp.torch;

namespace TorchLstm.Forecasting;

/// <summary>Which calendar position <see cref="Climatology"/> averages over.</summary>
public enum ClimatologyPeriod
{
    /// <summary>Calendar day (month and day, so 1 March is the same day in leap and common years; 29 February is its own day).</summary>
    DayOfYear,

    /// <summary>Calendar month.</summary>
    MonthOfYear,
}

/// <summary>
/// Climatology: every future value is the mean of the training values observed on the same calendar day
/// (or month). It ignores the window and reads only the timestamps of the values to forecast, so it is
/// the bar for "knows the season" rather than "knows yesterday".
/// </summary>
public sealed class Climatology : IForecaster
{
    private readonly double[] means;

    private Climatology(ClimatologyPeriod period, double[] means, double overallMean, int horizon)
    {
        Period = period;
        this.means = means;
        OverallMean = overallMean;
        Horizon = horizon;
    }

    /// <summary>The calendar position averaged over.</summary>
    public ClimatologyPeriod Period { get; }

    /// <summary>Mean of all training values: the forecast for a calendar day (or month) the training part never saw.</summary>
    public double OverallMean { get; }

    /// <inheritdoc />
    public string Name => Period == ClimatologyPeriod.DayOfYear ? "climatology_day" : "climatology_month";

    /// <inheritdoc />
    public int Lookback => 1;

    /// <inheritdoc />
    public int Horizon { get; }

    /// <summary>Learns the calendar means of the target column of <paramref name="training"/>, which must be the training part only.</summary>
    /// <param name="training">The rows to average (with timestamps).</param>
    /// <param name="period">Day of year or month of year.</param>
    /// <param name="horizon">Number of steps forecast.</param>
    /// <exception cref="ArgumentException">The table has no timestamps.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The horizon is below 1.</exception>
    public static Climatology Fit(TimeSeriesTable training, ClimatologyPeriod period = ClimatologyPeriod.DayOfYear, int horizon = 1)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (training.Timestamps is null)
            throw new ArgumentException("climatology needs the training table's timestamps; load it with a date column", nameof(training));
        using var target = training.Values.select(1, training.TargetIndex).to(ScalarType.Float64).contiguous();
        return Fit(training.Timestamps, target.data<double>().ToArray(), period, horizon);
    }

    /// <summary>Learns the calendar means of <paramref name="values"/> observed at <paramref name="timestamps"/>.</summary>
    /// <exception cref="ArgumentException">The arrays are empty, of different lengths, or hold a non-finite value.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The horizon is below 1.</exception>
    public static Climatology Fit(IReadOnlyList<DateTime> timestamps, IReadOnlyList<double> values, ClimatologyPeriod period = ClimatologyPeriod.DayOfYear, int horizon = 1)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        if (values.Count == 0 || timestamps.Count != values.Count)
            throw new ArgumentException($"climatology needs one timestamp per value and at least one value; got {timestamps.Count} timestamps and {values.Count} values", nameof(values));
        int slots = period == ClimatologyPeriod.DayOfYear ? 366 : 12;
        var sums = new double[slots];
        var counts = new int[slots];
        double total = 0;
        for (int i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"value {i} is {values[i]}; climatology needs finite values", nameof(values));
            int slot = Slot(timestamps[i], period);
            sums[slot] += values[i];
            counts[slot]++;
            total += values[i];
        }
        double overall = total / values.Count;
        var means = new double[slots];
        for (int s = 0; s < slots; s++) means[s] = counts[s] > 0 ? sums[s] / counts[s] : overall;
        return new Climatology(period, means, overall, horizon);
    }

    /// <summary>The climatological value for <paramref name="timestamp"/>.</summary>
    public double ValueAt(DateTime timestamp) => means[Slot(timestamp, Period)];

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The windows carry no target timestamps, or fewer than <see cref="Horizon"/> per window.</exception>
    public double[,] Predict(ForecastWindows windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var stamps = windows.TargetTimestamps;
        if (stamps is null || stamps.GetLength(1) < Horizon)
            throw new ArgumentException(
                $"climatology forecasts from the dates of the values to forecast: the windows need target timestamps, [window, {Horizon} steps]", nameof(windows));
        var forecasts = new double[windows.Count, Horizon];
        for (int i = 0; i < forecasts.GetLength(0); i++)
            for (int h = 0; h < Horizon; h++)
                forecasts[i, h] = ValueAt(stamps[i, h]);
        return forecasts;
    }

    // Days are numbered on a leap-year calendar, so a date keeps its slot whatever the year.
    private static int Slot(DateTime time, ClimatologyPeriod period) =>
        period == ClimatologyPeriod.MonthOfYear ? time.Month - 1 : new DateTime(2000, time.Month, time.Day).DayOfYear - 1;
}
