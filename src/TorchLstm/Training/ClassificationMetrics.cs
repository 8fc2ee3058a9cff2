using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>
/// Precision, recall and F1 from per-class counts of true positives, false positives and false
/// negatives over the epoch, with the predicted class the arg-max of the logits' last dimension.
/// </summary>
/// <remarks>
/// With a <c>positiveClass</c> the value is that class's (binary precision/recall/F1, as scikit-learn's
/// <c>average='binary'</c>); without, it is the unweighted mean over classes (<c>average='macro'</c>).
/// A ratio whose denominator is zero counts as 0, as scikit-learn's <c>zero_division=0</c>.
/// </remarks>
public abstract class ClassCounts : Metric
{
    private readonly long? positiveClass;
    private readonly long? ignoreIndex;

    /// <summary>Creates the metric.</summary>
    /// <param name="name">Log name.</param>
    /// <param name="positiveClass">The class scored, or null for the mean over classes. Accepted: null or 0 or more.</param>
    /// <param name="ignoreIndex">A target class index that is not counted (padding), or null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="positiveClass"/> is negative.</exception>
    protected ClassCounts(string name, long? positiveClass, long? ignoreIndex) : base(name)
    {
        if (positiveClass is < 0)
            throw new ArgumentOutOfRangeException(nameof(positiveClass), positiveClass, $"{name}: the positive class must be null (mean over classes) or 0 or more");
        this.positiveClass = positiveClass;
        this.ignoreIndex = ignoreIndex;
    }

    /// <inheritdoc />
    public override bool HigherIsBetter => true;

    /// <summary>Per class c: [tp_c, fp_c, fn_c] for every class, flattened (3 × classes values).</summary>
    public override Tensor BatchStatistics(Tensor predictions, Tensor targets)
    {
        RequireLogits(Name, predictions, targets);
        long classes = predictions.shape[^1];
        if (positiveClass is { } positive && positive >= classes)
            throw new ArgumentException($"metric '{Name}' scores class {positive}, but the model has {classes} outputs", nameof(predictions));
        var predicted = nn.functional.one_hot(predictions.argmax(-1).reshape(-1), classes);
        var flatTargets = targets.reshape(-1).to(ScalarType.Int64);
        var counted = ignoreIndex is { } ignored ? flatTargets.ne(ignored) : null;
        var actual = nn.functional.one_hot(counted is null ? flatTargets : flatTargets.where(counted, 0), classes);
        if (counted is not null)
        {
            var keep = counted.unsqueeze(1).to(ScalarType.Int64);
            predicted = predicted * keep;
            actual = actual * keep;
        }
        var truePositives = (predicted * actual).sum(dim: 0);
        var falsePositives = predicted.sum(dim: 0) - truePositives;
        var falseNegatives = actual.sum(dim: 0) - truePositives;
        return stack([truePositives, falsePositives, falseNegatives], 1).reshape(-1);
    }

    /// <inheritdoc />
    public override double Result(IReadOnlyList<double> totals, long elements)
    {
        ArgumentNullException.ThrowIfNull(totals);
        int classes = totals.Count / 3;
        if (positiveClass is { } positive)
            return Score(totals[(int)positive * 3], totals[(int)positive * 3 + 1], totals[(int)positive * 3 + 2]);
        double sum = 0;
        for (int c = 0; c < classes; c++) sum += Score(totals[3 * c], totals[3 * c + 1], totals[3 * c + 2]);
        return classes == 0 ? double.NaN : sum / classes;
    }

    /// <summary>The metric of one class from its true positives, false positives and false negatives.</summary>
    protected abstract double Score(double truePositives, double falsePositives, double falseNegatives);

    /// <summary>numerator / denominator, or 0 when the denominator is 0.</summary>
    protected static double SafeRatio(double numerator, double denominator) => denominator == 0 ? 0 : numerator / denominator;

    internal static void RequireLogits(string name, Tensor predictions, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (predictions.dim() != targets.dim() + 1 || !predictions.shape.Take((int)targets.dim()).SequenceEqual(targets.shape))
            throw new ArgumentException(
                $"metric '{name}' needs logits shaped (..., C) and class indices shaped (...): got predictions {Metrics.Shape(predictions)} and targets {Metrics.Shape(targets)}",
                nameof(targets));
    }
}

/// <summary>Precision, tp / (tp + fp), logged as <c>precision</c>; see <see cref="ClassCounts"/>.</summary>
/// <param name="positiveClass">The class scored, or null for the mean over classes.</param>
/// <param name="ignoreIndex">A target class index that is not counted, or null.</param>
public sealed class Precision(long? positiveClass = null, long? ignoreIndex = null) : ClassCounts("precision", positiveClass, ignoreIndex)
{
    /// <inheritdoc />
    protected override double Score(double truePositives, double falsePositives, double falseNegatives) =>
        SafeRatio(truePositives, truePositives + falsePositives);
}

/// <summary>Recall, tp / (tp + fn), logged as <c>recall</c>; see <see cref="ClassCounts"/>.</summary>
/// <param name="positiveClass">The class scored, or null for the mean over classes.</param>
/// <param name="ignoreIndex">A target class index that is not counted, or null.</param>
public sealed class Recall(long? positiveClass = null, long? ignoreIndex = null) : ClassCounts("recall", positiveClass, ignoreIndex)
{
    /// <inheritdoc />
    protected override double Score(double truePositives, double falsePositives, double falseNegatives) =>
        SafeRatio(truePositives, truePositives + falseNegatives);
}

/// <summary>F1, the harmonic mean of precision and recall, 2tp / (2tp + fp + fn), logged as <c>f1</c>; see <see cref="ClassCounts"/>.</summary>
/// <param name="positiveClass">The class scored, or null for the mean over classes.</param>
/// <param name="ignoreIndex">A target class index that is not counted, or null.</param>
public sealed class F1Score(long? positiveClass = null, long? ignoreIndex = null) : ClassCounts("f1", positiveClass, ignoreIndex)
{
    /// <inheritdoc />
    protected override double Score(double truePositives, double falsePositives, double falseNegatives) =>
        SafeRatio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives);
}
