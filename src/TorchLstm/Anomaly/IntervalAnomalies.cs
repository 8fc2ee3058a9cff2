using System.Globalization;
using TorchLstm.Forecasting;

namespace TorchLstm.Anomaly;

/// <summary>A value that fell outside its forecast interval.</summary>
/// <param name="Index">Position of the point in the checked values.</param>
/// <param name="Timestamp">Its time, when timestamps were given.</param>
/// <param name="Actual">The observed value.</param>
/// <param name="Lower">The interval's lower bound.</param>
/// <param name="Upper">The interval's upper bound.</param>
/// <param name="Severity">Distance outside the interval divided by its width (0.5 = half a width beyond the bound; infinite for a zero-width interval).</param>
public sealed record IntervalAnomalyFlag(int Index, DateTime? Timestamp, double Actual, double Lower, double Upper, double Severity);

/// <summary>The outcome of <see cref="IntervalAnomalies.Detect(IReadOnlyList{double}, IReadOnlyList{double}, IReadOnlyList{double}, IReadOnlyList{DateTime}?, IReadOnlyList{bool}?)"/>.</summary>
/// <param name="Flags">The flagged points, in order.</param>
/// <param name="IsAnomaly">One entry per checked point.</param>
/// <param name="Severity">One entry per checked point: 0 inside the interval, the distance outside relative to the width otherwise.</param>
/// <param name="Scores">Precision, recall and F1 against the labels, when labels were given.</param>
public sealed record IntervalAnomalyReport(IReadOnlyList<IntervalAnomalyFlag> Flags, IReadOnlyList<bool> IsAnomaly, IReadOnlyList<double> Severity, DetectionScores? Scores);

/// <summary>
/// Per-point anomaly thresholds from prediction intervals: a value outside the interval forecast for it is
/// flagged. Unlike <see cref="AnomalyThreshold"/>, whose one threshold on the error holds for every point, the
/// band follows the forecast's own uncertainty — narrow in calm spells, wide where the series is hard to predict.
/// </summary>
/// <remarks>
/// With a calibrated c-interval a share of about 1 − c of normal points is flagged (5 % for a 95 % interval), so
/// the nominal coverage sets the false-alarm rate; the severity ranks the flags.
/// </remarks>
public static class IntervalAnomalies
{
    /// <summary>How far <paramref name="actual"/> lies outside [<paramref name="lower"/>, <paramref name="upper"/>], relative to the width; 0 inside.</summary>
    /// <exception cref="ArgumentException">A value is not finite or <paramref name="upper"/> is below <paramref name="lower"/>.</exception>
    public static double Severity(double actual, double lower, double upper)
    {
        if (!double.IsFinite(actual) || !double.IsFinite(lower) || !double.IsFinite(upper) || upper < lower)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"an interval check needs finite values and lower ≤ upper; got value {actual}, interval [{lower}, {upper}]"));
        double outside = actual > upper ? actual - upper : actual < lower ? lower - actual : 0;
        if (outside == 0) return 0;
        double width = upper - lower;
        return width > 0 ? outside / width : double.PositiveInfinity;
    }

    /// <summary>
    /// Flags every value outside its interval, with timestamps when given, and scores the flags against
    /// <paramref name="labels"/> when given.
    /// </summary>
    /// <param name="actual">Observed values, one per point.</param>
    /// <param name="lower">Lower bound of each point's interval.</param>
    /// <param name="upper">Upper bound of each point's interval.</param>
    /// <param name="timestamps">Time of each point; optional.</param>
    /// <param name="labels">Whether each point really is an anomaly; optional.</param>
    /// <exception cref="ArgumentException">The lists are empty or differ in length, or a point has a non-finite value or an upper bound below its lower bound (the message gives its index).</exception>
    public static IntervalAnomalyReport Detect(
        IReadOnlyList<double> actual, IReadOnlyList<double> lower, IReadOnlyList<double> upper,
        IReadOnlyList<DateTime>? timestamps = null, IReadOnlyList<bool>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        int n = actual.Count;
        if (n == 0) throw new ArgumentException("no values to check; give one value per point", nameof(actual));
        CheckLength(lower.Count, n, nameof(lower));
        CheckLength(upper.Count, n, nameof(upper));
        if (timestamps is not null) CheckLength(timestamps.Count, n, nameof(timestamps));
        if (labels is not null) CheckLength(labels.Count, n, nameof(labels));

        var flagged = new bool[n];
        var severity = new double[n];
        var flags = new List<IntervalAnomalyFlag>();
        for (int i = 0; i < n; i++)
        {
            try
            {
                severity[i] = Severity(actual[i], lower[i], upper[i]);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"point {i}: {e.Message}", nameof(actual), e);
            }
            flagged[i] = actual[i] < lower[i] || actual[i] > upper[i];
            if (flagged[i]) flags.Add(new IntervalAnomalyFlag(i, timestamps?[i], actual[i], lower[i], upper[i], severity[i]));
        }
        return new IntervalAnomalyReport(flags, flagged, severity, labels is null ? null : DetectionScores.Compute(flagged, labels));
    }

    /// <summary>
    /// Flags every window's value at horizon step <paramref name="step"/> that falls outside the central interval of
    /// nominal coverage <paramref name="nominal"/> of quantile forecasts (from <see cref="IProbabilisticForecaster.PredictQuantiles"/>).
    /// </summary>
    /// <param name="quantiles">Quantile forecasts, [window, horizon step, level].</param>
    /// <param name="levels">The levels of the last dimension; must hold (1 − nominal)/2 and (1 + nominal)/2.</param>
    /// <param name="actual">Actual values, [window, horizon step].</param>
    /// <param name="nominal">Nominal coverage of the interval, e.g. 0.95.</param>
    /// <param name="step">Horizon step checked, 0 for the next value.</param>
    /// <param name="timestamps">Time of each window's checked value; optional.</param>
    /// <param name="labels">Whether each checked value really is an anomaly; optional.</param>
    /// <exception cref="ArgumentException">The interval's quantiles are not among the levels, or the shapes differ.</exception>
    public static IntervalAnomalyReport Detect(
        double[,,] quantiles, IReadOnlyList<double> levels, double[,] actual, double nominal, int step = 0,
        IReadOnlyList<DateTime>? timestamps = null, IReadOnlyList<bool>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(actual);
        var (low, high) = PredictionIntervals.Bounds(quantiles, levels, nominal, step);
        if (actual.GetLength(0) != low.Length || actual.GetLength(1) != quantiles.GetLength(1))
            throw new ArgumentException(
                $"the actual values are shaped [{actual.GetLength(0)}, {actual.GetLength(1)}] but the forecasts cover [{low.Length} windows, {quantiles.GetLength(1)} steps]",
                nameof(actual));
        var values = Enumerable.Range(0, low.Length).Select(i => actual[i, step]).ToArray();
        return Detect(values, low, high, timestamps, labels);
    }

    private static void CheckLength(int count, int expected, string name)
    {
        if (count != expected)
            throw new ArgumentException($"{name} has {count} entries but there are {expected} values; give one per value", name);
    }
}
