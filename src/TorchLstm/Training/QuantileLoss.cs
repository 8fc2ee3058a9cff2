using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>
/// The pinball (quantile) loss of a network that forecasts quantiles of every horizon step, optionally next
/// to a point forecast trained with mean squared error: made by <see cref="Loss.Quantile"/>.
/// </summary>
/// <remarks>
/// <para>Layout: targets are shaped (N, H); predictions (N, H·K) with K = <see cref="OutputsPerStep"/>,
/// the K outputs of each horizon step side by side — the point forecast first (when <see cref="WithPoint"/>),
/// then one output per quantile in the order of <see cref="Quantiles"/>.</para>
/// <para>For a quantile τ and error e = y − q the pinball loss is max(τ·e, (τ − 1)·e): its expectation is
/// smallest when q is the τ-quantile of y, so each output learns its quantile. The loss is the MSE of the
/// point outputs plus the mean pinball loss over samples, steps and quantiles.</para>
/// </remarks>
public sealed class QuantileLoss : Loss
{
    internal QuantileLoss(IReadOnlyList<double> quantiles, bool withPoint)
        : base(Describe(quantiles, withPoint))
    {
        Quantiles = quantiles;
        WithPoint = withPoint;
    }

    /// <summary>The quantile levels, strictly increasing, each in (0, 1).</summary>
    public IReadOnlyList<double> Quantiles { get; }

    /// <summary>Whether every horizon step also has a point output (trained with MSE) before its quantiles.</summary>
    public bool WithPoint { get; }

    /// <summary>Outputs per horizon step: the quantiles, plus one for the point forecast.</summary>
    public int OutputsPerStep => Quantiles.Count + (WithPoint ? 1 : 0);

    /// <summary>Logs <c>mae</c> of the point outputs when there are any, nothing otherwise.</summary>
    public override IReadOnlyList<Metric> DefaultMetrics => WithPoint ? [new PointMeanAbsoluteError(OutputsPerStep)] : [];

    /// <inheritdoc />
    public override Tensor Compute(Tensor predictions, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        using var scope = NewDisposeScope();
        var perStep = predictions.reshape(targets.shape[0], targets.shape[1], OutputsPerStep);
        var quantileOutputs = WithPoint ? perStep.narrow(2, 1, Quantiles.Count) : perStep;
        var levels = torch.tensor(Quantiles.ToArray(), dtype: predictions.dtype, device: predictions.device);
        var error = targets.unsqueeze(2) - quantileOutputs;
        var pinball = torch.maximum(levels * error, (levels - 1) * error).mean();
        var loss = WithPoint ? nn.functional.mse_loss(perStep.select(2, 0), targets) + pinball : pinball;
        return loss.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override void CheckTargets(Tensor targets, string name)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (!targets.is_floating_point() || targets.dim() != 2)
            throw new ArgumentException($"{name}: the quantile loss needs floating-point targets shaped (samples, horizon), got {targets.dtype} {Metrics.Shape(targets)}", name);
        CheckFinite(targets, $"{name} targets", name);
    }

    /// <inheritdoc />
    public override void CheckPredictions(Tensor predictions, Tensor targets, IReadOnlyList<Tensor> allTargets)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (predictions.dim() != 2 || predictions.shape[0] != targets.shape[0] || predictions.shape[1] != targets.shape[1] * OutputsPerStep)
            throw new ArgumentException(
                $"the model's output shaped {Metrics.Shape(predictions)} does not fit targets shaped {Metrics.Shape(targets)}: {Name} needs " +
                $"(samples, horizon × {OutputsPerStep}) = [{targets.shape[0]}, {targets.shape[1] * OutputsPerStep}], " +
                $"{(WithPoint ? "a point forecast and " : "")}{Quantiles.Count} quantiles per horizon step",
                "model");
    }

    /// <summary>Checks quantile levels: at least one, each finite and strictly between 0 and 1, strictly increasing.</summary>
    /// <param name="quantiles">The levels.</param>
    /// <param name="paramName">Parameter name for the exception.</param>
    /// <returns>A copy of the levels.</returns>
    /// <exception cref="ArgumentException">The list is empty, or a level is out of range or not above the one before (the message names it).</exception>
    public static double[] ValidateLevels(IReadOnlyList<double>? quantiles, string paramName)
    {
        ArgumentNullException.ThrowIfNull(quantiles, paramName);
        if (quantiles.Count == 0)
            throw new ArgumentException("give at least one quantile level, e.g. [0.1, 0.5, 0.9]", paramName);
        var levels = quantiles.ToArray();
        for (int i = 0; i < levels.Length; i++)
        {
            string value = levels[i].ToString("R", CultureInfo.InvariantCulture);
            if (!double.IsFinite(levels[i]) || levels[i] <= 0 || levels[i] >= 1)
                throw new ArgumentException($"quantile level {i} is {value}; every level must be finite and strictly between 0 and 1 (e.g. 0.1 or 0.975)", paramName);
            if (i > 0 && levels[i] <= levels[i - 1])
                throw new ArgumentException(
                    $"quantile level {i} is {value}, not above the level before it ({levels[i - 1].ToString("R", CultureInfo.InvariantCulture)}); give the levels strictly increasing",
                    paramName);
        }
        return levels;
    }

    private static string Describe(IReadOnlyList<double> quantiles, bool withPoint) =>
        $"{(withPoint ? "mse+" : "")}pinball({string.Join(",", quantiles.Select(q => q.ToString("R", CultureInfo.InvariantCulture)))})";

    /// <summary>MAE of the point outputs only, logged as <c>mae</c> so that the usual monitors still read it.</summary>
    private sealed class PointMeanAbsoluteError(int outputsPerStep) : Metric(LogNames.Mae)
    {
        public override Tensor BatchStatistics(Tensor predictions, Tensor targets)
        {
            var point = predictions.reshape(targets.shape[0], targets.shape[1], outputsPerStep).select(2, 0);
            return nn.functional.l1_loss(point, targets, nn.Reduction.Sum);
        }

        public override double Result(IReadOnlyList<double> totals, long elements) => MeanOf(totals, elements);
    }
}
