using TorchLstm.Training;
using static TorchSharp.torch;

namespace TorchLstm.Forecasting;

/// <summary>
/// The forecasting literature's accuracy measures on arrays of forecasts and actual values (RMSE, MAE and
/// MAPE are <see cref="Metrics"/>' own): sMAPE and MASE, and all five at once.
/// </summary>
public static class ForecastMetrics
{
    /// <summary>
    /// Symmetric MAPE in percent (0 … 200): 200/n · Σ |F − A| / (|A| + |F|), with a term of 0 where
    /// forecast and actual are both 0.
    /// </summary>
    /// <exception cref="ArgumentException">The arrays are empty or of different lengths.</exception>
    public static double Smape(IReadOnlyList<double> predictions, IReadOnlyList<double> actual)
    {
        CheckPair(predictions, actual);
        double sum = 0;
        for (int i = 0; i < actual.Count; i++)
        {
            double denominator = Math.Abs(actual[i]) + Math.Abs(predictions[i]);
            if (denominator > 0) sum += Math.Abs(predictions[i] - actual[i]) / denominator;
        }
        return 200.0 * sum / actual.Count;
    }

    /// <summary>
    /// The in-sample MAE of the seasonal naive forecast on <paramref name="training"/>:
    /// mean of |y(t) − y(t − m)|, the scale MASE divides by (Hyndman and Koehler 2006).
    /// </summary>
    /// <param name="training">The training part of the target, in time order.</param>
    /// <param name="seasonalPeriod">m; 1 for the plain naive forecast.</param>
    /// <exception cref="ArgumentException">The series has no more than m values, or the scale is 0 (a constant series).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The period is below 1.</exception>
    public static double NaiveScale(IReadOnlyList<double> training, int seasonalPeriod = 1)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonalPeriod, 1);
        if (training.Count <= seasonalPeriod)
            throw new ArgumentException($"the MASE scale needs more than {seasonalPeriod} training values; got {training.Count}", nameof(training));
        double sum = 0;
        for (int t = seasonalPeriod; t < training.Count; t++) sum += Math.Abs(training[t] - training[t - seasonalPeriod]);
        double scale = sum / (training.Count - seasonalPeriod);
        if (!(scale > 0))
            throw new ArgumentException("the training series does not change over the seasonal period, so MASE has no scale", nameof(training));
        return scale;
    }

    /// <summary>The MASE scale of the target column of <paramref name="training"/> (the training part only); see <see cref="NaiveScale(IReadOnlyList{double}, int)"/>.</summary>
    /// <exception cref="ArgumentException">The table has no more than m rows, or its target does not change over m steps.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The period is below 1.</exception>
    public static double NaiveScale(Data.TimeSeriesTable training, int seasonalPeriod = 1)
    {
        ArgumentNullException.ThrowIfNull(training);
        using var target = training.Values.select(1, training.TargetIndex).to(ScalarType.Float64).contiguous();
        return NaiveScale(target.data<double>().ToArray(), seasonalPeriod);
    }

    /// <summary>Mean absolute scaled error: MAE / <paramref name="scale"/> (see <see cref="NaiveScale(IReadOnlyList{double}, int)"/>); below 1 beats the in-sample naive forecast.</summary>
    /// <exception cref="ArgumentException">The arrays are empty or of different lengths.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The scale is not positive and finite.</exception>
    public static double Mase(IReadOnlyList<double> predictions, IReadOnlyList<double> actual, double scale)
    {
        CheckPair(predictions, actual);
        if (!(scale > 0) || !double.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "the MASE scale must be positive and finite");
        return Metrics.Mae([.. predictions], [.. actual]) / scale;
    }

    /// <summary>RMSE, MAE, MAPE, sMAPE and MASE of <paramref name="predictions"/>.</summary>
    /// <param name="predictions">Forecasts.</param>
    /// <param name="actual">Observed values.</param>
    /// <param name="maseScale">The MASE denominator (<see cref="NaiveScale(IReadOnlyList{double}, int)"/> of the training part); null leaves MASE NaN.</param>
    /// <exception cref="ArgumentException">The arrays are empty or of different lengths.</exception>
    public static ForecastAccuracy Evaluate(IReadOnlyList<double> predictions, IReadOnlyList<double> actual, double? maseScale = null)
    {
        CheckPair(predictions, actual);
        double[] p = [.. predictions], a = [.. actual];
        return new ForecastAccuracy(
            Metrics.Rmse(p, a), Metrics.Mae(p, a), Metrics.Mape(p, a), Smape(p, a),
            maseScale is { } scale ? Mase(p, a, scale) : double.NaN);
    }

    /// <summary>Every value of a [window, step] matrix, row by row.</summary>
    public static double[] Flatten(double[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var flat = new double[matrix.Length];
        Buffer.BlockCopy(matrix, 0, flat, 0, flat.Length * sizeof(double));
        return flat;
    }

    private static void CheckPair(IReadOnlyList<double> predictions, IReadOnlyList<double> actual)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(actual);
        if (actual.Count == 0 || predictions.Count != actual.Count)
            throw new ArgumentException($"predictions ({predictions.Count}) and actual values ({actual.Count}) must be equally many and not none", nameof(actual));
    }
}

/// <summary>The five accuracy measures of one forecast, on the original scale (MAPE and sMAPE in percent).</summary>
/// <param name="Rmse">Root mean squared error.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="Mape">Mean absolute percentage error.</param>
/// <param name="Smape">Symmetric mean absolute percentage error (0 … 200).</param>
/// <param name="Mase">Mean absolute scaled error; NaN when no scale was given.</param>
public sealed record ForecastAccuracy(double Rmse, double Mae, double Mape, double Smape, double Mase);

/// <summary>
/// sMAPE as a training metric, logged as <c>smape</c>: 200 · |p − t| / (|p| + |t|) averaged over every
/// element of the epoch (0 where both are 0). Computed on whatever scale the model works in, so on scaled
/// data it is the scaled series' sMAPE.
/// </summary>
public sealed class SymmetricMeanAbsolutePercentageError() : Metric("smape")
{
    /// <inheritdoc />
    public override Tensor BatchStatistics(Tensor predictions, Tensor targets)
    {
        RequireSameShape(predictions, targets);
        var denominator = predictions.abs() + targets.abs();
        var ratio = (predictions - targets).abs() / denominator.clamp_min(double.Epsilon);
        return where(denominator.gt(0), ratio, zeros_like(ratio)).sum();
    }

    /// <inheritdoc />
    public override double Result(IReadOnlyList<double> totals, long elements) => 200.0 * MeanOf(totals, elements);
}

/// <summary>
/// MASE as a training metric, logged as <c>mase</c>: the epoch's MAE divided by a fixed scale, the
/// in-sample naive MAE of the training target on the same scale as the model's targets
/// (<see cref="ForecastMetrics.NaiveScale(IReadOnlyList{double}, int)"/> of the scaled training target).
/// </summary>
public sealed class MeanAbsoluteScaledError : Metric
{
    /// <summary>Creates the metric.</summary>
    /// <param name="scale">The MAE of the naive forecast on the training part, in the units of the targets.</param>
    /// <exception cref="ArgumentOutOfRangeException">The scale is not positive and finite.</exception>
    public MeanAbsoluteScaledError(double scale) : base("mase")
    {
        if (!(scale > 0) || !double.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "the MASE scale must be positive and finite");
        Scale = scale;
    }

    /// <summary>The denominator.</summary>
    public double Scale { get; }

    /// <inheritdoc />
    public override Tensor BatchStatistics(Tensor predictions, Tensor targets)
    {
        RequireSameShape(predictions, targets);
        return nn.functional.l1_loss(predictions, targets, nn.Reduction.Sum);
    }

    /// <inheritdoc />
    public override double Result(IReadOnlyList<double> totals, long elements) => MeanOf(totals, elements) / Scale;
}
