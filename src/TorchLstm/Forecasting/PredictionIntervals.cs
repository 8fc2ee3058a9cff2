using System.Globalization;
using Microsoft.Data.Analysis;

namespace TorchLstm.Forecasting;

/// <summary>How often a central prediction interval held the actual value, and how wide it was.</summary>
/// <param name="Nominal">The interval's nominal coverage, e.g. 0.8 for the 10 %–90 % quantiles.</param>
/// <param name="Coverage">Share of actual values inside the interval, bounds included.</param>
/// <param name="MeanWidth">Mean upper − lower bound, on the target's scale.</param>
/// <param name="Count">Forecasts checked (windows × horizon steps).</param>
public sealed record IntervalCoverage(double Nominal, double Coverage, double MeanWidth, int Count)
{
    /// <summary>e.g. "80 % interval: coverage 78.2 % (mean width 6.31, 293 forecasts)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Nominal * 100:0.#} % interval: coverage {Coverage * 100:0.0} % (mean width {MeanWidth:G4}, {Count} forecasts)");
}

/// <summary>
/// Checks quantile forecasts against what happened: coverage and width of central intervals, the pinball loss
/// of every level, and a calibration report of both.
/// </summary>
/// <remarks>
/// Quantile forecasts are shaped [window, horizon step, level] as <see cref="IProbabilisticForecaster.PredictQuantiles"/>
/// returns them; actual values [window, horizon step]. The central interval of nominal coverage c is bounded by the
/// (1 − c)/2 and (1 + c)/2 quantiles, which must be among the levels (within 1e-9).
/// </remarks>
public static class PredictionIntervals
{
    private const double LevelTolerance = 1e-9;

    /// <summary>The nominal coverages the calibration report shows when their quantiles are present.</summary>
    public static IReadOnlyList<double> ReportedIntervals { get; } = [0.8, 0.95];

    /// <summary>Empirical coverage and mean width of the central interval of nominal coverage <paramref name="nominal"/>.</summary>
    /// <param name="quantiles">Quantile forecasts, [window, horizon step, level].</param>
    /// <param name="levels">The levels of the last dimension.</param>
    /// <param name="actual">Actual values, [window, horizon step].</param>
    /// <param name="nominal">Nominal coverage in (0, 1), e.g. 0.8 (uses the 0.1 and 0.9 quantiles).</param>
    /// <exception cref="ArgumentException">The shapes differ, or the interval's quantiles are not among the levels (the message lists them).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nominal"/> is not strictly between 0 and 1.</exception>
    public static IntervalCoverage Coverage(double[,,] quantiles, IReadOnlyList<double> levels, double[,] actual, double nominal)
    {
        CheckShapes(quantiles, levels, actual);
        var (lower, upper) = IntervalLevels(levels, nominal);
        int inside = 0, count = 0;
        double width = 0;
        for (int i = 0; i < actual.GetLength(0); i++)
            for (int h = 0; h < actual.GetLength(1); h++)
            {
                double low = quantiles[i, h, lower], high = quantiles[i, h, upper], y = actual[i, h];
                if (y >= low && y <= high) inside++;
                width += high - low;
                count++;
            }
        return new IntervalCoverage(nominal, count == 0 ? double.NaN : (double)inside / count, count == 0 ? double.NaN : width / count, count);
    }

    /// <summary>
    /// The bounds of the central interval of nominal coverage <paramref name="nominal"/> at one horizon step,
    /// one pair per window.
    /// </summary>
    /// <param name="quantiles">Quantile forecasts, [window, horizon step, level].</param>
    /// <param name="levels">The levels of the last dimension.</param>
    /// <param name="nominal">Nominal coverage in (0, 1).</param>
    /// <param name="step">Horizon step, 0 for the next value.</param>
    /// <exception cref="ArgumentException">The interval's quantiles are not among the levels.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nominal"/> or <paramref name="step"/> is out of range.</exception>
    public static (double[] Lower, double[] Upper) Bounds(double[,,] quantiles, IReadOnlyList<double> levels, double nominal, int step = 0)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        ArgumentNullException.ThrowIfNull(levels);
        if (quantiles.GetLength(2) != levels.Count)
            throw new ArgumentException($"the quantile forecasts hold {quantiles.GetLength(2)} levels but {levels.Count} were named", nameof(levels));
        if (step < 0 || step >= quantiles.GetLength(1))
            throw new ArgumentOutOfRangeException(nameof(step), step, $"the forecasts have {quantiles.GetLength(1)} horizon steps; step must be in [0, {quantiles.GetLength(1) - 1}]");
        var (lower, upper) = IntervalLevels(levels, nominal);
        int n = quantiles.GetLength(0);
        var low = new double[n];
        var high = new double[n];
        for (int i = 0; i < n; i++)
        {
            low[i] = quantiles[i, step, lower];
            high[i] = quantiles[i, step, upper];
        }
        return (low, high);
    }

    /// <summary>The mean pinball loss of each level over every window and horizon step (lower is better; 0 only for perfect quantiles).</summary>
    /// <param name="quantiles">Quantile forecasts, [window, horizon step, level].</param>
    /// <param name="levels">The levels of the last dimension.</param>
    /// <param name="actual">Actual values, [window, horizon step].</param>
    /// <returns>One loss per level: the mean of max(τ·e, (τ − 1)·e) with e = actual − quantile.</returns>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static double[] PinballLoss(double[,,] quantiles, IReadOnlyList<double> levels, double[,] actual)
    {
        CheckShapes(quantiles, levels, actual);
        var losses = new double[levels.Count];
        int count = actual.Length;
        for (int q = 0; q < levels.Count; q++)
        {
            double tau = levels[q], sum = 0;
            for (int i = 0; i < actual.GetLength(0); i++)
                for (int h = 0; h < actual.GetLength(1); h++)
                {
                    double e = actual[i, h] - quantiles[i, h, q];
                    sum += Math.Max(tau * e, (tau - 1) * e);
                }
            losses[q] = count == 0 ? double.NaN : sum / count;
        }
        return losses;
    }

    /// <summary>
    /// A calibration report: one row per central interval in <see cref="ReportedIntervals"/> whose quantiles are
    /// present (nominal against empirical coverage and the mean width), then one row per level (the level against
    /// the share of actual values at or below its quantile, and its pinball loss).
    /// </summary>
    /// <param name="quantiles">Quantile forecasts, [window, horizon step, level].</param>
    /// <param name="levels">The levels of the last dimension.</param>
    /// <param name="actual">Actual values, [window, horizon step].</param>
    /// <returns>Columns <c>item</c> (e.g. <c>80 % interval</c>, <c>q0.1</c>), <c>nominal</c>, <c>empirical</c>,
    /// <c>mean_width</c> (intervals only) and <c>pinball</c> (levels only); missing cells are null.</returns>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static DataFrame CalibrationReport(double[,,] quantiles, IReadOnlyList<double> levels, double[,] actual)
    {
        CheckShapes(quantiles, levels, actual);
        var item = new StringDataFrameColumn("item");
        var nominal = new DoubleDataFrameColumn("nominal");
        var empirical = new DoubleDataFrameColumn("empirical");
        var width = new DoubleDataFrameColumn("mean_width");
        var pinball = new DoubleDataFrameColumn("pinball");
        foreach (double interval in ReportedIntervals)
        {
            if (!HasInterval(levels, interval)) continue;
            var coverage = Coverage(quantiles, levels, actual, interval);
            item.Append(string.Create(CultureInfo.InvariantCulture, $"{interval * 100:0.#} % interval"));
            nominal.Append(interval);
            empirical.Append(coverage.Coverage);
            width.Append(coverage.MeanWidth);
            pinball.Append(null);
        }
        var losses = PinballLoss(quantiles, levels, actual);
        for (int q = 0; q < levels.Count; q++)
        {
            int below = 0;
            for (int i = 0; i < actual.GetLength(0); i++)
                for (int h = 0; h < actual.GetLength(1); h++)
                    if (actual[i, h] <= quantiles[i, h, q]) below++;
            item.Append(string.Create(CultureInfo.InvariantCulture, $"q{levels[q]:0.###}"));
            nominal.Append(levels[q]);
            empirical.Append(actual.Length == 0 ? double.NaN : (double)below / actual.Length);
            width.Append(null);
            pinball.Append(losses[q]);
        }
        return new DataFrame(item, nominal, empirical, width, pinball);
    }

    /// <summary>Whether the quantiles bounding the central interval of nominal coverage <paramref name="nominal"/> are among <paramref name="levels"/>.</summary>
    public static bool HasInterval(IReadOnlyList<double> levels, double nominal)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (!(nominal > 0 && nominal < 1)) return false;
        double alpha = (1 - nominal) / 2;
        return IndexOf(levels, alpha) >= 0 && IndexOf(levels, 1 - alpha) >= 0;
    }

    /// <summary>Indices of the lower and upper quantile of the central interval of nominal coverage <paramref name="nominal"/>.</summary>
    internal static (int Lower, int Upper) IntervalLevels(IReadOnlyList<double> levels, double nominal)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (!(nominal > 0 && nominal < 1))
            throw new ArgumentOutOfRangeException(nameof(nominal), nominal, $"the nominal coverage must be strictly between 0 and 1, e.g. 0.8 (got {nominal.ToString(CultureInfo.InvariantCulture)})");
        double alpha = (1 - nominal) / 2;
        int lower = IndexOf(levels, alpha), upper = IndexOf(levels, 1 - alpha);
        if (lower < 0 || upper < 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"the {nominal * 100:0.###} % central interval needs the {alpha:0.####} and {1 - alpha:0.####} quantiles, but the levels are [{string.Join(", ", levels.Select(l => l.ToString("0.####", CultureInfo.InvariantCulture)))}]"),
                nameof(levels));
        return (lower, upper);
    }

    private static int IndexOf(IReadOnlyList<double> levels, double level)
    {
        for (int i = 0; i < levels.Count; i++)
            if (Math.Abs(levels[i] - level) <= LevelTolerance) return i;
        return -1;
    }

    private static void CheckShapes(double[,,] quantiles, IReadOnlyList<double> levels, double[,] actual)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        ArgumentNullException.ThrowIfNull(levels);
        ArgumentNullException.ThrowIfNull(actual);
        if (quantiles.GetLength(2) != levels.Count)
            throw new ArgumentException($"the quantile forecasts hold {quantiles.GetLength(2)} levels but {levels.Count} were named", nameof(levels));
        if (quantiles.GetLength(0) != actual.GetLength(0) || quantiles.GetLength(1) != actual.GetLength(1))
            throw new ArgumentException(
                $"the quantile forecasts cover [{quantiles.GetLength(0)} windows, {quantiles.GetLength(1)} steps] but the actual values are shaped [{actual.GetLength(0)}, {actual.GetLength(1)}]",
                nameof(actual));
    }
}
