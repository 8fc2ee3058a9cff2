using TorchLstm.Anomaly;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Anomaly;

public class AnomalyDetectionTests
{
    private static double[] Normal(int count, double mean, double std, int seed)
    {
        var random = new Random(seed);
        // Box–Muller: two uniforms give one standard normal draw.
        return Enumerable.Range(0, count)
            .Select(_ => mean + std * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))
            .ToArray();
    }

    [Fact]
    public void Quantile_threshold_interpolates_between_order_statistics()
    {
        var errors = Enumerable.Range(0, 101).Select(i => (double)(100 - i)).ToArray(); // 100, 99, …, 0
        Assert.Equal(95.0, AnomalyThreshold.Fit(errors, new ThresholdOptions { Method = ThresholdMethod.Quantile, Quantile = 0.95 }).Value, 12);
        Assert.Equal(97.5, AnomalyThreshold.Fit(errors, new ThresholdOptions { Method = ThresholdMethod.Quantile, Quantile = 0.975 }).Value, 12);
        Assert.Equal(0.75, AnomalyThreshold.Fit([0.0, 1.0], new ThresholdOptions { Method = ThresholdMethod.Quantile, Quantile = 0.75 }).Value, 12);
    }

    [Fact]
    public void Thresholds_fitted_on_a_normal_distribution_match_its_theory()
    {
        var normal = Normal(200_000, mean: 2.0, std: 0.5, seed: 7);
        var sigma = AnomalyThreshold.Fit(normal, new ThresholdOptions { Sigmas = 3 });
        Assert.Equal(2.0, sigma.Mean, 2);
        Assert.Equal(0.5, sigma.StandardDeviation, 2);
        Assert.InRange(sigma.Value, 3.48, 3.52);                       // 2 + 3 · 0.5

        var quantile = AnomalyThreshold.Fit(normal, new ThresholdOptions { Method = ThresholdMethod.Quantile, Quantile = 0.99 });
        Assert.InRange(quantile.Value, 2 + 2.326 * 0.5 - 0.015, 2 + 2.326 * 0.5 + 0.015); // z(0.99) = 2.326

        // On fresh normal data the 99 % quantile flags about 1 % and 3σ about 0.135 %.
        var fresh = Normal(100_000, 2.0, 0.5, seed: 8);
        double flaggedByQuantile = quantile.Detect(fresh).Flags.Count / (double)fresh.Length;
        double flaggedBySigma = sigma.Detect(fresh).Flags.Count / (double)fresh.Length;
        Assert.InRange(flaggedByQuantile, 0.008, 0.012);
        Assert.InRange(flaggedBySigma, 0.0008, 0.0020);
    }

    [Fact]
    public void Precision_recall_and_f1_count_the_confusion_matrix()
    {
        bool[] flagged = [true, true, false, false, true, false];
        bool[] labels = [true, false, true, false, true, false];
        var scores = DetectionScores.Compute(flagged, labels);
        Assert.Equal(new DetectionScores(TruePositives: 2, FalsePositives: 1, FalseNegatives: 1, TrueNegatives: 2), scores);
        Assert.Equal(2.0 / 3, scores.Precision, 12);
        Assert.Equal(2.0 / 3, scores.Recall, 12);
        Assert.Equal(2.0 / 3, scores.F1, 12);

        var lopsided = DetectionScores.Compute([true, false, false, false], [true, true, true, true]);
        Assert.Equal(1.0, lopsided.Precision);
        Assert.Equal(0.25, lopsided.Recall);
        Assert.Equal(0.4, lopsided.F1, 12);

        var silent = DetectionScores.Compute([false, false], [true, false]);
        Assert.Equal(0.0, silent.Precision);
        Assert.Equal(0.0, silent.F1);
    }

    [Fact]
    public void Detect_flags_points_above_the_threshold_with_timestamps_and_scores()
    {
        var threshold = AnomalyThreshold.Fit([1.0, 2.0, 3.0, 4.0, 5.0], new ThresholdOptions { Method = ThresholdMethod.Quantile, Quantile = 0.5 }); // 3
        double[] errors = [1, 3, 3.5, 0, 9];
        var start = new DateTime(2024, 1, 1);
        var times = Enumerable.Range(0, 5).Select(d => start.AddDays(d)).ToArray();

        var report = threshold.Detect(errors, times, labels: [false, true, true, false, true]);

        Assert.Equal([2, 4], report.Flags.Select(f => f.Index));
        Assert.Equal([start.AddDays(2), start.AddDays(4)], report.Flags.Select(f => f.Timestamp!.Value));
        Assert.Equal(3.0, report.Flags[1].Severity, 12);
        Assert.Equal([false, false, true, false, true], report.IsAnomaly);
        Assert.Equal(new DetectionScores(2, 0, 1, 2), report.Scores);
    }

    [Fact]
    public void Forecast_errors_average_over_the_horizon()
    {
        using var predictions = tensor(new float[,] { { 1, 2 }, { 0, 0 } });
        using var targets = tensor(new float[,] { { 2, 4 }, { 0, -1 } });
        Assert.Equal([1.5, 0.5], ForecastErrors.Compute(predictions, targets));
        Assert.Equal([2.5, 0.5], ForecastErrors.Compute(predictions, targets, ErrorKind.Squared));
        var error = Assert.Throws<ArgumentException>(() => ForecastErrors.Compute(predictions, targets.flatten()));
        Assert.Equal("targets", error.ParamName);
    }

    [Fact]
    public void Injection_is_reproducible_per_seed_and_labels_exactly_the_changed_points()
    {
        var clean = Enumerable.Range(0, 300).Select(i => Math.Sin(i * 0.1)).ToArray();
        double std = Math.Sqrt(clean.Select(v => v - clean.Average()).Sum(d => d * d) / clean.Length);
        var options = new AnomalyInjectionOptions { Count = 8, Magnitude = 5, StartIndex = 200, Seed = 3 };

        var first = AnomalyInjection.Inject(clean, options);
        var again = AnomalyInjection.Inject(clean, options);
        var other = AnomalyInjection.Inject(clean, options with { Seed = 4 });

        Assert.Equal(first.Starts, again.Starts);
        Assert.Equal(first.Values, again.Values);
        Assert.NotEqual(first.Starts, other.Starts);
        Assert.Equal(8, first.Starts.Distinct().Count());
        Assert.All(first.Starts, s => Assert.InRange(s, 200, 299));
        for (int i = 0; i < clean.Length; i++)
        {
            Assert.Equal(first.Starts.Contains(i), first.Labels[i]);
            double change = Math.Abs(first.Values[i] - clean[i]);
            Assert.Equal(first.Labels[i] ? 5 * std : 0, change, 9);
        }

        var shifts = AnomalyInjection.Inject(clean, new AnomalyInjectionOptions { Count = 3, Kind = InjectedAnomalyKind.LevelShift, Length = 10, Seed = 1 });
        Assert.Equal(30, shifts.Labels.Count(l => l));
        Assert.All(shifts.Starts.Zip(shifts.Starts.Skip(1)), pair => Assert.True(pair.Second - pair.First > 10));
    }

    [Fact]
    public void Bad_input_is_rejected_with_the_reason()
    {
        var nan = Assert.Throws<ArgumentException>(() => AnomalyThreshold.Fit([1.0, double.NaN, 2.0]));
        Assert.Equal("normalErrors", nan.ParamName);
        Assert.Contains("Error 1 is NaN", nan.Message, StringComparison.Ordinal);

        var quantile = Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyThreshold.Fit([1.0, 2.0], new ThresholdOptions { Method = ThresholdMethod.Quantile, Quantile = 1.5 }));
        Assert.Equal("Quantile", quantile.ParamName);
        Assert.Contains("strictly between 0 and 1", quantile.Message, StringComparison.Ordinal);

        var sigmas = Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyThreshold.Fit([1.0, 2.0], new ThresholdOptions { Sigmas = -1 }));
        Assert.Equal("Sigmas", sigmas.ParamName);

        var threshold = AnomalyThreshold.Fit([1.0, 2.0]);
        var labels = Assert.Throws<ArgumentException>(() => threshold.Detect([1.0, 2.0, 3.0], labels: [true]));
        Assert.Equal("labels", labels.ParamName);
        Assert.Contains("labels has 1 entries but errors has 3", labels.Message, StringComparison.Ordinal);

        var crowded = Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyInjection.Inject(new double[] { 0, 1, 0, 1, 0 }, new AnomalyInjectionOptions { Count = 4 }));
        Assert.Contains("do not fit", crowded.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => AnomalyInjection.Inject(new double[] { 1, 1, 1 }, new AnomalyInjectionOptions { Count = 1 }));
    }
}
