using TorchLstm.Data;
using TorchSharp;

namespace TorchLstm.Tests.Data;

public class CalendarColumnsTests
{
    private static TimeSeriesTable Daily(DateTime first, int rows, bool withDates = true) => TimeSeriesTable.FromTensor(
        torch.arange(rows, dtype: torch.float32), ["y"], 0,
        withDates ? Enumerable.Range(0, rows).Select(i => first.AddDays(i)).ToArray() : null);

    [Fact]
    public void Day_and_month_columns_are_the_position_in_the_year_as_sine_and_cosine()
    {
        using var table = Daily(new DateTime(2021, 12, 31), 3);
        using var calendar = table.WithCalendar(CalendarFeatures.DayOfYear | CalendarFeatures.MonthOfYear);

        Assert.Equal(["y", "doy_sin", "doy_cos", "month_sin", "month_cos"], calendar.Columns);
        Assert.Equal(0, calendar.TargetIndex);
        var values = calendar.Values.data<float>().ToArray();
        // 31 Dec 2021 is day 365: angle 2π · 364 / 365.25, just before a full turn; 1 Jan is angle 0.
        Assert.Equal(Math.Sin(2 * Math.PI * 364 / 365.25), values[1], 5);
        Assert.Equal(Math.Cos(2 * Math.PI * 364 / 365.25), values[2], 5);
        Assert.Equal(Math.Sin(2 * Math.PI * 11 / 12), values[3], 5);
        Assert.Equal([1f, 0f, 1f, 0f, 1f], values.Skip(5).Take(5).Select(v => MathF.Round(v, 5)));
        Assert.Equal(2, values[10]);
        Assert.Equal(new DateTime(2022, 1, 2), calendar.Timestamps![2]);
    }

    [Fact]
    public void Calendar_columns_need_dates_and_new_names()
    {
        using var undated = Daily(default, 3, withDates: false);
        Assert.Contains("calendar columns need the table's timestamps", Assert.Throws<ArgumentException>(() => undated.WithCalendar(CalendarFeatures.DayOfYear)).Message);
        using var table = Daily(new DateTime(2021, 1, 1), 3);
        using var once = table.WithCalendar(CalendarFeatures.MonthOfYear);
        Assert.Contains("already has a column named 'month_sin'", Assert.Throws<ArgumentException>(() => once.WithCalendar(CalendarFeatures.MonthOfYear)).Message);
    }

    [Fact]
    public void Slice_copies_rows_with_their_dates_and_rejects_ranges_outside()
    {
        using var table = Daily(new DateTime(2021, 1, 1), 10);
        using var slice = table.Slice(3, 4);
        Assert.Equal([3f, 4f, 5f, 6f], slice.Values.data<float>().ToArray());
        Assert.Equal(new DateTime(2021, 1, 4), slice.Timestamps![0]);
        slice.Values[0, 0] = torch.tensor(99f);
        Assert.Equal(3f, table.Values[3, 0].item<float>());
        Assert.Contains("rows [8, 12) are not a non-empty range inside the table's 10 rows",
            Assert.Throws<ArgumentOutOfRangeException>(() => table.Slice(8, 4)).Message);
    }
}
