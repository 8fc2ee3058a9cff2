using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>
/// Regression and classification metrics, on tensors (for the training loop) and on arrays (for
/// reports). Tensor versions return a scalar tensor and never synchronise; call <c>ToDouble()</c> when needed.
/// </summary>
public static class Metrics
{
    /// <summary>
    /// Smallest denominator magnitude MAPE divides by, as Keras does, so that a zero target gives a
    /// large finite error instead of infinity.
    /// </summary>
    public const double MapeEpsilon = 1e-7;

    /// <summary>Mean squared error over all elements.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Tensor Mse(Tensor predictions, Tensor targets)
    {
        CheckSameShape(predictions, targets);
        using var diff = predictions - targets;
        return diff.square().mean();
    }

    /// <summary>Root mean squared error over all elements.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Tensor Rmse(Tensor predictions, Tensor targets)
    {
        using var mse = Mse(predictions, targets);
        return mse.sqrt();
    }

    /// <summary>Mean absolute error over all elements.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Tensor Mae(Tensor predictions, Tensor targets)
    {
        CheckSameShape(predictions, targets);
        using var diff = predictions - targets;
        using var abs = diff.abs();
        return abs.mean();
    }

    /// <summary>Mean absolute percentage error, in percent, with |target| floored at <see cref="MapeEpsilon"/>.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Tensor Mape(Tensor predictions, Tensor targets)
    {
        CheckSameShape(predictions, targets);
        using var scope = NewDisposeScope();
        var ratio = (predictions - targets).abs() / targets.abs().clamp_min(MapeEpsilon);
        return (ratio.mean() * 100.0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Fraction of samples whose arg-max over the last dimension of <paramref name="logits"/> equals
    /// the class index in <paramref name="targets"/>.
    /// </summary>
    /// <param name="logits">Scores shaped (..., C).</param>
    /// <param name="targets">Integer class indices shaped like <paramref name="logits"/> without its last dimension.</param>
    /// <exception cref="ArgumentException">The shapes do not correspond.</exception>
    public static Tensor Accuracy(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.dim() != targets.dim() + 1 || !logits.shape.Take((int)targets.dim()).SequenceEqual(targets.shape))
            throw new ArgumentException(
                $"accuracy needs logits shaped (..., C) and targets shaped (...): got logits {Shape(logits)} and targets {Shape(targets)}",
                nameof(targets));
        using var scope = NewDisposeScope();
        var correct = logits.argmax(-1).eq(targets.to(ScalarType.Int64));
        return correct.to(ScalarType.Float32).mean().MoveToOuterDisposeScope();
    }

    /// <summary>Mean squared error of two equally long arrays.</summary>
    /// <exception cref="ArgumentException">The arrays are empty or of different lengths.</exception>
    public static double Mse(double[] predictions, double[] targets)
    {
        CheckSameLength(predictions, targets);
        double sum = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            double d = predictions[i] - targets[i];
            sum += d * d;
        }
        return sum / predictions.Length;
    }

    /// <summary>Root mean squared error of two equally long arrays.</summary>
    /// <exception cref="ArgumentException">The arrays are empty or of different lengths.</exception>
    public static double Rmse(double[] predictions, double[] targets) => Math.Sqrt(Mse(predictions, targets));

    /// <summary>Mean absolute error of two equally long arrays.</summary>
    /// <exception cref="ArgumentException">The arrays are empty or of different lengths.</exception>
    public static double Mae(double[] predictions, double[] targets)
    {
        CheckSameLength(predictions, targets);
        double sum = 0;
        for (int i = 0; i < predictions.Length; i++)
            sum += Math.Abs(predictions[i] - targets[i]);
        return sum / predictions.Length;
    }

    /// <summary>Mean absolute percentage error in percent, with |target| floored at <see cref="MapeEpsilon"/>.</summary>
    /// <exception cref="ArgumentException">The arrays are empty or of different lengths.</exception>
    public static double Mape(double[] predictions, double[] targets)
    {
        CheckSameLength(predictions, targets);
        double sum = 0;
        for (int i = 0; i < predictions.Length; i++)
            sum += Math.Abs(predictions[i] - targets[i]) / Math.Max(Math.Abs(targets[i]), MapeEpsilon);
        return 100.0 * sum / predictions.Length;
    }

    internal static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    private static void CheckSameShape(Tensor predictions, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (!predictions.shape.SequenceEqual(targets.shape))
            throw new ArgumentException(
                $"predictions shaped {Shape(predictions)} and targets shaped {Shape(targets)} must have the same shape",
                nameof(targets));
    }

    private static void CheckSameLength(double[] predictions, double[] targets)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (predictions.Length == 0)
            throw new ArgumentException("metrics need at least one value", nameof(predictions));
        if (predictions.Length != targets.Length)
            throw new ArgumentException(
                $"predictions hold {predictions.Length} values but targets hold {targets.Length}", nameof(targets));
    }
}
