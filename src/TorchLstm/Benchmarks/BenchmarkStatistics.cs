namespace TorchLstm.Benchmarks;

/// <summary>A least-squares line <c>y = Slope · x + Intercept</c> and how well it explains the points.</summary>
/// <param name="Slope">Change of y per unit of x.</param>
/// <param name="Intercept">y at x = 0.</param>
/// <param name="RSquared">Coefficient of determination: 1 for points exactly on the line, 0 for a line no better than the mean of y.</param>
public sealed record LinearFit(double Slope, double Intercept, double RSquared)
{
    /// <summary>The fitted y at <paramref name="x"/>.</summary>
    public double Predict(double x) => Slope * x + Intercept;
}

/// <summary>
/// A ratio measured as many back-to-back pairs: the median of the per-pair ratios and how far they spread.
/// </summary>
/// <param name="Median">The median per-pair ratio: the figure to quote.</param>
/// <param name="Low">The 25th percentile of the per-pair ratios.</param>
/// <param name="High">The 75th percentile of the per-pair ratios.</param>
/// <param name="Pairs">How many pairs were measured.</param>
public sealed record PairedRatioSummary(double Median, double Low, double High, int Pairs)
{
    /// <summary>Half the interquartile range, the "±" to print next to the median.</summary>
    public double HalfSpread => (High - Low) / 2;

    /// <summary>For example <c>1.012 (IQR 1.004–1.020, 15 pairs)</c>.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Median:F3} (IQR {Low:F3}–{High:F3}, {Pairs} pairs)");
}

/// <summary>
/// The robust summaries a benchmark on a shared machine needs: medians, percentiles, ratios of
/// paired runs, and straight-line fits for "does cost grow linearly".
/// </summary>
public static class BenchmarkStatistics
{
    /// <summary>The middle value (mean of the two middle values for an even count).</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty or holds a NaN.</exception>
    public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);

    /// <summary>
    /// The <paramref name="percent"/>-th percentile with linear interpolation between closest ranks
    /// (numpy's default): rank <c>p/100 · (n − 1)</c> of the sorted values.
    /// </summary>
    /// <param name="values">Samples, in any order.</param>
    /// <param name="percent">Accepted: 0 to 100 (0 is the minimum, 100 the maximum).</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty or holds a NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percent"/> is outside [0, 100].</exception>
    public static double Percentile(IReadOnlyList<double> values, double percent)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(percent >= 0 && percent <= 100))
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "the percentile must be in [0, 100]");
        double[] sorted = Sorted(values, nameof(values));
        double rank = percent / 100 * (sorted.Length - 1);
        int below = (int)Math.Floor(rank);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>
    /// The median of the per-pair ratios <c>numerators[i] / denominators[i]</c>. Each pair ran back to
    /// back, so a change of machine load between pairs cancels within the pair instead of skewing one side.
    /// </summary>
    /// <exception cref="ArgumentException">The lists are empty or of different lengths, or a denominator is not positive.</exception>
    public static double PairedRatio(IReadOnlyList<double> numerators, IReadOnlyList<double> denominators) =>
        Median(PairRatios(numerators, denominators));

    private static double[] PairRatios(IReadOnlyList<double> numerators, IReadOnlyList<double> denominators)
    {
        ArgumentNullException.ThrowIfNull(numerators);
        ArgumentNullException.ThrowIfNull(denominators);
        if (numerators.Count != denominators.Count)
            throw new ArgumentException(
                $"paired ratios need one denominator per numerator; got {numerators.Count} numerators and {denominators.Count} denominators",
                nameof(denominators));
        var ratios = new double[numerators.Count];
        for (int i = 0; i < ratios.Length; i++)
        {
            if (!(denominators[i] > 0))
                throw new ArgumentException($"denominator {i} is {denominators[i]}; timings must be positive", nameof(denominators));
            ratios[i] = numerators[i] / denominators[i];
        }
        return ratios;
    }

    /// <summary>
    /// <see cref="PairedRatio"/> with its spread: the median of the per-pair ratios and their interquartile
    /// range. A benchmark on a shared machine should print both, so a reader can tell a 2 % difference
    /// from noise.
    /// </summary>
    /// <exception cref="ArgumentException">The lists are empty or of different lengths, or a denominator is not positive.</exception>
    public static PairedRatioSummary PairedRatioWithSpread(IReadOnlyList<double> numerators, IReadOnlyList<double> denominators)
    {
        var ratios = PairRatios(numerators, denominators);
        return new PairedRatioSummary(Median(ratios), Percentile(ratios, 25), Percentile(ratios, 75), ratios.Length);
    }

    /// <summary>Ordinary least-squares fit of <paramref name="y"/> against <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than two points, lengths differ, a value is not finite, or every x is the same.</exception>
    public static LinearFit FitLine(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
            throw new ArgumentException($"a fit needs one y per x; got {x.Count} x and {y.Count} y values", nameof(y));
        if (x.Count < 2)
            throw new ArgumentException($"a line needs at least 2 points; got {x.Count}", nameof(x));
        double meanX = 0, meanY = 0;
        for (int i = 0; i < x.Count; i++)
        {
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i]))
                throw new ArgumentException($"point {i} is ({x[i]}, {y[i]}); every coordinate must be finite", nameof(x));
            meanX += x[i];
            meanY += y[i];
        }
        meanX /= x.Count;
        meanY /= x.Count;
        double sxx = 0, sxy = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double dx = x[i] - meanX, dy = y[i] - meanY;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        if (sxx == 0)
            throw new ArgumentException("every x is the same; a slope cannot be fitted", nameof(x));
        double slope = sxy / sxx;
        double intercept = meanY - slope * meanX;
        // All y equal: the horizontal line explains them exactly.
        double rSquared = syy == 0 ? 1 : sxy * sxy / (sxx * syy);
        return new LinearFit(slope, intercept, rSquared);
    }

    private static double[] Sorted(IReadOnlyList<double> values, string paramName)
    {
        if (values.Count == 0)
            throw new ArgumentException("at least one value is needed", paramName);
        var sorted = new double[values.Count];
        for (int i = 0; i < sorted.Length; i++)
        {
            if (double.IsNaN(values[i]))
                throw new ArgumentException($"value {i} is NaN; timings must be numbers", paramName);
            sorted[i] = values[i];
        }
        Array.Sort(sorted);
        return sorted;
    }
}
