using TorchLstm.Data;
using TorchSharp;

namespace TorchLstm.Tests.Data;

public class ForecastDataTests
{
    // Row t holds (t, 2t + 1): every value tells which row it came from.
    private static TimeSeriesTable Table(int rows)
    {
        using var t = torch.arange(rows, dtype: torch.ScalarType.Float32);
        using var values = torch.stack([t, 2 * t + 1], dim: 1);
        var stamps = Enumerable.Range(0, rows).Select(i => new DateTime(2020, 1, 1).AddDays(i)).ToArray();
        return TimeSeriesTable.FromTensor(values, ["t", "target"], targetIndex: 1, timestamps: stamps);
    }

    private static float[] Row(torch.Tensor tensor, long index) => tensor[index].data<float>().ToArray().Select(v => MathF.Round(v)).ToArray();

    private static readonly ForecastDataOptions Options = new() { Lookback = 5, Horizon = 2, ValidationFraction = 0.25, TestFraction = 0.2 };

    [Fact]
    public void Windows_are_built_per_block_and_targets_never_cross_into_an_earlier_block()
    {
        using var table = Table(100);
        using var data = ForecastData.Prepare(table, Options);

        Assert.Equal((60L, 20L, 20L), (data.Split.TrainCount, data.Split.ValidationCount, data.Split.TestCount));
        Assert.Equal(new long[] { 54, 5, 2 }, data.Train.Inputs.shape);
        Assert.Equal(new long[] { 54, 2 }, data.Train.Targets.shape);
        Assert.Equal(19, data.Validation!.Count);
        Assert.Equal(19, data.Test!.Count);

        using var train = data.OriginalTargets(data.Train);
        using var validation = data.OriginalTargets(data.Validation);
        using var test = data.OriginalTargets(data.Test);
        // Last training target is row 59; validation targets are rows 60..79; test targets rows 80..99.
        Assert.Equal(new float[] { 2 * 58 + 1, 2 * 59 + 1 }, Row(train, 53));
        Assert.Equal(new float[] { 2 * 60 + 1, 2 * 61 + 1 }, Row(validation, 0));
        Assert.Equal(new float[] { 2 * 78 + 1, 2 * 79 + 1 }, Row(validation, 18));
        Assert.Equal(new float[] { 2 * 80 + 1, 2 * 81 + 1 }, Row(test, 0));
        Assert.Equal(new float[] { 2 * 98 + 1, 2 * 99 + 1 }, Row(test, 18));

        // The first test window looks back at rows 75..79 (the end of the validation block).
        using var firstTestInputs = data.Scaler.InverseTransform(data.Test.Inputs[0]);
        Assert.Equal(new float[] { 75, 76, 77, 78, 79 }, firstTestInputs.select(1, 0).data<float>().ToArray().Select(v => MathF.Round(v)));
    }

    [Fact]
    public void The_scaler_is_fitted_on_training_rows_only()
    {
        using var table = Table(100);
        using var data = ForecastData.Prepare(table, Options);
        var scaler = Assert.IsType<MinMaxScaler>(data.Scaler);
        Assert.Equal(new double[] { 0, 1 }, scaler.DataMin);
        Assert.Equal(new double[] { 59, 119 }, scaler.DataMax);
        Assert.Equal(1f, data.Train.Targets.max().item<float>(), 5);
        Assert.True(data.Test!.Targets.min().item<float>() > 1f);
    }

    [Fact]
    public void Test_target_timestamps_match_the_target_rows()
    {
        using var table = Table(100);
        using var data = ForecastData.Prepare(table, Options);
        var stamps = data.TestTargetTimestamps!;
        Assert.Equal(19, stamps.GetLength(0));
        Assert.Equal(2, stamps.GetLength(1));
        Assert.Equal(new DateTime(2020, 1, 1).AddDays(80), stamps[0, 0]);
        Assert.Equal(new DateTime(2020, 1, 1).AddDays(99), stamps[18, 1]);
    }

    [Fact]
    public void Naive_persistence_repeats_the_last_observed_target_on_the_original_scale()
    {
        using var table = Table(100);
        using var data = ForecastData.Prepare(table, Options with { Scaling = ScalingKind.Standard });
        using var naive = data.NaivePersistence(data.Test!);
        Assert.Equal(new long[] { 19, 2 }, naive.shape);
        for (int i = 0; i < 19; i++)
            Assert.Equal(new float[] { 2 * (79 + i) + 1, 2 * (79 + i) + 1 }, Row(naive, i));
    }

    [Fact]
    public void A_block_too_short_for_its_windows_names_the_numbers()
    {
        using var table = Table(20);
        var e = Assert.Throws<ArgumentException>(() => ForecastData.Prepare(table, new ForecastDataOptions { Lookback = 12, Horizon = 1 }));
        Assert.Equal("options", e.ParamName);
        Assert.Contains("training block has 12 rows but needs at least 13 (lookback 12, horizon 1)", e.Message);
    }

    [Fact]
    public void Zero_fractions_give_no_validation_or_test_set()
    {
        using var table = Table(30);
        using var data = ForecastData.Prepare(table, new ForecastDataOptions { Lookback = 3, ValidationFraction = 0, TestFraction = 0 });
        Assert.Null(data.Validation);
        Assert.Null(data.Test);
        Assert.Null(data.TestTargetTimestamps);
        Assert.Equal(27, data.Train.Count);
    }

    [Fact]
    public void Seattle_weather_prepares_end_to_end_with_dates()
    {
        using var table = TimeSeriesTable.FromDataFrame(BundledDatasets.SeattleWeather(), "temp_max", dateColumn: "date");
        using var data = ForecastData.Prepare(table, new ForecastDataOptions { Lookback = 14, Horizon = 3 });
        Assert.Equal(new[] { "precipitation", "temp_max", "temp_min", "wind" }, data.Columns);
        Assert.Equal("temp_max", data.TargetColumn);
        Assert.Equal(new long[] { data.Train.Count, 14, 4 }, data.Train.Inputs.shape);
        Assert.Equal(new DateTime(2015, 12, 31), data.TestTargetTimestamps![data.Test!.Count - 1, 2]);
        using var last = data.OriginalTargets(data.Test);
        Assert.Equal(5.6f, last[-1, -1].item<float>(), 4);
    }
}
