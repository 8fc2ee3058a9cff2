using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>Calendar columns that <see cref="CalendarColumns.WithCalendar"/> can add: known in advance for any date, past or future.</summary>
[Flags]
public enum CalendarFeatures
{
    /// <summary>No calendar column.</summary>
    None = 0,

    /// <summary><c>doy_sin</c> and <c>doy_cos</c>: the position in the year, 2π · (day of year − 1) / 365.25, as sine and cosine.</summary>
    DayOfYear = 1,

    /// <summary><c>month_sin</c> and <c>month_cos</c>: the month, 2π · (month − 1) / 12, as sine and cosine.</summary>
    MonthOfYear = 2,
}

/// <summary>Adds calendar covariates to a table with timestamps.</summary>
public static class CalendarColumns
{
    /// <summary>
    /// A new table with the columns of <paramref name="features"/> appended after the table's own (sine and cosine, so
    /// that 31 December and 1 January are neighbours); the target stays the target.
    /// </summary>
    /// <param name="table">A table with timestamps.</param>
    /// <param name="features">Which calendar columns; <see cref="CalendarFeatures.None"/> returns a copy.</param>
    /// <exception cref="ArgumentException">The table has no timestamps, or already has a column of one of the new names.</exception>
    public static TimeSeriesTable WithCalendar(this TimeSeriesTable table, CalendarFeatures features)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (features == CalendarFeatures.None) return table.Slice(0, table.Length);
        var stamps = table.Timestamps
            ?? throw new ArgumentException("calendar columns need the table's timestamps; give a date column when reading the data", nameof(table));
        var names = new List<string>();
        var columns = new List<Func<DateTime, double>>();
        if (features.HasFlag(CalendarFeatures.DayOfYear))
            Add("doy", t => 2 * Math.PI * (t.DayOfYear - 1) / 365.25);
        if (features.HasFlag(CalendarFeatures.MonthOfYear))
            Add("month", t => 2 * Math.PI * (t.Month - 1) / 12.0);
        var clash = names.FirstOrDefault(n => table.Columns.Contains(n, StringComparer.Ordinal));
        if (clash is not null)
            throw new ArgumentException($"the table already has a column named '{clash}'", nameof(table));

        var extra = new float[stamps.Count * columns.Count];
        for (int r = 0; r < stamps.Count; r++)
            for (int c = 0; c < columns.Count; c++)
                extra[r * columns.Count + c] = (float)columns[c](stamps[r]);
        using var added = torch.tensor(extra, [stamps.Count, columns.Count], ScalarType.Float32);
        using var values = torch.cat([table.Values, added], 1);
        return TimeSeriesTable.FromTensor(values, [.. table.Columns, .. names], table.TargetIndex, stamps);

        void Add(string prefix, Func<DateTime, double> angle)
        {
            names.Add($"{prefix}_sin");
            columns.Add(t => Math.Sin(angle(t)));
            names.Add($"{prefix}_cos");
            columns.Add(t => Math.Cos(angle(t)));
        }
    }
}
