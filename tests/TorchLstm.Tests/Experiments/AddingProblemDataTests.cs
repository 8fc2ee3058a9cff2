using TorchLstm.Data;
using TorchSharp;

namespace TorchLstm.Tests.Experiments;

public class AddingProblemDataTests
{
    [Fact]
    public void Every_sequence_has_one_marker_in_each_half_and_the_target_is_the_marked_sum()
    {
        const int count = 500, length = 13; // odd: first half is steps 0..5, second half 6..12
        using var data = AddingProblemData.Generate(count, length, seed: 7);
        Assert.Equal([count, length, 2L], data.Inputs.shape);
        Assert.Equal([count, 1L], data.Targets.shape);

        float[] inputs = data.Inputs.data<float>().ToArray();
        float[] targets = data.Targets.data<float>().ToArray();
        bool firstHalfSeenAtEdges = false, secondHalfSeenAtEdges = false;
        for (int n = 0; n < count; n++)
        {
            var marked = new List<int>();
            double sum = 0;
            for (int t = 0; t < length; t++)
            {
                float value = inputs[(n * length + t) * 2 + AddingProblemData.ValueChannel];
                float marker = inputs[(n * length + t) * 2 + AddingProblemData.MarkerChannel];
                Assert.InRange(value, 0f, 1f);
                Assert.True(marker is 0f or 1f, $"marker {marker} at sequence {n}, step {t}");
                if (marker == 1f) { marked.Add(t); sum += value; }
            }
            Assert.Equal(2, marked.Count);
            Assert.InRange(marked[0], 0, length / 2 - 1);
            Assert.InRange(marked[1], length / 2, length - 1);
            firstHalfSeenAtEdges |= marked[0] == 0 || marked[0] == length / 2 - 1;
            secondHalfSeenAtEdges |= marked[1] == length / 2 || marked[1] == length - 1;
            Assert.Equal(sum, targets[n], 5);
        }
        // The marker positions cover each half up to its ends, not a narrower range.
        Assert.True(firstHalfSeenAtEdges && secondHalfSeenAtEdges);
    }

    [Fact]
    public void Same_seed_gives_the_same_samples_and_another_seed_different_ones()
    {
        using var a = AddingProblemData.Generate(64, 20, seed: 3);
        using var b = AddingProblemData.Generate(64, 20, seed: 3);
        using var c = AddingProblemData.Generate(64, 20, seed: 4);
        Assert.True(a.Inputs.eq(b.Inputs).all().item<bool>());
        Assert.True(a.Targets.eq(b.Targets).all().item<bool>());
        Assert.False(a.Inputs.eq(c.Inputs).all().item<bool>());
    }

    [Fact]
    public void Predicting_one_scores_about_one_sixth_on_a_large_sample()
    {
        using var data = AddingProblemData.Generate(40_000, 4, seed: 11);
        double mse = AddingProblemData.ConstantPredictionMse(data);
        // Standard error of the mean of (S - 1)² over 40 000 draws is about 0.001.
        Assert.InRange(mse, AddingProblemData.ExpectedBaselineMse - 0.005, AddingProblemData.ExpectedBaselineMse + 0.005);
        // Any other constant does worse: MSE(c) = 1/6 + (c - 1)².
        Assert.Equal(mse + 0.25, AddingProblemData.ConstantPredictionMse(data, 1.5), 2);
    }

    [Theory]
    [InlineData(0, 10, "count")]
    [InlineData(10, 1, "length")]
    public void Too_few_sequences_or_steps_are_rejected_by_name(int count, int length, string parameter)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => AddingProblemData.Generate(count, length, seed: 1));
        Assert.Equal(parameter, e.ParamName);
    }
}
