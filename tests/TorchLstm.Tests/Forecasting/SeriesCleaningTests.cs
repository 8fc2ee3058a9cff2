using Microsoft.Data.Analysis;
using TorchLstm.Data;
using TorchLstm.Forecasting;
using TorchSharp;

namespace TorchLstm.Tests.Forecasting;

public class SeriesCleaningTests
{
    // Daily rows 2021-01-01 … with the 4th and 5th days missing, and one empty cell in column x.
    private static DataFrame DailyWithGap() => new(
        new PrimitiveDataFrameColumn<DateTime>("date", new DateTime[] { new(2021, 1, 1), new(2021, 1, 2), new(2021, 1, 3), new(2021, 1, 6), new(2021, 1, 7) }),
        new DoubleDataFrameColumn("x", new double?[] { 1, null, 3, 6, 7 }),
        new DoubleDataFrameColumn("y", new double?[] { 10, 20, 30, 60, 70 }));

    private static float[] Column(TimeSeriesTable table, string name)
    {
        using var column = table.Values.select(1, table.Columns.ToList().IndexOf(name)).contiguous();
        return column.data<float>().ToArray();
    }

    [Fact]
    public void Reject_names_the_gap_and_the_first_missing_cell()
    {
        var gap = Assert.Throws<DataValidationException>(() => SeriesCleaning.FromDataFrame(DailyWithGap(), "y", dateColumn: "date"));
        Assert.Contains("the daily series has 1 gap(s) missing 2 timestamp(s): 2 after row 3 (2021-01-03), from 2021-01-04", gap.Message);
        Assert.Equal(4, gap.Row);

        var frame = DailyWithGap();
        var noGap = frame.Filter(new PrimitiveDataFrameColumn<bool>("keep", [true, true, true, false, false]));
        var cell = Assert.Throws<DataValidationException>(() => SeriesCleaning.FromDataFrame(noGap, "y", dateColumn: "date"));
        Assert.Contains("column 'x', row 2: the cell is empty", cell.Message);
    }

    [Fact]
    public void Forward_fill_inserts_the_missing_days_and_repeats_the_last_value()
    {
        using var cleaned = SeriesCleaning.FromDataFrame(DailyWithGap(), "y", dateColumn: "date", policy: MissingDataPolicy.ForwardFill);
        var table = cleaned.Table;
        Assert.Equal(Enumerable.Range(0, 7).Select(d => new DateTime(2021, 1, 1).AddDays(d)), table.Timestamps!);
        Assert.Equal(new float[] { 1, 1, 3, 3, 3, 6, 7 }, Column(table, "x"));
        Assert.Equal(new float[] { 10, 20, 30, 30, 30, 60, 70 }, Column(table, "y"));
        var report = cleaned.Report;
        Assert.Equal(new[] { new DateTime(2021, 1, 4), new DateTime(2021, 1, 5) }, report.InsertedTimestamps);
        Assert.Equal(new FilledCell("x", 1, 2, new DateTime(2021, 1, 2), 1, MissingDataPolicy.ForwardFill), report.FilledCells[0]);
        Assert.Equal(5, report.FilledCells.Count);
        Assert.Equal("ForwardFill (daily): 1 gaps, 2 timestamps inserted, 5 cells filled, 0 rows dropped", report.ToString());
    }

    [Fact]
    public void Interpolation_is_linear_in_time_and_carries_the_last_value_past_the_end()
    {
        using var cleaned = SeriesCleaning.FromDataFrame(DailyWithGap(), "y", dateColumn: "date", policy: MissingDataPolicy.Interpolate);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 7 }, Column(cleaned.Table, "x"));
        Assert.Equal(new float[] { 10, 20, 30, 40, 50, 60, 70 }, Column(cleaned.Table, "y"));
        Assert.All(cleaned.Report.FilledCells, c => Assert.Equal(MissingDataPolicy.Interpolate, c.Method));

        // Monthly: February lies 31 of the 59 days from January to March, so it gets 31/59 of the change.
        var monthly = new DataFrame(
            new PrimitiveDataFrameColumn<DateTime>("month", new DateTime[] { new(2021, 1, 1), new(2021, 3, 1), new(2021, 4, 1) }),
            new DoubleDataFrameColumn("co2", new double?[] { 0, 59, null }));
        using var months = SeriesCleaning.FromDataFrame(monthly, "co2", dateColumn: "month", policy: MissingDataPolicy.Interpolate, frequency: SeriesFrequency.Monthly);
        Assert.Equal(new float[] { 0, 31, 59, 59 }, Column(months.Table, "co2"));
        Assert.Equal(MissingDataPolicy.ForwardFill, months.Report.FilledCells[^1].Method);
    }

    [Fact]
    public void Drop_removes_rows_with_a_missing_cell_and_keeps_the_gap_in_the_report()
    {
        using var cleaned = SeriesCleaning.FromDataFrame(DailyWithGap(), "y", dateColumn: "date", policy: MissingDataPolicy.Drop);
        Assert.Equal(new long[] { 2 }, cleaned.Report.DroppedRows);
        Assert.Equal(new float[] { 10, 30, 60, 70 }, Column(cleaned.Table, "y"));
        Assert.Single(cleaned.Report.Gaps);
        Assert.Empty(cleaned.Report.FilledCells);
    }

    [Fact]
    public void A_missing_first_value_cannot_be_filled_and_irregular_dates_are_named()
    {
        var leading = new DataFrame(new DoubleDataFrameColumn("y", new double?[] { null, double.NaN, 3 }));
        var error = Assert.Throws<DataValidationException>(() => SeriesCleaning.FromDataFrame(leading, "y", policy: MissingDataPolicy.Interpolate));
        Assert.Contains("column 'y' is missing its first 2 value(s)", error.Message);

        var irregular = new DataFrame(
            new PrimitiveDataFrameColumn<DateTime>("date", new DateTime[] { new(2021, 1, 1), new(2021, 1, 2), new(2021, 1, 3), new(2021, 1, 4, 12, 0, 0), new(2021, 1, 5) }),
            new DoubleDataFrameColumn("y", new double?[] { 1, 2, 3, 4, 5 }));
        var off = Assert.Throws<DataValidationException>(() => SeriesCleaning.FromDataFrame(irregular, "y", dateColumn: "date", policy: MissingDataPolicy.ForwardFill));
        Assert.Contains("the series looks daily, but 2 row(s) are off that grid: row 4 (2021-01-04 12:00:00, after 2021-01-03)", off.Message);
    }

    [Fact]
    public void The_bundled_co2_series_has_five_missing_months_which_reject_names_and_interpolation_fills()
    {
        var frame = BundledDatasets.Co2Concentration();
        var error = Assert.Throws<DataValidationException>(() => SeriesCleaning.FromDataFrame(frame, "CO2", ["CO2"], "Date"));
        Assert.Contains("the monthly series has 3 gap(s) missing 5 timestamp(s): 1 after row 3 (1958-05-01), from 1958-06-01;", error.Message);

        using var full = SeriesCleaning.FromDataFrame(frame, "CO2", ["CO2"], "Date", MissingDataPolicy.Interpolate);
        Assert.Equal(frame.Rows.Count + 5, full.Table.Length);
        Assert.Equal(new DateTime(1958, 6, 1), full.Report.InsertedTimestamps[0]);
        Assert.Equal(SeriesFrequency.Monthly, SeriesFrequency.Infer(full.Table.Timestamps!));

        // Months removed from a complete stretch come back within a few ppm of the measured values.
        var removed = new[] { 100, 101, 400 };
        var keep = Enumerable.Range(0, (int)frame.Rows.Count).Select(r => !removed.Contains(r)).ToArray();
        using var holed = SeriesCleaning.FromDataFrame(frame.Filter(new PrimitiveDataFrameColumn<bool>("keep", keep)), "CO2", ["CO2"], "Date", MissingDataPolicy.Interpolate);
        Assert.Equal(full.Table.Timestamps!, holed.Table.Timestamps!);
        var truth = Column(full.Table, "CO2");
        var filled = Column(holed.Table, "CO2");
        var measured = (PrimitiveDataFrameColumn<double>)frame.Columns["CO2"];
        var dates = full.Table.Timestamps!.ToList();
        foreach (int r in removed)
        {
            int row = dates.IndexOf(DateTime.Parse((string)frame.Columns["Date"][r]!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal((float)measured[r]!.Value, truth[row]);
            Assert.InRange(Math.Abs(filled[row] - truth[row]), 0.01, 2.0);
        }
        Assert.Equal(8, holed.Report.InsertedTimestamps.Count);
    }
}
