using System.Globalization;
using Microsoft.Data.Analysis;
using TorchLstm.Data;
using TorchSharp;

namespace TorchLstm.Forecasting;

/// <summary>
/// Loads a <see cref="TimeSeriesTable"/> from a frame with missing cells or missing timestamps, handled by
/// a chosen <see cref="MissingDataPolicy"/>, and reports what was done. Timestamps off the series'
/// frequency are always an error that names the rows.
/// </summary>
public static class SeriesCleaning
{
    /// <summary>Selects the columns as <see cref="TimeSeriesTable.FromDataFrame"/> does, then applies <paramref name="policy"/>.</summary>
    /// <param name="frame">The data, one row per time step in chronological order.</param>
    /// <param name="target">The column to forecast.</param>
    /// <param name="features">Input columns; null means every numeric column except the date column.</param>
    /// <param name="dateColumn">Column of dates; without it there are no gaps to find, only missing cells.</param>
    /// <param name="policy">What to do with missing cells and gaps.</param>
    /// <param name="frequency">The series' frequency; inferred from the dates when null.</param>
    /// <returns>The table and the report; dispose the result to free the table.</returns>
    /// <exception cref="DataValidationException">Under <see cref="MissingDataPolicy.Reject"/> a missing cell or a gap (the message names
    /// the column and row, or the dates missing); under any policy a column that is missing or not numeric, a date that cannot be read,
    /// timestamps not increasing or off the frequency's grid, a missing cell with no earlier value to fill from, or no row left.</exception>
    public static CleanedSeries FromDataFrame(
        DataFrame frame, string target, IEnumerable<string>? features = null, string? dateColumn = null,
        MissingDataPolicy policy = MissingDataPolicy.Reject, SeriesFrequency? frequency = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var featureList = features?.ToList();
        DateTime[]? dates = dateColumn is null ? null : TimeSeriesTable.ParseDates(Column(frame, dateColumn));
        var gaps = new List<TimestampGap>();
        if (dates is not null && dates.Length >= 2)
        {
            frequency ??= SeriesFrequency.Infer(dates);
            for (int i = 1; i < dates.Length; i++)
            {
                long steps = frequency.StepsBetween(dates[i - 1], dates[i])
                    ?? throw new DataValidationException(
                        $"irregular timestamps: row {i + 1} ({SeriesFrequency.Format(dates[i])}) is not on the {frequency} grid after row {i} ({SeriesFrequency.Format(dates[i - 1])})",
                        dateColumn, i + 1);
                if (steps < 1)
                    throw new DataValidationException($"timestamps must increase: row {i + 1} ({SeriesFrequency.Format(dates[i])}) does not come after row {i}", dateColumn, i + 1);
                if (steps > 1) gaps.Add(new TimestampGap(i, dates[i - 1], dates[i], (int)(steps - 1)));
            }
        }

        if (policy == MissingDataPolicy.Reject)
        {
            if (gaps.Count > 0)
                throw new DataValidationException(
                    $"the {frequency} series has {gaps.Count} gap(s) missing {gaps.Sum(g => g.Missing)} timestamp(s): " +
                    string.Join("; ", gaps.Take(5).Select(g => $"{g.Missing} after row {g.AfterRow} ({SeriesFrequency.Format(g.After)}), from {SeriesFrequency.Format(frequency!.Advance(g.After, 1))}")) +
                    (gaps.Count > 5 ? "; …" : "") + ". Choose MissingDataPolicy.ForwardFill or Interpolate to fill them, or Drop to keep them",
                    dateColumn, gaps[0].AfterRow + 1);
            var strict = TimeSeriesTable.FromDataFrame(frame, target, featureList, dateColumn);
            return new CleanedSeries(strict, new GapReport(policy, frequency, gaps, [], [], []));
        }

        var names = ColumnNames(frame, target, featureList, dateColumn);
        var columns = names.Select(n => ReadValues(Column(frame, n))).ToList();
        var sourceRows = Enumerable.Range(1, (int)frame.Rows.Count).Select(r => (long?)r).ToList();
        var timestamps = dates?.ToList();
        var inserted = new List<DateTime>();
        var dropped = new List<long>();

        if (policy == MissingDataPolicy.Drop)
        {
            for (int r = sourceRows.Count - 1; r >= 0; r--)
            {
                if (!columns.Any(c => c[r] is null)) continue;
                dropped.Add(sourceRows[r]!.Value);
                sourceRows.RemoveAt(r);
                timestamps?.RemoveAt(r);
                foreach (var c in columns) c.RemoveAt(r);
            }
            dropped.Reverse();
            if (sourceRows.Count == 0)
                throw new DataValidationException("every row has a missing cell; dropping them leaves no data");
        }
        else
        {
            // Insert the gaps' timestamps (latest gap first, so earlier indices stay valid), with empty cells.
            foreach (var gap in Enumerable.Reverse(gaps))
            {
                int at = (int)gap.AfterRow;
                var missing = Enumerable.Range(1, gap.Missing).Select(k => frequency!.Advance(gap.After, k)).ToList();
                timestamps!.InsertRange(at, missing);
                sourceRows.InsertRange(at, Enumerable.Repeat<long?>(null, gap.Missing));
                foreach (var c in columns) c.InsertRange(at, Enumerable.Repeat<double?>(null, gap.Missing));
            }
            inserted.AddRange(gaps.SelectMany(g => Enumerable.Range(1, g.Missing).Select(k => frequency!.Advance(g.After, k))));
        }

        var filled = new List<FilledCell>();
        if (policy is MissingDataPolicy.ForwardFill or MissingDataPolicy.Interpolate)
        {
            for (int f = 0; f < columns.Count; f++)
                Fill(names[f], columns[f], policy, timestamps, sourceRows, filled);
            filled.Sort((a, b) => a.Row != b.Row ? a.Row.CompareTo(b.Row) : names.IndexOf(a.Column).CompareTo(names.IndexOf(b.Column)));
        }

        int rows = sourceRows.Count, width = names.Count;
        var data = new float[rows * width];
        for (int f = 0; f < width; f++)
            for (int r = 0; r < rows; r++)
                data[r * width + f] = (float)columns[f][r]!.Value;
        using var values = torch.tensor(data, [rows, width]);
        var table = TimeSeriesTable.FromTensor(values, names, names.IndexOf(Column(frame, target).Name), timestamps);
        return new CleanedSeries(table, new GapReport(policy, frequency, gaps, inserted, filled, dropped));
    }

    private static void Fill(string name, List<double?> values, MissingDataPolicy policy, List<DateTime>? timestamps, List<long?> sourceRows, List<FilledCell> filled)
    {
        int first = values.FindIndex(v => v is not null);
        if (first < 0)
            throw new DataValidationException($"column '{name}' has no value at all; there is nothing to fill from", name);
        if (first > 0)
            throw new DataValidationException(
                $"column '{name}' is missing its first {first} value(s) (from row {sourceRows[0]?.ToString(CultureInfo.InvariantCulture) ?? "1"}), and nothing before them can fill them; trim the series or use MissingDataPolicy.Drop",
                name, sourceRows[0]);
        // Positions on the time axis: timestamps when known (months differ in length), else row numbers.
        double Position(int r) => timestamps is null ? r : timestamps[r].Ticks;
        int last = 0;
        for (int r = 1; r < values.Count; r++)
        {
            if (values[r] is not null) { last = r; continue; }
            int next = policy == MissingDataPolicy.Interpolate ? values.FindIndex(r, v => v is not null) : -1;
            double value = values[last]!.Value;
            var method = MissingDataPolicy.ForwardFill;
            if (next >= 0)
            {
                double fraction = (Position(r) - Position(last)) / (Position(next) - Position(last));
                value += fraction * (values[next]!.Value - values[last]!.Value);
                method = MissingDataPolicy.Interpolate;
            }
            values[r] = value;
            // The filled value is not an observation: later cells interpolate between observed ones.
            filled.Add(new FilledCell(name, r, sourceRows[r], timestamps?[r], value, method));
        }
    }

    private static List<string> ColumnNames(DataFrame frame, string target, List<string>? features, string? dateColumn)
    {
        var names = features ?? frame.Columns.Where(c => c.Name != dateColumn && IsNumeric(c)).Select(c => c.Name).ToList();
        names = [.. names];
        string targetName = Column(frame, target).Name;
        if (!names.Contains(targetName, StringComparer.Ordinal)) names.Add(targetName);
        foreach (var name in names) Column(frame, name);
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"feature '{duplicate.Key}' is listed {duplicate.Count()} times; list each column once", nameof(features));
        return names;
    }

    private static DataFrameColumn Column(DataFrame frame, string name)
    {
        int index = frame.Columns.IndexOf(name);
        if (index < 0)
            throw new DataValidationException(
                $"column '{name}' does not exist; available columns: {string.Join(", ", frame.Columns.Select(c => $"'{c.Name}'"))}", name);
        return frame.Columns[index];
    }

    private static bool IsNumeric(DataFrameColumn column) =>
        Type.GetTypeCode(column.DataType) is TypeCode.Double or TypeCode.Single or TypeCode.Decimal or TypeCode.Byte or TypeCode.SByte
            or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64;

    private static List<double?> ReadValues(DataFrameColumn column)
    {
        bool numeric = IsNumeric(column);
        var values = new List<double?>((int)column.Length);
        for (long r = 0; r < column.Length; r++)
        {
            object? cell = column[r];
            double value;
            if (cell is null || (cell is string s && string.IsNullOrWhiteSpace(s))) { values.Add(null); continue; }
            if (numeric) value = Convert.ToDouble(cell, CultureInfo.InvariantCulture);
            else if (!double.TryParse(Convert.ToString(cell, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out value))
                throw new DataValidationException(
                    $"column '{column.Name}', row {r + 1}: the cell holds '{cell}', which is not a number; only numeric columns can be features or the target", column.Name, r + 1);
            if (double.IsInfinity(value) || Math.Abs(value) > float.MaxValue)
                throw new DataValidationException($"column '{column.Name}', row {r + 1}: the cell is {value.ToString(CultureInfo.InvariantCulture)}, outside the finite float32 range", column.Name, r + 1);
            values.Add(double.IsNaN(value) ? null : value);
        }
        return values;
    }
}

/// <summary>A table loaded by <see cref="SeriesCleaning.FromDataFrame"/> and the report of what was filled, inserted or dropped.</summary>
/// <param name="Table">The clean table; owned by this object.</param>
/// <param name="Report">What the policy changed.</param>
public sealed record CleanedSeries(TimeSeriesTable Table, GapReport Report) : IDisposable
{
    /// <summary>Disposes <see cref="Table"/>.</summary>
    public void Dispose() => Table.Dispose();
}
