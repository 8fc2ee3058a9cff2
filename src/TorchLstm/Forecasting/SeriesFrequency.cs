using System.Globalization;
using TorchLstm.Data;

namespace TorchLstm.Forecasting;

/// <summary>
/// How far apart a series' timestamps are: a fixed interval (daily, hourly, weekly …) or a whole number
/// of calendar months, anchored to a day of the month or to the month's end (so 31 January is followed
/// by 29 February in a leap year, then 31 March). Inferred from the timestamps; used to date forecasts
/// past the data and to find gaps.
/// </summary>
public sealed record SeriesFrequency
{
    private SeriesFrequency(TimeSpan interval, int months, bool monthEnd)
    {
        Interval = interval;
        Months = months;
        MonthEnd = monthEnd;
    }

    /// <summary>The fixed interval between rows; zero for a month-based frequency.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Calendar months between rows (1 monthly, 3 quarterly, 12 yearly); 0 for a fixed interval.</summary>
    public int Months { get; }

    /// <summary>Whether a month-based series sits on the last day of each month.</summary>
    public bool MonthEnd { get; }

    /// <summary>One row per day.</summary>
    public static SeriesFrequency Daily { get; } = new(TimeSpan.FromDays(1), 0, false);

    /// <summary>One row per calendar month on the same day of the month (for example the 1st).</summary>
    public static SeriesFrequency Monthly { get; } = new(TimeSpan.Zero, 1, false);

    /// <summary>One row per calendar month on its last day.</summary>
    public static SeriesFrequency MonthlyAtMonthEnd { get; } = new(TimeSpan.Zero, 1, true);

    /// <summary>A fixed interval between rows.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The interval is not positive.</exception>
    public static SeriesFrequency Every(TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), interval, "the interval must be positive");
        return new SeriesFrequency(interval, 0, false);
    }

    /// <summary>A whole number of calendar months between rows.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number of months is below 1.</exception>
    public static SeriesFrequency EveryMonths(int months, bool monthEnd = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(months, 1);
        return new SeriesFrequency(TimeSpan.Zero, months, monthEnd);
    }

    /// <summary>The timestamp <paramref name="steps"/> rows after <paramref name="time"/> (negative goes back).</summary>
    public DateTime Advance(DateTime time, int steps)
    {
        if (Months == 0) return time + steps * Interval;
        var moved = time.AddMonths(steps * Months);
        return MonthEnd ? new DateTime(moved.Year, moved.Month, DateTime.DaysInMonth(moved.Year, moved.Month), time.Hour, time.Minute, time.Second, time.Kind) : moved;
    }

    /// <summary>How many rows of this frequency lie from <paramref name="from"/> to <paramref name="to"/>, or null when <paramref name="to"/> is not on the grid that starts at <paramref name="from"/>.</summary>
    public long? StepsBetween(DateTime from, DateTime to)
    {
        if (Months == 0)
        {
            long ticks = (to - from).Ticks;
            return ticks % Interval.Ticks == 0 ? ticks / Interval.Ticks : null;
        }
        int monthDifference = (to.Year - from.Year) * 12 + to.Month - from.Month;
        if (monthDifference % Months != 0 || to.TimeOfDay != from.TimeOfDay) return null;
        bool aligned = MonthEnd ? IsMonthEnd(to) : to.Day == from.Day;
        return aligned ? monthDifference / Months : null;
    }

    /// <summary>The <paramref name="count"/> timestamps after <paramref name="last"/>.</summary>
    public DateTime[] Following(DateTime last, int count) => Enumerable.Range(1, count).Select(k => Advance(last, k)).ToArray();

    /// <summary>
    /// Infers the frequency from at least two increasing timestamps: month-based when every timestamp is on the
    /// same day of the month or every one is a month end (the most common month step), otherwise the most
    /// common interval. Gaps (a step that is a whole multiple of the frequency) are allowed here.
    /// </summary>
    /// <exception cref="DataValidationException">Fewer than two timestamps, timestamps not strictly increasing, or rows off the inferred grid;
    /// the message names the rows (1-based), their dates and the frequency expected.</exception>
    public static SeriesFrequency Infer(IReadOnlyList<DateTime> timestamps)
    {
        ArgumentNullException.ThrowIfNull(timestamps);
        if (timestamps.Count < 2)
            throw new DataValidationException($"a frequency needs at least two timestamps; got {timestamps.Count}");
        for (int i = 1; i < timestamps.Count; i++)
            if (timestamps[i] <= timestamps[i - 1])
                throw new DataValidationException(
                    $"timestamps must increase: row {i + 1} ({Format(timestamps[i])}) does not come after row {i} ({Format(timestamps[i - 1])}); sort the rows and remove duplicates",
                    row: i + 1);

        var frequency = Candidate(timestamps);
        var offGrid = new List<int>();
        for (int i = 1; i < timestamps.Count; i++)
            if (frequency.StepsBetween(timestamps[i - 1], timestamps[i]) is null) offGrid.Add(i);
        if (offGrid.Count > 0)
        {
            var shown = offGrid.Take(5).Select(i => $"row {i + 1} ({Format(timestamps[i])}, after {Format(timestamps[i - 1])})");
            throw new DataValidationException(
                $"irregular timestamps: the series looks {frequency}, but {offGrid.Count} row(s) are off that grid: {string.Join(", ", shown)}" +
                (offGrid.Count > 5 ? ", …" : "") + "; resample the series to one frequency first",
                row: offGrid[0] + 1);
        }
        return frequency;
    }

    /// <summary>A short description, e.g. <c>daily</c>, <c>monthly (month end)</c> or <c>every 06:00:00</c>.</summary>
    public override string ToString()
    {
        if (Months > 0)
        {
            string name = Months switch { 1 => "monthly", 3 => "quarterly", 12 => "yearly", _ => $"every {Months} months" };
            return MonthEnd ? $"{name} (month end)" : name;
        }
        if (Interval == TimeSpan.FromDays(1)) return "daily";
        if (Interval == TimeSpan.FromDays(7)) return "weekly";
        if (Interval == TimeSpan.FromHours(1)) return "hourly";
        return $"every {Interval.ToString("c", CultureInfo.InvariantCulture)}";
    }

    private static SeriesFrequency Candidate(IReadOnlyList<DateTime> timestamps)
    {
        bool sameDay = timestamps.All(t => t.Day == timestamps[0].Day && t.TimeOfDay == timestamps[0].TimeOfDay);
        bool monthEnds = timestamps.All(t => IsMonthEnd(t) && t.TimeOfDay == timestamps[0].TimeOfDay);
        if (sameDay || monthEnds)
        {
            int months = MostCommon(Enumerable.Range(1, timestamps.Count - 1)
                .Select(i => (timestamps[i].Year - timestamps[i - 1].Year) * 12 + timestamps[i].Month - timestamps[i - 1].Month));
            // Month ends on the 31st are also "the same day" of every 31-day month; the month-end anchor is the one that fits.
            return new SeriesFrequency(TimeSpan.Zero, months, monthEnds && (!sameDay || timestamps[0].Day >= 28));
        }
        var interval = MostCommon(Enumerable.Range(1, timestamps.Count - 1).Select(i => timestamps[i] - timestamps[i - 1]));
        return new SeriesFrequency(interval, 0, false);
    }

    private static T MostCommon<T>(IEnumerable<T> values) where T : notnull =>
        values.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;

    private static bool IsMonthEnd(DateTime t) => t.Day == DateTime.DaysInMonth(t.Year, t.Month);

    internal static string Format(DateTime t) =>
        t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
