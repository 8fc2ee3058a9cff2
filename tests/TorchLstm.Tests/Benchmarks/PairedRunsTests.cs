using TorchLstm.Benchmarks;

namespace TorchLstm.Tests.Benchmarks;

public class PairedRunsTests
{
    [Fact]
    public void Candidates_alternate_order_between_repeats_and_keep_their_values_in_repeat_order()
    {
        var calls = new List<string>();
        int counter = 0;
        var results = PairedRuns.Run(3,
        [
            new BenchmarkCandidate("a", () => { calls.Add("a"); return ++counter; }),
            new BenchmarkCandidate("b", () => { calls.Add("b"); return ++counter * 10; }),
        ]);
        Assert.Equal(["a", "b", "b", "a", "a", "b"], calls);
        Assert.Equal([1.0, 4, 5], results["a"]);
        Assert.Equal([20.0, 30, 60], results["b"]);
    }

    [Fact]
    public void Order_reverses_on_odd_repeats()
    {
        Assert.Equal([0, 1, 2], PairedRuns.Order(3, 0));
        Assert.Equal([2, 1, 0], PairedRuns.Order(3, 1));
        Assert.Equal([0, 1, 2], PairedRuns.Order(3, 4));
    }

    [Fact]
    public void Duplicate_names_and_zero_repeats_are_rejected()
    {
        var duplicate = Assert.Throws<ArgumentException>(() => PairedRuns.Run(1, [new("x", () => 1), new("x", () => 2)]));
        Assert.Contains("two candidates are named 'x'", duplicate.Message);
        Assert.Equal("repeats", Assert.Throws<ArgumentOutOfRangeException>(() => PairedRuns.Run(0, [new("x", () => 1)])).ParamName);
    }

    [Fact]
    public void The_PyTorch_baseline_output_is_read_from_its_last_line()
    {
        var run = PythonBaseline.Parse("a warning\n{\"torch_version\": \"1.13.0\", \"threads\": 1, \"ms_per_epoch\": [1500.5, 1490.25]}\n");
        Assert.Equal("1.13.0", run.TorchVersion);
        Assert.Equal(1, run.Threads);
        Assert.Equal([1500.5, 1490.25], run.MillisecondsPerEpoch);
    }
}
