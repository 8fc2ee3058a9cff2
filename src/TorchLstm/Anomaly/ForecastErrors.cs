using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Anomaly;

/// <summary>How the error of one forecast is measured.</summary>
public enum ErrorKind
{
    /// <summary>Mean absolute difference over the horizon (same unit as the data).</summary>
    Absolute,
    /// <summary>Mean squared difference over the horizon (punishes large misses more).</summary>
    Squared,
}

/// <summary>Per-sample forecast errors, the quantity anomaly thresholds are fitted on.</summary>
public static class ForecastErrors
{
    /// <summary>
    /// One error per sample: the mean absolute (or squared) difference between prediction and target
    /// over the horizon.
    /// </summary>
    /// <param name="predictions">Shaped (N) or (N, H).</param>
    /// <param name="targets">Same shape as <paramref name="predictions"/>.</param>
    /// <param name="kind">Absolute or squared error.</param>
    /// <exception cref="ArgumentException">The shapes differ, are not (N) or (N, H), or hold no samples.</exception>
    public static double[] Compute(Tensor predictions, Tensor targets, ErrorKind kind = ErrorKind.Absolute)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (!predictions.shape.SequenceEqual(targets.shape))
            throw new ArgumentException($"predictions are shaped [{string.Join(", ", predictions.shape)}] but targets [{string.Join(", ", targets.shape)}]; they must match.", nameof(targets));
        if (predictions.dim() is not (1 or 2) || predictions.shape[0] == 0)
            throw new ArgumentException($"predictions must be shaped (samples) or (samples, horizon) with at least one sample; got [{string.Join(", ", predictions.shape)}].", nameof(predictions));
        if (!Enum.IsDefined(kind))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "kind must be Absolute or Squared.");

        using var scope = torch.NewDisposeScope();
        var difference = predictions.to(ScalarType.Float64) - targets.to(ScalarType.Float64);
        var perPoint = kind == ErrorKind.Absolute ? difference.abs() : difference.square();
        var perSample = perPoint.dim() == 2 ? perPoint.mean([1]) : perPoint;
        return perSample.cpu().data<double>().ToArray();
    }
}
