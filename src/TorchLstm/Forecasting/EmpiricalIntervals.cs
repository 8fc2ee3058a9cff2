using TorchLstm.Anomaly;
using TorchLstm.Training;

namespace TorchLstm.Forecasting;

/// <summary>
/// Quantiles from held-out errors: a forecaster's forecasts moved by the empirical quantiles of its errors on
/// calibration windows it was not fitted on, separately for every horizon step. <see cref="Fit"/> gives any
/// point forecaster (the baselines included) intervals; <see cref="Conformalize"/> corrects the quantiles of a
/// probabilistic forecaster (conformalized quantile regression), so that intervals that cover too little or too
/// much on held-out data are widened or narrowed.
/// </summary>
/// <remarks>
/// <para>For a level τ and horizon step h the offset is the τ-quantile (linear interpolation) of y − f over the
/// calibration windows, where f is the point forecast (<see cref="Fit"/>) or the forecaster's own τ-quantile
/// (<see cref="Conformalize"/>, the one-sided form of Romano, Patterson and Candès 2019). The new τ-quantile is
/// f + offset: on the calibration windows exactly a share τ of the values lies at or below it, and on new
/// windows as long as the errors behave as they did there. Offsets are plain empirical quantiles, without the
/// (n + 1)/n finite-sample widening of split conformal prediction, so coverage is near nominal rather than
/// guaranteed at least nominal; with a few hundred calibration windows the two differ by well under a percent.</para>
/// <para>Calibrate on windows neither the forecaster nor its early stopping saw when possible; the validation
/// windows that drove early stopping are usable but slightly optimistic.</para>
/// </remarks>
public sealed class EmpiricalIntervals : IProbabilisticForecaster
{
    private readonly IForecaster forecaster;
    private readonly IProbabilisticForecaster? corrected;
    private readonly double[] levels;
    private readonly double[,] offsets;

    private EmpiricalIntervals(IForecaster forecaster, IProbabilisticForecaster? corrected, double[] levels, double[,] offsets, int calibrationCount, string name)
    {
        this.forecaster = forecaster;
        this.corrected = corrected;
        this.levels = levels;
        this.offsets = offsets;
        CalibrationCount = calibrationCount;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Lookback => forecaster.Lookback;

    /// <inheritdoc />
    public int Horizon => forecaster.Horizon;

    /// <inheritdoc />
    public IReadOnlyList<double> Quantiles => levels;

    /// <summary>Calibration windows the offsets were estimated on.</summary>
    public int CalibrationCount { get; }

    /// <summary>The offset added for each horizon step and level, [step, level], on the target's original scale.</summary>
    public double[,] Offsets => (double[,])offsets.Clone();

    /// <summary>
    /// Gives a point forecaster intervals: its forecast plus the empirical quantiles of its errors on calibration
    /// windows, per horizon step. Named after the forecaster with <c>+empirical</c>.
    /// </summary>
    /// <param name="forecaster">A fitted forecaster; its <see cref="IForecaster.Predict"/> is the point forecast.</param>
    /// <param name="calibrationWindows">Windows the forecaster was not fitted on (for example the validation windows).</param>
    /// <param name="calibrationActual">What followed each calibration window, [window, horizon step], original scale.</param>
    /// <param name="quantiles">Levels to give, strictly increasing, each in (0, 1).</param>
    /// <exception cref="ArgumentException">A level is bad (the message names it), fewer than 2 calibration windows,
    /// a shape that does not fit, or a value that is not finite.</exception>
    public static EmpiricalIntervals Fit(IForecaster forecaster, ForecastWindows calibrationWindows, double[,] calibrationActual, IReadOnlyList<double> quantiles)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        var levels = QuantileLoss.ValidateLevels(quantiles, nameof(quantiles));
        CheckCalibration(forecaster, calibrationWindows, calibrationActual);
        var point = forecaster.Predict(calibrationWindows);
        int n = point.GetLength(0), horizon = forecaster.Horizon;
        var offsets = new double[horizon, levels.Length];
        for (int h = 0; h < horizon; h++)
        {
            var errors = new double[n];
            for (int i = 0; i < n; i++) errors[i] = calibrationActual[i, h] - point[i, h];
            CheckFinite(errors, forecaster.Name);
            for (int q = 0; q < levels.Length; q++) offsets[h, q] = AnomalyThreshold.QuantileOf(errors, levels[q]);
        }
        return new EmpiricalIntervals(forecaster, null, levels, offsets, n, $"{forecaster.Name}+empirical");
    }

    /// <summary>
    /// Conformalized quantile regression: moves each of the forecaster's quantiles by the empirical quantile, at
    /// its own level, of the values' distance above it on calibration windows, per horizon step, so that on those
    /// windows each level holds its share exactly. Named after the forecaster with <c>+conformal</c>.
    /// </summary>
    /// <param name="forecaster">A fitted probabilistic forecaster (for example a <see cref="QuantileNetworkForecaster"/>).</param>
    /// <param name="calibrationWindows">Windows the forecaster was not fitted on.</param>
    /// <param name="calibrationActual">What followed each calibration window, [window, horizon step], original scale.</param>
    /// <exception cref="ArgumentException">Fewer than 2 calibration windows, a shape that does not fit, or a value that is not finite.</exception>
    public static EmpiricalIntervals Conformalize(IProbabilisticForecaster forecaster, ForecastWindows calibrationWindows, double[,] calibrationActual)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        var levels = QuantileLoss.ValidateLevels(forecaster.Quantiles, nameof(forecaster));
        CheckCalibration(forecaster, calibrationWindows, calibrationActual);
        var predicted = forecaster.PredictQuantiles(calibrationWindows);
        int n = predicted.GetLength(0), horizon = forecaster.Horizon;
        var offsets = new double[horizon, levels.Length];
        for (int h = 0; h < horizon; h++)
        {
            for (int q = 0; q < levels.Length; q++)
            {
                var scores = new double[n];
                for (int i = 0; i < n; i++) scores[i] = calibrationActual[i, h] - predicted[i, h, q];
                CheckFinite(scores, forecaster.Name);
                offsets[h, q] = AnomalyThreshold.QuantileOf(scores, levels[q]);
            }
        }
        return new EmpiricalIntervals(forecaster, forecaster, levels, offsets, n, $"{forecaster.Name}+conformal");
    }

    /// <summary>The point forecasts of the underlying forecaster, unchanged.</summary>
    /// <exception cref="ArgumentException">The windows do not fit the forecaster.</exception>
    public double[,] Predict(ForecastWindows windows) => forecaster.Predict(windows);

    /// <inheritdoc />
    public double[,,] PredictQuantiles(ForecastWindows windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var result = new double[windows.Count, Horizon, levels.Length];
        var sorted = new double[levels.Length];
        if (corrected is not null)
        {
            var baseQuantiles = corrected.PredictQuantiles(windows);
            for (int i = 0; i < result.GetLength(0); i++)
                for (int h = 0; h < Horizon; h++)
                {
                    for (int q = 0; q < levels.Length; q++) sorted[q] = baseQuantiles[i, h, q] + offsets[h, q];
                    // Offsets differ by level, so corrected quantiles may cross; sorting keeps widths non-negative.
                    Array.Sort(sorted);
                    for (int q = 0; q < levels.Length; q++) result[i, h, q] = sorted[q];
                }
        }
        else
        {
            var point = forecaster.Predict(windows);
            for (int i = 0; i < result.GetLength(0); i++)
                for (int h = 0; h < Horizon; h++)
                    for (int q = 0; q < levels.Length; q++) result[i, h, q] = point[i, h] + offsets[h, q];
        }
        return result;
    }

    private static void CheckCalibration(IForecaster forecaster, ForecastWindows windows, double[,] actual)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(actual);
        if (windows.Count < 2)
            throw new ArgumentException($"calibrating intervals needs at least 2 windows; got {windows.Count}", nameof(windows));
        if (actual.GetLength(0) != windows.Count || actual.GetLength(1) != forecaster.Horizon)
            throw new ArgumentException(
                $"the calibration values are shaped [{actual.GetLength(0)}, {actual.GetLength(1)}] but {windows.Count} windows of a horizon-{forecaster.Horizon} forecaster need [{windows.Count}, {forecaster.Horizon}]",
                "calibrationActual");
    }

    private static void CheckFinite(double[] errors, string name)
    {
        int bad = Array.FindIndex(errors, e => !double.IsFinite(e));
        if (bad >= 0)
            throw new ArgumentException($"calibration window {bad}: the value or {name}'s forecast is not finite", "calibrationActual");
    }
}
