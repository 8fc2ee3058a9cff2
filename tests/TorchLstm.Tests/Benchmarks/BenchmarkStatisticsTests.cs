using TorchLstm.Benchmarks;

namespace TorchLstm.Tests.Benchmarks;

public class BenchmarkStatisticsTests
{
    [Fact]
    public void Median_of_odd_and_even_counts_ignores_order()
    {
        Assert.Equal(3.0, BenchmarkStatistics.Median([5, 1, 3]));
        Assert.Equal(2.5, BenchmarkStatistics.Median([4, 1, 3, 2]));
        Assert.Equal(7.0, BenchmarkStatistics.Median([7]));
    }

    [Theory]
    // Reference values from numpy.percentile(range(1, 11), p) (linear interpolation).
    [InlineData(0, 1.0)]
    [InlineData(50, 5.5)]
    [InlineData(90, 9.1)]
    [InlineData(99, 9.91)]
    [InlineData(100, 10.0)]
    public void Percentile_interpolates_between_closest_ranks_like_numpy(double percent, double expected)
    {
        double[] values = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
        Assert.Equal(expected, BenchmarkStatistics.Percentile(values, percent), precision: 10);
    }

    [Fact]
    public void Percentile_rejects_a_percent_outside_0_to_100_and_empty_or_NaN_samples()
    {
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => BenchmarkStatistics.Percentile([1, 2], 101));
        Assert.Equal("percent", outside.ParamName);
        var empty = Assert.Throws<ArgumentException>(() => BenchmarkStatistics.Median([]));
        Assert.Contains("at least one value", empty.Message);
        var nan = Assert.Throws<ArgumentException>(() => BenchmarkStatistics.Median([1, double.NaN]));
        Assert.Contains("value 1 is NaN", nan.Message);
    }

    [Fact]
    public void Paired_ratio_is_the_median_of_per_pair_ratios_not_the_ratio_of_medians()
    {
        // Load rose during the run: both sides slowed together; per-pair ratios stay at 1.1.
        double[] runner = [110, 220, 440];
        double[] bare = [100, 200, 400];
        Assert.Equal(1.1, BenchmarkStatistics.PairedRatio(runner, bare), precision: 12);
        // One pair hit by a spike on one side only: the median ignores it.
        Assert.Equal(1.0, BenchmarkStatistics.PairedRatio([100, 500, 100], [100, 100, 100]), precision: 12);
    }

    [Fact]
    public void Paired_ratio_with_spread_gives_the_median_and_interquartile_range_of_the_pair_ratios()
    {
        // Pair ratios 1.0, 1.1, 1.2, 1.3, 2.0: median 1.2, quartiles 1.1 and 1.3 (numpy's linear rule).
        var summary = BenchmarkStatistics.PairedRatioWithSpread([100, 220, 360, 520, 1000], [100, 200, 300, 400, 500]);
        Assert.Equal(1.2, summary.Median, precision: 12);
        Assert.Equal(1.1, summary.Low, precision: 12);
        Assert.Equal(1.3, summary.High, precision: 12);
        Assert.Equal(0.1, summary.HalfSpread, precision: 12);
        Assert.Equal(5, summary.Pairs);
        Assert.Equal("1.200 (IQR 1.100–1.300, 5 pairs)", summary.ToString());
        var zero = Assert.Throws<ArgumentException>(() => BenchmarkStatistics.PairedRatioWithSpread([1], [0]));
        Assert.Contains("denominator 0 is 0", zero.Message);
    }

    [Fact]
    public void Paired_ratio_rejects_mismatched_lengths_and_non_positive_denominators()
    {
        var lengths = Assert.Throws<ArgumentException>(() => BenchmarkStatistics.PairedRatio([1, 2], [1]));
        Assert.Contains("2 numerators and 1 denominators", lengths.Message);
        var zero = Assert.Throws<ArgumentException>(() => BenchmarkStatistics.PairedRatio([1, 2], [1, 0]));
        Assert.Contains("denominator 1 is 0", zero.Message);
    }

    [Fact]
    public void Line_fit_recovers_an_exact_line_with_R_squared_1()
    {
        double[] x = [25, 50, 100, 200, 400, 800];
        var fit = BenchmarkStatistics.FitLine(x, x.Select(t => 3.5 * t + 12).ToArray());
        Assert.Equal(3.5, fit.Slope, precision: 10);
        Assert.Equal(12, fit.Intercept, precision: 8);
        Assert.Equal(1, fit.RSquared, precision: 12);
        Assert.Equal(3.5 * 1000 + 12, fit.Predict(1000), precision: 6);
    }

    [Fact]
    public void Line_fit_of_scattered_points_matches_the_textbook_values()
    {
        // numpy.polyfit([1,2,3,4,5], [2,4,5,4,5], 1) = [0.6, 2.2]; R² = 0.6.
        var fit = BenchmarkStatistics.FitLine([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]);
        Assert.Equal(0.6, fit.Slope, precision: 12);
        Assert.Equal(2.2, fit.Intercept, precision: 12);
        Assert.Equal(0.6, fit.RSquared, precision: 12);
    }

    [Fact]
    public void Line_fit_rejects_too_few_points_and_constant_x()
    {
        Assert.Contains("at least 2 points", Assert.Throws<ArgumentException>(() => BenchmarkStatistics.FitLine([1], [1])).Message);
        Assert.Contains("every x is the same", Assert.Throws<ArgumentException>(() => BenchmarkStatistics.FitLine([2, 2, 2], [1, 2, 3])).Message);
        Assert.Contains("must be finite", Assert.Throws<ArgumentException>(() => BenchmarkStatistics.FitLine([1, 2], [1, double.PositiveInfinity])).Message);
    }
}
