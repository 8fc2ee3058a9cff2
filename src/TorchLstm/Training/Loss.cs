using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>
/// The training objective of <see cref="ExperimentRunner.Fit"/>: the mean loss of a batch of
/// predictions against their targets, differentiable. Use a built-in (<see cref="Mse"/>,
/// <see cref="Mae"/>, <see cref="Huber"/>, <see cref="CrossEntropy"/>, <see cref="Quantile"/>, or a <see cref="LossKind"/>,
/// which converts implicitly), wrap a function with <see cref="Create"/> or a torch loss module with
/// <see cref="FromModule"/>, or derive from this class.
/// </summary>
/// <remarks>
/// The epoch's <c>loss</c> is the mean of the batch losses weighted by batch size, so a loss must be a
/// mean over the batch's samples (as torch's default reduction is) for the epoch value to be a mean
/// over the epoch's samples.
/// </remarks>
public abstract class Loss
{
    /// <summary>Creates a loss.</summary>
    /// <param name="name">A short description, written into checkpoints so that a resumed run must use the same loss.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    protected Loss(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>A short description, e.g. <c>mse</c> or <c>cross_entropy(ignore_index=0)</c>.</summary>
    public string Name { get; }

    /// <summary>The mean loss of a batch, a scalar tensor that gradients flow through.</summary>
    public abstract Tensor Compute(Tensor predictions, Tensor targets);

    /// <summary>
    /// Checks a whole dataset's targets before training (dtype, NaN, range); nothing by default.
    /// </summary>
    /// <param name="targets">The dataset's targets.</param>
    /// <param name="name">The dataset's name (<c>train</c>, <c>validation</c>, <c>data</c>) for messages and the exception's parameter name.</param>
    /// <exception cref="ArgumentException">The targets cannot be used with this loss.</exception>
    public virtual void CheckTargets(Tensor targets, string name) { }

    /// <summary>
    /// Checks the model's output on the first batch against the batch's targets, before the loss is
    /// computed; nothing by default.
    /// </summary>
    /// <param name="predictions">The first batch's predictions.</param>
    /// <param name="targets">The first batch's targets.</param>
    /// <param name="allTargets">Every dataset's complete targets, for checks that depend on the output (such as class ranges).</param>
    /// <exception cref="ArgumentException">The output does not fit the targets; the parameter name is <c>model</c>.</exception>
    public virtual void CheckPredictions(Tensor predictions, Tensor targets, IReadOnlyList<Tensor> allTargets) { }

    /// <summary>The metrics logged when <see cref="TrainingOptions.Metrics"/> is null: MAE for regression losses, accuracy for cross-entropy, none for custom losses.</summary>
    public virtual IReadOnlyList<Metric> DefaultMetrics => [];

    /// <inheritdoc />
    public override string ToString() => Name;

    private static readonly Loss DefaultHuber = Huber();
    private static readonly Loss DefaultCrossEntropy = CrossEntropy();

    /// <summary>Mean squared error; targets shaped like the predictions.</summary>
    public static Loss Mse { get; } = new RegressionLoss("mse", (p, t) => nn.functional.mse_loss(p, t));

    /// <summary>Mean absolute error; targets shaped like the predictions.</summary>
    public static Loss Mae { get; } = new RegressionLoss("mae", (p, t) => nn.functional.l1_loss(p, t));

    /// <summary>Huber loss, quadratic within <paramref name="delta"/> of the target and linear beyond.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not finite and greater than 0.</exception>
    public static Loss Huber(double delta = 1.0)
    {
        if (!double.IsFinite(delta) || delta <= 0)
            throw new ArgumentOutOfRangeException(nameof(delta), delta, $"the Huber delta must be finite and greater than 0 (got {delta})");
        return new RegressionLoss(string.Create(CultureInfo.InvariantCulture, $"huber(delta={delta})"),
            (p, t) => nn.functional.huber_loss(p, t, delta));
    }

    /// <summary>
    /// Cross-entropy on unnormalised logits shaped (N, C) against class indices shaped (N), or
    /// (N, T, C) against (N, T). Target positions holding <paramref name="ignoreIndex"/> count neither in
    /// the loss nor in the default accuracy (torch's <c>ignore_index</c>), e.g. 0 for the padding of
    /// variable-length output sequences.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ignoreIndex"/> is negative.</exception>
    public static Loss CrossEntropy(long? ignoreIndex = null)
    {
        if (ignoreIndex is < 0)
            throw new ArgumentOutOfRangeException(nameof(ignoreIndex), ignoreIndex, $"the ignored class index must be null or 0 or more (got {ignoreIndex})");
        return new CrossEntropyLoss(ignoreIndex);
    }

    /// <summary>
    /// The pinball (quantile) loss for a network that forecasts <paramref name="quantiles"/> of every horizon
    /// step, plus the MSE of a point forecast before them when <paramref name="withPoint"/>: predictions
    /// (N, H·K) against targets (N, H), see <see cref="QuantileLoss"/>. Logs <c>mae</c> of the point outputs.
    /// </summary>
    /// <param name="quantiles">Levels strictly between 0 and 1, strictly increasing, e.g. [0.025, 0.1, 0.5, 0.9, 0.975].</param>
    /// <param name="withPoint">Whether each step's outputs start with a point forecast trained with MSE.</param>
    /// <exception cref="ArgumentException">A level is out of range, not finite or not above the one before (the message names it).</exception>
    public static QuantileLoss Quantile(IReadOnlyList<double> quantiles, bool withPoint = true) =>
        new(QuantileLoss.ValidateLevels(quantiles, nameof(quantiles)), withPoint);

    /// <summary>A loss computed by <paramref name="compute"/> (predictions, targets) → mean loss.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static Loss Create(string name, Func<Tensor, Tensor, Tensor> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        return new FunctionLoss(name, compute);
    }

    /// <summary>A loss computed by a torch loss module such as <c>nn.SmoothL1Loss()</c>, named after its type unless <paramref name="name"/> is given.</summary>
    public static Loss FromModule(nn.Module<Tensor, Tensor, Tensor> module, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        return new FunctionLoss(name ?? module.GetType().Name, module.call);
    }

    /// <summary>The built-in loss of a <see cref="LossKind"/>, with default parameters (Huber delta 1, no ignored class).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined kind.</exception>
    public static Loss Of(LossKind kind) => kind switch
    {
        LossKind.Mse => Mse,
        LossKind.Mae => Mae,
        LossKind.Huber => DefaultHuber,
        LossKind.CrossEntropy => DefaultCrossEntropy,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"must be one of {string.Join(", ", Enum.GetNames<LossKind>())}"),
    };

    /// <summary>The built-in loss of a <see cref="LossKind"/>, so that <c>Loss = LossKind.CrossEntropy</c> reads as before.</summary>
    public static implicit operator Loss(LossKind kind) => Of(kind);

    internal static void CheckFinite(Tensor tensor, string what, string paramName)
    {
        using var scope = NewDisposeScope();
        var bad = tensor.isfinite().logical_not();
        if (!bad.any().ToBoolean()) return;
        long sample = bad.reshape(tensor.shape[0], -1).any(1).nonzero()[0, 0].ToInt64();
        throw new ArgumentException($"{what} contain NaN or infinite values (first at sample {sample}); clean or impute them before training", paramName);
    }

    private sealed class FunctionLoss(string name, Func<Tensor, Tensor, Tensor> compute) : Loss(name)
    {
        public override Tensor Compute(Tensor predictions, Tensor targets) => compute(predictions, targets);
    }

    /// <summary>Losses on floating-point targets shaped exactly like the predictions.</summary>
    private sealed class RegressionLoss(string name, Func<Tensor, Tensor, Tensor> compute) : Loss(name)
    {
        public override Tensor Compute(Tensor predictions, Tensor targets) => compute(predictions, targets);

        public override IReadOnlyList<Metric> DefaultMetrics => [new MeanAbsoluteError()];

        public override void CheckTargets(Tensor targets, string name)
        {
            if (!targets.is_floating_point())
                throw new ArgumentException($"{name}: regression losses need floating-point targets, got {targets.dtype}", name);
            CheckFinite(targets, $"{name} targets", name);
        }

        public override void CheckPredictions(Tensor predictions, Tensor targets, IReadOnlyList<Tensor> allTargets)
        {
            if (!predictions.shape.SequenceEqual(targets.shape))
                throw new ArgumentException(
                    $"the model's output shaped {Metrics.Shape(predictions)} does not match the targets shaped {Metrics.Shape(targets)}; " +
                    "regression losses need identical shapes (no broadcasting): reshape the targets or change the model's head",
                    "model");
        }
    }

    private sealed class CrossEntropyLoss(long? ignoreIndex) : Loss(ignoreIndex is { } i ? $"cross_entropy(ignore_index={i})" : "cross_entropy")
    {
        // (N, T, C) logits against (N, T) indices flatten to the (N*T, C) / (N*T) form cross_entropy takes.
        public override Tensor Compute(Tensor predictions, Tensor targets) =>
            nn.functional.cross_entropy(predictions.reshape(-1, predictions.shape[^1]), targets.reshape(-1), ignore_index: ignoreIndex ?? -100);

        public override IReadOnlyList<Metric> DefaultMetrics => [new Accuracy(ignoreIndex)];

        public override void CheckTargets(Tensor targets, string name)
        {
            if (targets.is_floating_point() || targets.is_complex() || targets.dtype == ScalarType.Bool)
                throw new ArgumentException($"{name}: cross-entropy needs integer class indices (Int64) as targets, got {targets.dtype}", name);
        }

        public override void CheckPredictions(Tensor predictions, Tensor targets, IReadOnlyList<Tensor> allTargets)
        {
            if (predictions.dim() != targets.dim() + 1 || !predictions.shape.Take((int)targets.dim()).SequenceEqual(targets.shape))
                throw new ArgumentException(
                    $"cross-entropy needs logits shaped (N, C) or (N, T, C) for targets shaped (N) or (N, T): got output " +
                    $"{Metrics.Shape(predictions)} and targets {Metrics.Shape(targets)}", "model");
            long classes = predictions.shape[^1];
            using var scope = NewDisposeScope();
            foreach (var all in allTargets)
            {
                var counted = ignoreIndex is { } ignored ? all.masked_select(all.ne(ignored)) : all;
                if (counted.numel() == 0) continue;
                long min = counted.min().ToInt64(), max = counted.max().ToInt64();
                if (min < 0 || max >= classes)
                    throw new ArgumentException(
                        $"class indices must lie in [0, {classes - 1}] for a model with {classes} outputs, but targets range over [{min}, {max}]",
                        "model");
            }
        }
    }
}
