using System.Globalization;

namespace TorchLstm.Anomaly;

/// <summary>How <see cref="AnomalyThreshold.Fit"/> turns the errors of normal data into a threshold.</summary>
public enum ThresholdMethod
{
    /// <summary>The <see cref="ThresholdOptions.Quantile"/> of the normal errors: a chosen share of normal points is flagged.</summary>
    Quantile,
    /// <summary>Mean + <see cref="ThresholdOptions.Sigmas"/> · standard deviation of the normal errors (the "3σ rule").</summary>
    Sigma,
}

/// <summary>Options of <see cref="AnomalyThreshold.Fit"/>; the default is the 3σ rule.</summary>
public sealed record ThresholdOptions
{
    /// <summary>The fitting method.</summary>
    public ThresholdMethod Method { get; init; } = ThresholdMethod.Sigma;

    /// <summary>Quantile for <see cref="ThresholdMethod.Quantile"/>; accepted: strictly between 0 and 1 (typical 0.99).</summary>
    public double Quantile { get; init; } = 0.99;

    /// <summary>k of mean + k·σ for <see cref="ThresholdMethod.Sigma"/>; accepted: finite and greater than 0 (typical 3).</summary>
    public double Sigmas { get; init; } = 3.0;

    /// <summary>Checks the options.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its accepted range; the parameter name is the property's.</exception>
    public ThresholdOptions Validate()
    {
        if (!Enum.IsDefined(Method))
            throw new ArgumentOutOfRangeException(nameof(Method), Method, $"ThresholdOptions.Method must be Quantile or Sigma (got {Method}).");
        if (!(Quantile > 0 && Quantile < 1))
            throw new ArgumentOutOfRangeException(nameof(Quantile), Quantile, $"ThresholdOptions.Quantile must be strictly between 0 and 1, e.g. 0.99 (got {Quantile.ToString(CultureInfo.InvariantCulture)}).");
        if (!double.IsFinite(Sigmas) || Sigmas <= 0)
            throw new ArgumentOutOfRangeException(nameof(Sigmas), Sigmas, $"ThresholdOptions.Sigmas must be finite and greater than 0, e.g. 3 (got {Sigmas.ToString(CultureInfo.InvariantCulture)}).");
        return this;
    }
}

/// <summary>
/// An alarm level on forecast error, fitted on data known to be normal: a point whose error exceeds
/// <see cref="Value"/> is flagged (the seed's flow chart: train on normal data, predict, compare the
/// prediction error to a threshold, alarm).
/// </summary>
/// <param name="Value">The threshold; errors strictly above it are anomalies.</param>
/// <param name="Options">How it was fitted.</param>
/// <param name="Mean">Mean of the normal errors.</param>
/// <param name="StandardDeviation">Population standard deviation of the normal errors.</param>
/// <param name="SampleCount">Number of normal errors it was fitted on.</param>
public sealed record AnomalyThreshold(double Value, ThresholdOptions Options, double Mean, double StandardDeviation, int SampleCount)
{
    /// <summary>Fits a threshold on the errors of normal data (for example validation-set forecast errors).</summary>
    /// <param name="normalErrors">Errors of normal points; at least 2, all finite.</param>
    /// <param name="options">Method and its parameter; the 3σ rule when null.</param>
    /// <exception cref="ArgumentException">Fewer than 2 errors, or a NaN or infinite error (the message gives its index).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its accepted range.</exception>
    public static AnomalyThreshold Fit(IReadOnlyList<double> normalErrors, ThresholdOptions? options = null)
    {
        options = (options ?? new ThresholdOptions()).Validate();
        var errors = AnomalyInput.CheckErrors(normalErrors, nameof(normalErrors));
        if (errors.Length < 2)
            throw new ArgumentException($"Fitting a threshold needs at least 2 normal errors; got {errors.Length}.", nameof(normalErrors));
        double mean = errors.Average();
        double std = Math.Sqrt(errors.Sum(e => (e - mean) * (e - mean)) / errors.Length);
        double value = options.Method == ThresholdMethod.Quantile
            ? QuantileOf(errors, options.Quantile)
            : mean + options.Sigmas * std;
        return new AnomalyThreshold(value, options, mean, std, errors.Length);
    }

    /// <summary>Whether <paramref name="error"/> is above the threshold.</summary>
    public bool IsAnomaly(double error) => error > Value;

    /// <summary>
    /// Flags the errors above the threshold, with timestamps when given, and scores the flags against
    /// <paramref name="labels"/> when given.
    /// </summary>
    /// <param name="errors">Errors to check, one per point; all finite.</param>
    /// <param name="timestamps">Time of each point, same length as <paramref name="errors"/>; optional.</param>
    /// <param name="labels">Whether each point really is an anomaly, same length; optional.</param>
    /// <exception cref="ArgumentException">An error is NaN or infinite, or a list's length differs from <paramref name="errors"/>'.</exception>
    public AnomalyReport Detect(IReadOnlyList<double> errors, IReadOnlyList<DateTime>? timestamps = null, IReadOnlyList<bool>? labels = null)
    {
        var checkedErrors = AnomalyInput.CheckErrors(errors, nameof(errors));
        if (timestamps is not null && timestamps.Count != checkedErrors.Length)
            throw new ArgumentException($"timestamps has {timestamps.Count} entries but errors has {checkedErrors.Length}; give one timestamp per error.", nameof(timestamps));
        if (labels is not null && labels.Count != checkedErrors.Length)
            throw new ArgumentException($"labels has {labels.Count} entries but errors has {checkedErrors.Length}; give one label per error.", nameof(labels));

        var flagged = checkedErrors.Select(IsAnomaly).ToArray();
        var flags = new List<AnomalyFlag>();
        for (int i = 0; i < flagged.Length; i++)
            if (flagged[i]) flags.Add(new AnomalyFlag(i, timestamps?[i], checkedErrors[i], checkedErrors[i] / Value));
        return new AnomalyReport(this, flags, flagged, labels is null ? null : DetectionScores.Compute(flagged, labels));
    }

    /// <summary>A one-line description, e.g. "3σ: error > 0.1234 (mean 0.05, σ 0.02, 400 normal points)".</summary>
    public override string ToString()
    {
        string rule = Options.Method == ThresholdMethod.Quantile
            ? $"{(Options.Quantile * 100).ToString("0.###", CultureInfo.InvariantCulture)} % quantile"
            : $"mean + {Options.Sigmas.ToString("0.###", CultureInfo.InvariantCulture)}σ";
        return string.Create(CultureInfo.InvariantCulture,
            $"{rule}: error > {Value:G4} (mean {Mean:G4}, σ {StandardDeviation:G4}, {SampleCount} normal points)");
    }

    /// <summary>The q-quantile with linear interpolation between order statistics (numpy's default).</summary>
    internal static double QuantileOf(double[] values, double q)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}

/// <summary>A flagged point.</summary>
/// <param name="Index">Position of the point in the checked errors.</param>
/// <param name="Timestamp">Its time, when timestamps were given.</param>
/// <param name="Error">Its error.</param>
/// <param name="Severity">Error divided by the threshold (above 1 for every flag).</param>
public sealed record AnomalyFlag(int Index, DateTime? Timestamp, double Error, double Severity);

/// <summary>The outcome of <see cref="AnomalyThreshold.Detect"/>.</summary>
/// <param name="Threshold">The threshold used.</param>
/// <param name="Flags">The flagged points, in order.</param>
/// <param name="IsAnomaly">One entry per checked point.</param>
/// <param name="Scores">Precision, recall and F1 against the labels, when labels were given.</param>
public sealed record AnomalyReport(AnomalyThreshold Threshold, IReadOnlyList<AnomalyFlag> Flags, IReadOnlyList<bool> IsAnomaly, DetectionScores? Scores);
