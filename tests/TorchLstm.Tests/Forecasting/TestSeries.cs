using TorchLstm.Data;
using TorchSharp;

namespace TorchLstm.Tests.Forecasting;

/// <summary>Series whose every forecast can be worked out by hand.</summary>
internal static class TestSeries
{
    /// <summary>y(t) = t² and a second column x(t) = 10 + t, from 2020-01-01, daily or monthly.</summary>
    public static TimeSeriesTable Squares(int rows, bool monthly = false)
    {
        var values = new float[rows * 2];
        for (int t = 0; t < rows; t++) (values[2 * t], values[2 * t + 1]) = (t * t, 10 + t);
        var start = new DateTime(2020, 1, 1);
        var dates = Enumerable.Range(0, rows).Select(i => monthly ? start.AddMonths(i) : start.AddDays(i)).ToArray();
        return TimeSeriesTable.FromTensor(torch.tensor(values, [rows, 2]), ["y", "x"], 0, dates);
    }
}
