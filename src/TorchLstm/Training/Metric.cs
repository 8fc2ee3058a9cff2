using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>
/// A value logged every epoch on the training and validation data (as <c>name</c> and
/// <c>val_name</c>), computed from sums over batches so that the runner reads it from the device once
/// per epoch: each batch contributes a tensor of statistics (for MAE: the sum of absolute errors), the
/// runner adds them up on the device and counts the target elements on the host, and
/// <see cref="Result"/> turns the totals into the value. The value is then exact over the epoch,
/// whatever the batch sizes.
/// </summary>
/// <remarks>
/// Built-ins: <see cref="MeanAbsoluteError"/>, <see cref="RootMeanSquaredError"/>,
/// <see cref="MeanAbsolutePercentageError"/>, <see cref="Accuracy"/>, <see cref="Precision"/>,
/// <see cref="Recall"/>, <see cref="F1Score"/>. <see cref="Mean"/> makes a metric from an element-wise
/// function; derive from this class for anything else that sums over batches. A metric holds no
/// state, so one instance serves any number of runs.
/// </remarks>
public abstract class Metric
{
    /// <summary>Creates a metric.</summary>
    /// <param name="name">Log name, e.g. <c>mae</c> or <c>f1</c>: letters, digits and underscores, not starting with <c>val_</c>.</param>
    /// <exception cref="ArgumentException">The name is empty, not a plain identifier, or starts with <c>val_</c>.</exception>
    protected Metric(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || name.StartsWith(LogNames.ValidationPrefix, StringComparison.Ordinal))
            throw new ArgumentException(
                $"metric name '{name}' must hold only letters, digits and underscores and not start with '{LogNames.ValidationPrefix}' (the runner adds that prefix)",
                nameof(name));
        Name = name;
    }

    /// <summary>The log name; the validation value is logged as <c>val_</c> + this name.</summary>
    public string Name { get; }

    /// <summary>
    /// Whether larger values are better; <see cref="MonitorMode.Auto"/> in <see cref="EarlyStopping"/>,
    /// <see cref="ReduceLrOnPlateau"/> and <see cref="ModelCheckpoint"/> reads it. False by default.
    /// </summary>
    public virtual bool HigherIsBetter => false;

    /// <summary>
    /// The batch's statistics: a scalar or 1-D tensor of the same shape for every batch of a run, summed
    /// over batches (in float64). Runs inside the batch's dispose scope and without gradients; must not
    /// read values from the device (no <c>item</c>), so that batches do not wait for each other, and
    /// should make few tensors, since it runs for every batch.
    /// </summary>
    /// <param name="predictions">The model's output for the batch (detached).</param>
    /// <param name="targets">The batch's targets.</param>
    public abstract Tensor BatchStatistics(Tensor predictions, Tensor targets);

    /// <summary>The metric from the statistics summed over every batch of the epoch.</summary>
    /// <param name="totals">The summed statistics, flattened (one value for a scalar statistic).</param>
    /// <param name="elements">The number of target elements the batches held (for means over elements).</param>
    public abstract double Result(IReadOnlyList<double> totals, long elements);

    /// <summary>
    /// A metric that averages <paramref name="elementwise"/>(predictions, targets) over all elements of
    /// the epoch, e.g. sMAPE as <c>Metric.Mean("smape", (p, t) =&gt; 200 * (p - t).abs() / (p.abs() + t.abs()))</c>.
    /// </summary>
    /// <param name="name">Log name.</param>
    /// <param name="elementwise">Per-element values; the mean of the whole epoch's values is logged.</param>
    /// <param name="higherIsBetter">Whether larger values are better.</param>
    public static Metric Mean(string name, Func<Tensor, Tensor, Tensor> elementwise, bool higherIsBetter = false)
    {
        ArgumentNullException.ThrowIfNull(elementwise);
        return new ElementwiseMean(name, elementwise, higherIsBetter);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>totals[0] / <paramref name="count"/>, or NaN when nothing was counted.</summary>
    protected static double MeanOf(IReadOnlyList<double> totals, double count)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return count == 0 ? double.NaN : totals[0] / count;
    }

    /// <summary>Fails unless predictions and targets have the same shape.</summary>
    /// <exception cref="ArgumentException">The shapes differ; the message names this metric.</exception>
    protected void RequireSameShape(Tensor predictions, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (!predictions.shape.SequenceEqual(targets.shape))
            throw new ArgumentException(
                $"metric '{Name}' needs predictions and targets of the same shape, got {Metrics.Shape(predictions)} and {Metrics.Shape(targets)}",
                nameof(targets));
    }

    private sealed class ElementwiseMean(string name, Func<Tensor, Tensor, Tensor> elementwise, bool higherIsBetter) : Metric(name)
    {
        public override bool HigherIsBetter => higherIsBetter;

        public override Tensor BatchStatistics(Tensor predictions, Tensor targets) => elementwise(predictions, targets).sum();

        public override double Result(IReadOnlyList<double> totals, long elements) => MeanOf(totals, elements);
    }
}

/// <summary>Mean absolute error over all elements, logged as <c>mae</c>.</summary>
public sealed class MeanAbsoluteError() : Metric(LogNames.Mae)
{
    /// <inheritdoc />
    public override Tensor BatchStatistics(Tensor predictions, Tensor targets)
    {
        RequireSameShape(predictions, targets);
        return nn.functional.l1_loss(predictions, targets, nn.Reduction.Sum);
    }

    /// <inheritdoc />
    public override double Result(IReadOnlyList<double> totals, long elements) => MeanOf(totals, elements);
}

/// <summary>Root mean squared error over all elements of the epoch, logged as <c>rmse</c>.</summary>
public sealed class RootMeanSquaredError() : Metric("rmse")
{
    /// <inheritdoc />
    public override Tensor BatchStatistics(Tensor predictions, Tensor targets)
    {
        RequireSameShape(predictions, targets);
        return nn.functional.mse_loss(predictions, targets, nn.Reduction.Sum);
    }

    /// <inheritdoc />
    public override double Result(IReadOnlyList<double> totals, long elements) => Math.Sqrt(MeanOf(totals, elements));
}

/// <summary>
/// Mean absolute percentage error in percent, with |target| floored at <see cref="Metrics.MapeEpsilon"/>
/// as Keras does, logged as <c>mape</c>.
/// </summary>
public sealed class MeanAbsolutePercentageError() : Metric("mape")
{
    /// <inheritdoc />
    public override Tensor BatchStatistics(Tensor predictions, Tensor targets)
    {
        RequireSameShape(predictions, targets);
        return ((predictions - targets).abs() / targets.abs().clamp_min(Metrics.MapeEpsilon)).sum();
    }

    /// <inheritdoc />
    public override double Result(IReadOnlyList<double> totals, long elements) => 100.0 * MeanOf(totals, elements);
}

/// <summary>
/// Fraction of positions whose arg-max over the last dimension of the logits equals the target class
/// index, logged as <c>accuracy</c>; positions holding <c>ignoreIndex</c> are not counted.
/// </summary>
/// <param name="ignoreIndex">A target class index that is not counted (padding), or null.</param>
public sealed class Accuracy(long? ignoreIndex = null) : Metric(LogNames.Accuracy)
{
    /// <inheritdoc />
    public override bool HigherIsBetter => true;

    /// <inheritdoc />
    public override Tensor BatchStatistics(Tensor predictions, Tensor targets)
    {
        ClassCounts.RequireLogits(Name, predictions, targets);
        var correct = predictions.argmax(-1).eq(targets);
        if (ignoreIndex is not { } ignored) return correct.sum();
        var counted = targets.ne(ignored);
        return stack([correct.logical_and(counted).sum(), counted.sum()]);
    }

    /// <inheritdoc />
    public override double Result(IReadOnlyList<double> totals, long elements) =>
        ignoreIndex is null ? MeanOf(totals, elements) : MeanOf(totals, totals[1]);
}
