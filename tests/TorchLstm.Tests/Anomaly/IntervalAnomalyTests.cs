using TorchLstm.Anomaly;

namespace TorchLstm.Tests.Anomaly;

public class IntervalAnomalyTests
{
    [Fact]
    public void Values_outside_their_own_interval_are_flagged_with_severity_relative_to_the_width_and_scored()
    {
        // A band that widens over time: the same value 3.5 is normal late and anomalous early.
        var random = new Random(1);
        int n = 200;
        var center = Enumerable.Range(0, n).Select(i => Math.Sin(i / 10.0)).ToArray();
        var halfWidth = Enumerable.Range(0, n).Select(i => 0.5 + i / 50.0).ToArray();
        var actual = center.Select((c, i) => c + halfWidth[i] * (2 * random.NextDouble() - 1) * 0.9).ToArray();
        int[] spikes = [20, 75, 130];
        foreach (int s in spikes) actual[s] = center[s] + halfWidth[s] + 3 * (2 * halfWidth[s]);
        var lower = center.Select((c, i) => c - halfWidth[i]).ToArray();
        var upper = center.Select((c, i) => c + halfWidth[i]).ToArray();
        var stamps = Enumerable.Range(0, n).Select(i => new DateTime(2024, 1, 1).AddDays(i)).ToArray();
        var labels = Enumerable.Range(0, n).Select(i => spikes.Contains(i)).ToArray();

        var report = IntervalAnomalies.Detect(actual, lower, upper, stamps, labels);

        Assert.Equal(spikes, report.Flags.Select(f => f.Index));
        Assert.All(report.Flags, f => Assert.Equal(3.0, f.Severity, 9));
        Assert.Equal(new DateTime(2024, 1, 21), report.Flags[0].Timestamp);
        Assert.Equal(1.0, report.Scores!.F1);
        Assert.Equal(0, report.Severity[0]);
    }

    [Fact]
    public void Severity_is_the_distance_outside_over_the_width()
    {
        Assert.Equal(0, IntervalAnomalies.Severity(1, 0, 2));
        Assert.Equal(0, IntervalAnomalies.Severity(2, 0, 2));
        Assert.Equal(0.25, IntervalAnomalies.Severity(2.5, 0, 2), 12);
        Assert.Equal(1.5, IntervalAnomalies.Severity(-3, 0, 2), 12);
        Assert.Equal(double.PositiveInfinity, IntervalAnomalies.Severity(1, 0, 0));
        Assert.Throws<ArgumentException>(() => IntervalAnomalies.Severity(1, 2, 0));
    }

    [Fact]
    public void From_quantile_forecasts_the_chosen_interval_and_step_are_checked()
    {
        // Two windows, two steps, levels 0.025 / 0.5 / 0.975.
        var quantiles = new double[2, 2, 3] { { { 0, 1, 2 }, { 0, 1, 4 } }, { { 5, 6, 7 }, { 5, 6, 9 } } };
        var actual = new double[2, 2] { { 3, 3 }, { 6, 10 } };
        var first = IntervalAnomalies.Detect(quantiles, [0.025, 0.5, 0.975], actual, 0.95);
        Assert.Equal([true, false], first.IsAnomaly);
        Assert.Equal(0.5, first.Flags[0].Severity, 12);
        var second = IntervalAnomalies.Detect(quantiles, [0.025, 0.5, 0.975], actual, 0.95, step: 1);
        Assert.Equal([false, true], second.IsAnomaly);
        var error = Assert.Throws<ArgumentException>(() => IntervalAnomalies.Detect(quantiles, [0.025, 0.5, 0.975], actual, 0.8));
        Assert.Contains("0.1 and 0.9 quantiles", error.Message);
        var mismatch = Assert.Throws<ArgumentException>(() => IntervalAnomalies.Detect([1.0, 2.0], [0.0], [3.0, 3.0]));
        Assert.Equal("lower", mismatch.ParamName);
    }
}
