using TorchLstm.Data;
using TorchSharp;

namespace TorchLstm.Tests.Data;

public class ChronologicalSplitTests
{
    [Theory]
    [InlineData(1000, 0.2, 0.2, 640, 160, 200)]
    [InlineData(1000, 0.0, 0.2, 800, 0, 200)]
    [InlineData(1461, 0.1, 0.15, 1116, 125, 220)]
    [InlineData(10, 0.0, 0.0, 10, 0, 0)]
    public void Sizes_follow_keras_validation_split_rounding(long count, double validation, double test, long train, long val, long tst)
    {
        var split = ChronologicalSplit.Create(count, validation, test);
        Assert.Equal((train, val, tst), (split.TrainCount, split.ValidationCount, split.TestCount));
        Assert.Equal(count, split.Total);
    }

    [Fact]
    public void Blocks_are_consecutive_and_in_time_order()
    {
        using var series = torch.arange(100, dtype: torch.ScalarType.Float32).unsqueeze(1);
        var split = ChronologicalSplit.Create(100, 0.25, 0.2);
        using var train = split.Train(series);
        using var validation = split.Validation(series);
        using var test = split.Test(series);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (float)i), train.data<float>().ToArray());
        Assert.Equal(Enumerable.Range(60, 20).Select(i => (float)i), validation.data<float>().ToArray());
        Assert.Equal(Enumerable.Range(80, 20).Select(i => (float)i), test.data<float>().ToArray());
    }

    [Theory]
    [InlineData(1.0, 0.2, "validationFraction")]
    [InlineData(-0.1, 0.2, "validationFraction")]
    [InlineData(0.2, 1.5, "testFraction")]
    [InlineData(0.2, double.NaN, "testFraction")]
    public void Fractions_outside_zero_to_one_are_rejected(double validation, double test, string param)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ChronologicalSplit.Create(100, validation, test));
        Assert.Equal(param, e.ParamName);
        Assert.Contains("[0, 1)", e.Message);
    }

    [Fact]
    public void A_split_leaving_an_empty_set_names_the_numbers()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ChronologicalSplit.Create(3, 0.5, 0.5));
        Assert.Contains("3 rows with validation fraction 0.5 and test fraction 0.5 give train 0, validation 1, test 2", e.Message);
        Assert.Contains("training set would be empty", e.Message);
    }
}
