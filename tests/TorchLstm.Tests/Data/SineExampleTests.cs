using TorchLstm.Data;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Data;

public class SineExampleTests
{
    [Fact]
    public void Default_split_is_the_tutorials_608_152_190_windows_in_time_order()
    {
        using var example = SineExample.Create();
        Assert.Equal(new ChronologicalSplit(608, 152, 190), example.Split);
        Assert.Equal([608L, 50, 1], example.Train.Inputs.shape);
        Assert.Equal([152L, 1], example.Validation.Targets.shape);
        Assert.Equal([190L, 50, 1], example.Test.Inputs.shape);

        // Window k covers points k … k+49 and predicts point k+50, so the parts are consecutive blocks.
        using var series = BundledDatasets.NoisySine(1000, 50, 0.1, 42);
        Assert.Equal(series[608 + 50].item<float>(), example.Validation.Targets[0, 0].item<float>());
        Assert.Equal(series[760 + 50].item<float>(), example.Test.Targets[0, 0].item<float>());
        Assert.Equal(series[999].item<float>(), example.Test.Targets[189, 0].item<float>());
        Assert.True(example.Test.Inputs[0, .., 0].equal(series[760..810]).all().item<bool>());
    }

    [Fact]
    public void Same_seed_gives_the_same_data_and_another_seed_different_noise()
    {
        using var first = SineExample.Create(seed: 7);
        using var again = SineExample.Create(seed: 7);
        using var other = SineExample.Create(seed: 8);
        Assert.True(first.Train.Inputs.equal(again.Train.Inputs).all().item<bool>());
        Assert.False(first.Train.Inputs.equal(other.Train.Inputs).all().item<bool>());
    }

    [Fact]
    public void A_series_too_short_for_every_part_is_rejected_with_the_numbers()
    {
        var tooShort = Assert.Throws<ArgumentOutOfRangeException>(() => SineExample.Create(points: 52, lookback: 50));
        Assert.Contains("the training set would be empty", tooShort.Message);
        var noWindow = Assert.Throws<ArgumentOutOfRangeException>(() => SineExample.Create(points: 50, lookback: 50));
        Assert.Equal("points", noWindow.ParamName);
        Assert.Contains("no window of 50 steps", noWindow.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SineExample.Create(lookback: 0));
    }
}
