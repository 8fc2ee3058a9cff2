using TorchLstm.Data;
using TorchSharp;

namespace TorchLstm.Tests.Data;

public class SlidingWindowsTests
{
    private static float[,] RandomSeries(int rows, int features, int seed)
    {
        var random = new Random(seed);
        var series = new float[rows, features];
        for (int t = 0; t < rows; t++)
            for (int f = 0; f < features; f++)
                series[t, f] = (float)random.NextDouble();
        return series;
    }

    private static torch.Tensor ToTensor(float[,] series) =>
        torch.tensor(series.Cast<float>().ToArray(), [series.GetLength(0), series.GetLength(1)]);

    [Theory]
    [InlineData(30, 3, 5, 4, 1)]
    [InlineData(12, 2, 1, 1, 0)]
    [InlineData(9, 1, 6, 3, 0)]
    public void Windows_for_one_target_column_equal_a_naive_loop(int rows, int features, int lookback, int horizon, int target)
    {
        var series = RandomSeries(rows, features, seed: rows);
        using var tensor = ToTensor(series);
        using var windows = SlidingWindows.Create(tensor, lookback, horizon, target);

        int count = rows - lookback - horizon + 1;
        var inputs = new List<float>();
        var targets = new List<float>();
        for (int i = 0; i < count; i++)
        {
            for (int w = 0; w < lookback; w++)
                for (int f = 0; f < features; f++)
                    inputs.Add(series[i + w, f]);
            for (int h = 0; h < horizon; h++)
                targets.Add(series[i + lookback + h, target]);
        }
        Assert.Equal(new long[] { count, lookback, features }, windows.Inputs.shape);
        Assert.Equal(new long[] { count, horizon }, windows.Targets.shape);
        Assert.Equal(inputs, windows.Inputs.data<float>().ToArray());
        Assert.Equal(targets, windows.Targets.data<float>().ToArray());
    }

    [Fact]
    public void Windows_with_all_target_columns_equal_a_naive_loop()
    {
        const int rows = 20, features = 3, lookback = 4, horizon = 3;
        var series = RandomSeries(rows, features, seed: 3);
        using var tensor = ToTensor(series);
        using var windows = SlidingWindows.Create(tensor, lookback, horizon);

        var targets = new List<float>();
        for (int i = 0; i < rows - lookback - horizon + 1; i++)
            for (int h = 0; h < horizon; h++)
                for (int f = 0; f < features; f++)
                    targets.Add(series[i + lookback + h, f]);
        Assert.Equal(new long[] { 14, horizon, features }, windows.Targets.shape);
        Assert.Equal(targets, windows.Targets.data<float>().ToArray());
    }

    [Fact]
    public void A_one_dimensional_series_is_one_feature()
    {
        using var series = torch.arange(8, dtype: torch.ScalarType.Float32);
        using var windows = SlidingWindows.Create(series, lookback: 5, horizon: 1, targetColumn: 0);
        Assert.Equal(new long[] { 3, 5, 1 }, windows.Inputs.shape);
        Assert.Equal(new float[] { 5, 6, 7 }, windows.Targets.data<float>().ToArray());
        Assert.Equal(new float[] { 2, 3, 4, 5, 6 }, windows.Inputs[2].data<float>().ToArray());
    }

    [Fact]
    public void Views_hold_the_same_windows_as_copies_without_copying()
    {
        using var series = torch.arange(60, dtype: torch.ScalarType.Float32).reshape(20, 3);
        using var copies = SlidingWindows.Create(series, 4, 2, targetColumn: 2);
        using var views = SlidingWindows.Create(series, 4, 2, targetColumn: 2, copy: false);
        Assert.True(copies.Inputs.equal(views.Inputs).all().item<bool>());
        Assert.True(copies.Targets.equal(views.Targets).all().item<bool>());
        Assert.False(views.Inputs.is_contiguous());

        series[5, 0] = torch.tensor(-1f);
        Assert.Equal(-1f, views.Inputs[5, 0, 0].item<float>());
        Assert.Equal(15f, copies.Inputs[5, 0, 0].item<float>());
    }

    [Fact]
    public void Too_few_rows_names_the_numbers()
    {
        using var series = torch.zeros(10, 2);
        var e = Assert.Throws<ArgumentException>(() => SlidingWindows.Create(series, lookback: 8, horizon: 3, targetColumn: 0));
        Assert.Equal("series", e.ParamName);
        Assert.Contains("lookback + horizon = 8 + 3 = 11 rows but the series has 10", e.Message);
    }

    [Fact]
    public void Nonsense_parameters_are_rejected_with_their_names()
    {
        using var series = torch.zeros(10, 2);
        Assert.Equal("lookback", Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(series, 0)).ParamName);
        Assert.Equal("horizon", Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(series, 2, 0)).ParamName);
        var column = Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(series, 2, 1, targetColumn: 2));
        Assert.Contains("[0, 1]", column.Message);
        using var integers = torch.zeros(10, 2, dtype: torch.ScalarType.Int64);
        Assert.Contains("floating-point", Assert.Throws<ArgumentException>(() => SlidingWindows.Create(integers, 2)).Message);
    }
}
