using System.Globalization;
using Microsoft.Data.Analysis;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>
/// A validated multivariate time series: a float32 tensor shaped [time, features] whose columns are
/// named, one of which is the forecasting target, with optional timestamps (one per time step).
/// </summary>
/// <remarks>Owns <see cref="Values"/>; dispose the table to free it.</remarks>
public sealed class TimeSeriesTable : IDisposable
{
    private TimeSeriesTable(Tensor values, IReadOnlyList<string> columns, int targetIndex, IReadOnlyList<DateTime>? timestamps)
    {
        Values = values;
        Columns = columns;
        TargetIndex = targetIndex;
        Timestamps = timestamps;
    }

    /// <summary>The series, float32, shaped [time, features]; column i is <see cref="Columns"/>[i].</summary>
    public Tensor Values { get; }

    /// <summary>Names of the feature columns, in tensor order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Index of the target column within <see cref="Columns"/> and the last dimension of <see cref="Values"/>.</summary>
    public int TargetIndex { get; }

    /// <summary>Name of the target column.</summary>
    public string TargetColumn => Columns[TargetIndex];

    /// <summary>One timestamp per time step, or null when no date column was given.</summary>
    public IReadOnlyList<DateTime>? Timestamps { get; }

    /// <summary>Number of time steps (rows).</summary>
    public long Length => Values.shape[0];

    /// <summary>Number of feature columns.</summary>
    public int FeatureCount => Columns.Count;

    /// <summary>
    /// Selects the target and feature columns of <paramref name="frame"/> by name and checks every cell.
    /// </summary>
    /// <param name="frame">The data, one row per time step in chronological order.</param>
    /// <param name="target">Name of the column to forecast; always part of the features.</param>
    /// <param name="features">Names of the input columns, in order; null means every numeric column
    /// (except <paramref name="dateColumn"/>) in frame order. The target is appended when not listed.</param>
    /// <param name="dateColumn">Optional column of dates (DateTime values or text such as "2012-01-31" or "Jan 1 2000").</param>
    /// <exception cref="DataValidationException">A named column does not exist (the message lists the available ones),
    /// or a cell is empty, not a number, NaN or infinite, or a date cannot be parsed (the message names column and row).</exception>
    /// <exception cref="ArgumentException">A feature is listed twice or the frame has no rows.</exception>
    public static TimeSeriesTable FromDataFrame(DataFrame frame, string target, IEnumerable<string>? features = null, string? dateColumn = null)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        if (frame.Rows.Count == 0)
            throw new ArgumentException("the DataFrame has no rows; a time series needs at least one", nameof(frame));

        DataFrameColumn targetColumn = FindColumn(frame, target);
        DataFrameColumn? dates = dateColumn is null ? null : FindColumn(frame, dateColumn);

        List<string> names;
        if (features is null)
        {
            names = frame.Columns.Where(c => IsNumeric(c) && c != dates).Select(c => c.Name).ToList();
        }
        else
        {
            names = features.ToList();
            var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
                throw new ArgumentException($"feature '{duplicate.Key}' is listed {duplicate.Count()} times; list each column once", nameof(features));
        }
        if (!names.Contains(targetColumn.Name, StringComparer.Ordinal)) names.Add(targetColumn.Name);

        long rows = frame.Rows.Count;
        int width = names.Count;
        var data = new float[checked(rows * width)];
        for (int f = 0; f < width; f++)
            CopyColumn(FindColumn(frame, names[f]), data, f, width);

        IReadOnlyList<DateTime>? timestamps = dates is null ? null : ParseDates(dates);
        var values = torch.tensor(data, [rows, width], dtype: ScalarType.Float32);
        return new TimeSeriesTable(values, names.AsReadOnly(), names.IndexOf(targetColumn.Name), timestamps);
    }

    /// <summary>Wraps an in-memory series (for example a generated one) as a table.</summary>
    /// <param name="values">Floating-point series shaped [time] (one column) or [time, features]; it is copied to float32.</param>
    /// <param name="columns">Column names; null means "y" for one column, else "x0", "x1", ….</param>
    /// <param name="targetIndex">Index of the target column.</param>
    /// <param name="timestamps">Optional timestamps, one per time step.</param>
    /// <exception cref="ArgumentException">Wrong rank or dtype, a NaN/infinite value, or names/timestamps whose count does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetIndex"/> is not a column index.</exception>
    public static TimeSeriesTable FromTensor(Tensor values, IReadOnlyList<string>? columns = null, int targetIndex = 0, IReadOnlyList<DateTime>? timestamps = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.dim() is not (1 or 2) || values.shape[0] == 0)
            throw new ArgumentException($"the series must be shaped [time] or [time, features] with at least one row; got [{string.Join(", ", values.shape)}]", nameof(values));
        if (!values.is_floating_point())
            throw new ArgumentException($"the series must hold floating-point values; got {values.dtype}", nameof(values));
        using var scope = torch.NewDisposeScope();
        var matrix = (values.dim() == 1 ? values.unsqueeze(1) : values).to(ScalarType.Float32, copy: true);
        int width = (int)matrix.shape[1];
        if (!matrix.isfinite().all().item<bool>())
        {
            long firstBad = (~matrix.isfinite()).any(1).nonzero()[0, 0].item<long>();
            throw new ArgumentException($"the series holds a NaN or infinite value at time step {firstBad}; clean or impute it first", nameof(values));
        }
        var names = columns?.ToList() ?? (width == 1 ? ["y"] : Enumerable.Range(0, width).Select(i => $"x{i}").ToList());
        if (names.Count != width)
            throw new ArgumentException($"{names.Count} column names were given for a series with {width} columns", nameof(columns));
        if (targetIndex < 0 || targetIndex >= width)
            throw new ArgumentOutOfRangeException(nameof(targetIndex), targetIndex, $"the target index must be in [0, {width - 1}]");
        if (timestamps is not null && timestamps.Count != matrix.shape[0])
            throw new ArgumentException($"{timestamps.Count} timestamps were given for a series of {matrix.shape[0]} time steps", nameof(timestamps));
        return new TimeSeriesTable(matrix.MoveToOuterDisposeScope(), names.AsReadOnly(), targetIndex, timestamps?.ToArray());
    }

    /// <summary>
    /// Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) as a table of their own
    /// (a copy, with the same columns, target and the matching timestamps), for example a backtest fold's training history.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or reaches outside the table's rows.</exception>
    public TimeSeriesTable Slice(long start, long length)
    {
        if (start < 0 || length < 1 || start + length > Length)
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"rows [{start}, {start + length}) are not a non-empty range inside the table's {Length} rows");
        var values = Values.narrow(0, start, length).clone();
        var stamps = Timestamps?.Skip((int)start).Take((int)length).ToArray();
        return new TimeSeriesTable(values, Columns, TargetIndex, stamps);
    }

    /// <summary>Disposes <see cref="Values"/>.</summary>
    public void Dispose() => Values.Dispose();

    private static DataFrameColumn FindColumn(DataFrame frame, string name)
    {
        int index = frame.Columns.IndexOf(name);
        if (index < 0)
            throw new DataValidationException(
                $"column '{name}' does not exist; available columns: {string.Join(", ", frame.Columns.Select(c => $"'{c.Name}'"))}",
                column: name);
        return frame.Columns[index];
    }

    private static bool IsNumeric(DataFrameColumn column) =>
        Type.GetTypeCode(column.DataType) is TypeCode.Double or TypeCode.Single or TypeCode.Decimal
            or TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16
            or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64;

    private static void CopyColumn(DataFrameColumn column, float[] data, int offset, int stride)
    {
        if (column is PrimitiveDataFrameColumn<double> { NullCount: 0 } complete)
        {
            // The common case (CSV numbers, none missing): read the column's own buffers, which is several
            // times faster than its per-cell indexer (measured: 1M rows in ~30 ms instead of 100-250 ms).
            long row = 0;
            foreach (var buffer in complete.GetReadOnlyDataBuffers())
            {
                var values = buffer.Span;
                for (int i = 0; i < values.Length; i++, row++)
                    data[row * stride + offset] = CheckedValue(column, row, values[i]);
            }
            return;
        }
        if (column is PrimitiveDataFrameColumn<double> doubles)
        {
            // Missing cells: the first one (or an earlier NaN) is reported, in row order, without boxing.
            for (long r = 0; r < doubles.Length; r++)
                data[r * stride + offset] = CheckedValue(column, r, doubles[r] ?? throw CellError(column, r, EmptyCell));
            return;
        }
        bool numeric = IsNumeric(column);
        long rows = column.Length;
        for (long r = 0; r < rows; r++)
        {
            object? cell = column[r];
            double value;
            if (cell is null || (cell is string s && string.IsNullOrWhiteSpace(s)))
                throw CellError(column, r, EmptyCell);
            if (numeric)
                value = Convert.ToDouble(cell, CultureInfo.InvariantCulture);
            else if (!double.TryParse(Convert.ToString(cell, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out value))
                throw CellError(column, r, $"holds '{cell}', which is not a number; column '{column.Name}' is {column.DataType.Name}, and only numeric columns can be features or the target");
            data[r * stride + offset] = CheckedValue(column, r, value);
        }
    }

    private const string EmptyCell = "is empty (a missing value); fill or drop missing values first";

    private static float CheckedValue(DataFrameColumn column, long r, double value)
    {
        if (double.IsNaN(value))
            throw CellError(column, r, "is NaN; only finite numbers are accepted");
        if (double.IsInfinity(value) || Math.Abs(value) > float.MaxValue)
            throw CellError(column, r, $"is {value.ToString(CultureInfo.InvariantCulture)}, outside the finite float32 range; only finite numbers are accepted");
        return (float)value;
    }

    /// <summary>Reads a date column, naming the row of an empty or unreadable cell.</summary>
    internal static DateTime[] ParseDates(DataFrameColumn column)
    {
        var dates = new DateTime[column.Length];
        for (long r = 0; r < column.Length; r++)
        {
            object? cell = column[r];
            if (cell is DateTime time) { dates[r] = time; continue; }
            string? text = Convert.ToString(cell, CultureInfo.InvariantCulture);
            if (string.IsNullOrWhiteSpace(text))
                throw CellError(column, r, "is empty; every row needs a date");
            if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out dates[r]))
                throw CellError(column, r, $"holds '{text}', which is not a date; accepted forms include '2012-01-31', '2012-01-31 13:45' and 'Jan 31 2012'");
        }
        return dates;
    }

    private static DataValidationException CellError(DataFrameColumn column, long zeroBasedRow, string problem) =>
        new($"column '{column.Name}', row {zeroBasedRow + 1}: the cell {problem}", column.Name, zeroBasedRow + 1);
}
