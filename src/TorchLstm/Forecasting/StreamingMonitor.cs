using System.Globalization;
using TorchLstm.Anomaly;

namespace TorchLstm.Forecasting;

/// <summary>What <see cref="StreamingMonitor.Observe(double[])"/> saw and forecasts next.</summary>
/// <param name="Step">Observations seen, this one included.</param>
/// <param name="Timestamp">The observation's time, when given.</param>
/// <param name="Observed">The observed target value.</param>
/// <param name="Lower">Lower bound of the interval forecast for this value at the previous step; null for the first observation.</param>
/// <param name="Upper">Upper bound of that interval; null for the first observation.</param>
/// <param name="IsAnomaly">Whether the value fell outside that interval.</param>
/// <param name="Severity">Distance outside the interval relative to its width; 0 inside.</param>
/// <param name="NextForecast">The point forecast of the next value.</param>
/// <param name="NextLower">Lower bound of the next value's interval.</param>
/// <param name="NextUpper">Upper bound of the next value's interval.</param>
/// <param name="Replaced">Whether the predictor was fed the forecast instead of this flagged value (<see cref="StreamingMonitor.ReplaceFlagged"/>).</param>
public sealed record MonitoringStep(
    long Step, DateTime? Timestamp, double Observed, double? Lower, double? Upper, bool IsAnomaly, double Severity,
    double NextForecast, double NextLower, double NextUpper, bool Replaced);

/// <summary>
/// Watches a stream with a quantile network: each new observation is checked against the interval forecast for
/// it one step earlier (a per-point threshold: flagged when outside, with a severity), then fed to the
/// <see cref="StreamingPredictor"/>, which carries the recurrent state and gives the next interval.
/// </summary>
/// <remarks>
/// The interval is the central one of nominal coverage <see cref="Nominal"/> at the first horizon step. Its state is
/// the predictor's: save and restore it with <see cref="StreamingPredictor.SaveState"/> and
/// <see cref="StreamingPredictor.RestoreState"/>. By default a flagged value is still fed to the network, so the next
/// intervals react to it as to any surprising value — after a one-day glitch, a network that predicts the change
/// from the last value centres the next interval on the glitch and flags the return to normal too. With
/// <see cref="ReplaceFlagged"/> the network is fed its own point forecast in place of a flagged target value, so a
/// one-step glitch leaves the state alone; a value flagged right after a replaced one is fed as it is, so that the
/// network follows a lasting shift instead of drifting on its own forecasts.
/// </remarks>
public sealed class StreamingMonitor
{
    private readonly int lowerLevel;
    private readonly int upperLevel;
    private readonly double lowerOffset;
    private readonly double upperOffset;
    private bool replacedLast;

    /// <summary>Monitors with the central interval of nominal coverage <paramref name="nominal"/> of the predictor's quantiles.</summary>
    /// <param name="predictor">A predictor of a quantile network (<see cref="StreamingPredictor.Quantiles"/> not empty).</param>
    /// <param name="nominal">Nominal coverage, e.g. 0.95 (uses the 0.025 and 0.975 quantiles); a share of about
    /// 1 − <paramref name="nominal"/> of normal values is flagged when the intervals are calibrated.</param>
    /// <param name="quantileOffsets">Offsets added to the predictor's quantiles, [horizon step, level] (for example
    /// <see cref="EmpiricalIntervals.Offsets"/> of a conformal correction); null adds nothing.</param>
    /// <param name="replaceFlagged">Feed the predictor its point forecast in place of a flagged target value (see <see cref="ReplaceFlagged"/>).</param>
    /// <exception cref="ArgumentException">The predictor has no quantiles, the interval's quantiles are not among them,
    /// or the offsets are not shaped [horizon, levels].</exception>
    public StreamingMonitor(StreamingPredictor predictor, double nominal = 0.95, double[,]? quantileOffsets = null, bool replaceFlagged = false)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        if (predictor.Quantiles.Count == 0)
            throw new ArgumentException("monitoring with intervals needs a predictor of a quantile network; give the StreamingPredictor its quantile levels", nameof(predictor));
        (lowerLevel, upperLevel) = PredictionIntervals.IntervalLevels(predictor.Quantiles, nominal);
        if (quantileOffsets is not null)
        {
            if (quantileOffsets.GetLength(0) != predictor.Horizon || quantileOffsets.GetLength(1) != predictor.Quantiles.Count)
                throw new ArgumentException(
                    $"the offsets are shaped [{quantileOffsets.GetLength(0)}, {quantileOffsets.GetLength(1)}]; this predictor needs [{predictor.Horizon}, {predictor.Quantiles.Count}] (horizon, levels)",
                    nameof(quantileOffsets));
            lowerOffset = quantileOffsets[0, lowerLevel];
            upperOffset = quantileOffsets[0, upperLevel];
        }
        Predictor = predictor;
        Nominal = nominal;
        ReplaceFlagged = replaceFlagged;
    }

    /// <summary>
    /// Whether a flagged target value is replaced by the point forecast before it reaches the predictor, so that a
    /// glitch does not move the recurrent state (the other features of the observation are fed as they are). Only
    /// one value in a row is replaced: fed nothing but its own forecasts, a network that predicts the change would
    /// drift away from the series and flag every value after it.
    /// </summary>
    public bool ReplaceFlagged { get; }

    /// <summary>The predictor carrying the state.</summary>
    public StreamingPredictor Predictor { get; }

    /// <summary>Nominal coverage of the monitored interval.</summary>
    public double Nominal { get; }

    /// <summary>The interval for the next value, or null before the first observation.</summary>
    public (double Lower, double Upper)? NextInterval
    {
        get
        {
            if (Predictor.LastQuantiles is not { } quantiles) return null;
            double lower = quantiles[0, lowerLevel] + lowerOffset, upper = quantiles[0, upperLevel] + upperOffset;
            // An offset pair can cross a very narrow interval; keep the bounds ordered.
            return (Math.Min(lower, upper), Math.Max(lower, upper));
        }
    }

    /// <summary>Checks one observation (one value per feature, original scale) against its interval and advances the predictor.</summary>
    /// <exception cref="ArgumentException">The observation has the wrong number of values or a non-finite one.</exception>
    public MonitoringStep Observe(params double[] observation) => Observe(null, observation);

    /// <summary>Checks one timestamped observation against its interval and advances the predictor.</summary>
    /// <param name="timestamp">The observation's time, carried into the result.</param>
    /// <param name="observation">One value per feature, original scale.</param>
    /// <exception cref="ArgumentException">The observation has the wrong number of values or a non-finite one.</exception>
    public MonitoringStep Observe(DateTime? timestamp, params double[] observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (observation.Length != Predictor.FeatureCount)
            throw new ArgumentException($"an observation needs {Predictor.FeatureCount} values (one per feature); got {observation.Length}", nameof(observation));
        double observed = observation[Predictor.TargetIndex];
        if (!double.IsFinite(observed))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the observed target is {observed}; observations must be finite"), nameof(observation));
        var interval = NextInterval;
        bool anomaly = interval is { } band && (observed < band.Lower || observed > band.Upper);
        double severity = interval is { } checkBand ? IntervalAnomalies.Severity(observed, checkBand.Lower, checkBand.Upper) : 0;
        bool replace = anomaly && ReplaceFlagged && !replacedLast && Predictor.LastForecast is not null;
        replacedLast = replace;
        if (replace)
        {
            observation = (double[])observation.Clone();
            observation[Predictor.TargetIndex] = Predictor.LastForecast![0];
        }
        var forecast = Predictor.Update(observation);
        var next = NextInterval!.Value;
        return new MonitoringStep(Predictor.Steps, timestamp, observed, interval?.Lower, interval?.Upper, anomaly, severity, forecast[0], next.Lower, next.Upper, replace);
    }
}
