namespace TorchLstm.Forecasting;

/// <summary>What <see cref="SeriesCleaning.FromDataFrame"/> does with missing cells and with gaps (missing timestamps).</summary>
public enum MissingDataPolicy
{
    /// <summary>Refuse: a missing cell or a gap in the timestamps is an error naming where it is (the default, as <see cref="Data.TimeSeriesTable.FromDataFrame"/> does).</summary>
    Reject,

    /// <summary>Insert the missing timestamps, and give every missing cell the last observed value of its column.</summary>
    ForwardFill,

    /// <summary>Insert the missing timestamps, and fill every missing cell on the straight line (in time) between the observed values around it; cells after the last observed value carry it forward.</summary>
    Interpolate,

    /// <summary>Remove every row with a missing cell; gaps in the timestamps are kept (and reported).</summary>
    Drop,
}

/// <summary>One cell <see cref="SeriesCleaning.FromDataFrame"/> filled.</summary>
/// <param name="Column">The column.</param>
/// <param name="Row">0-based row of the cleaned table.</param>
/// <param name="SourceRow">1-based data row of the frame the cell came from, or null for a row inserted into a gap.</param>
/// <param name="Timestamp">The row's timestamp, when the series has dates.</param>
/// <param name="Value">The value written.</param>
/// <param name="Method"><see cref="MissingDataPolicy.ForwardFill"/> or <see cref="MissingDataPolicy.Interpolate"/>: how the value was found.</param>
public sealed record FilledCell(string Column, long Row, long? SourceRow, DateTime? Timestamp, double Value, MissingDataPolicy Method);

/// <summary>A run of missing timestamps: the rows of the frame before and after it and how many timestamps are missing.</summary>
/// <param name="AfterRow">1-based data row before the gap.</param>
/// <param name="After">Its timestamp.</param>
/// <param name="Before">The timestamp of the row after the gap.</param>
/// <param name="Missing">Number of timestamps missing in between.</param>
public sealed record TimestampGap(long AfterRow, DateTime After, DateTime Before, int Missing);

/// <summary>What <see cref="SeriesCleaning.FromDataFrame"/> changed.</summary>
/// <param name="Policy">The policy applied.</param>
/// <param name="Frequency">The frequency of the timestamps; null without a date column.</param>
/// <param name="Gaps">Runs of missing timestamps found.</param>
/// <param name="InsertedTimestamps">Timestamps inserted into the gaps (forward fill and interpolation).</param>
/// <param name="FilledCells">Cells filled, in row then column order.</param>
/// <param name="DroppedRows">1-based data rows of the frame removed (drop policy).</param>
public sealed record GapReport(
    MissingDataPolicy Policy, SeriesFrequency? Frequency, IReadOnlyList<TimestampGap> Gaps, IReadOnlyList<DateTime> InsertedTimestamps,
    IReadOnlyList<FilledCell> FilledCells, IReadOnlyList<long> DroppedRows)
{
    /// <summary>True when nothing was filled, inserted or dropped and no gap was found.</summary>
    public bool IsClean => Gaps.Count == 0 && FilledCells.Count == 0 && DroppedRows.Count == 0;

    /// <summary>One line: the policy and the counts, e.g. <c>Interpolate (daily): 2 gaps, 3 timestamps inserted, 5 cells filled, 0 rows dropped</c>.</summary>
    public override string ToString() =>
        $"{Policy}{(Frequency is null ? "" : $" ({Frequency})")}: {Gaps.Count} gaps, {InsertedTimestamps.Count} timestamps inserted, {FilledCells.Count} cells filled, {DroppedRows.Count} rows dropped";
}
