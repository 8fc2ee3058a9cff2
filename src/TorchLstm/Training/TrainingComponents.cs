using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>Loss, metric and optimiser construction plus the boundary checks of the runner.</summary>
internal static class TrainingComponents
{
    /// <summary>
    /// The library's optimisers: TorchSharp's algorithms and state format, with every native scalar of a
    /// step released when the step ends, so a long run needs no forced garbage collection to stay flat.
    /// </summary>
    public static optim.Optimizer CreateOptimizer(TrainingOptions options, IReadOnlyList<TorchSharp.Modules.Parameter> parameters) => options.Optimizer switch
    {
        OptimizerKind.Adam => new Optimizers.Adam(parameters, options.LearningRate, weight_decay: options.WeightDecay),
        OptimizerKind.AdamW => new Optimizers.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay),
        OptimizerKind.Sgd => new Optimizers.SGD(parameters, options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay),
        OptimizerKind.RmsProp => new Optimizers.RMSProp(parameters, options.LearningRate, momentum: options.Momentum, weight_decay: options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "unknown optimizer"),
    };

    public static Tensor Loss(TrainingOptions options, Tensor output, Tensor target) => options.Loss switch
    {
        LossKind.Mse => nn.functional.mse_loss(output, target),
        LossKind.Mae => nn.functional.l1_loss(output, target),
        LossKind.Huber => nn.functional.huber_loss(output, target, options.HuberDelta),
        // (N, T, C) logits against (N, T) indices flatten to the (N*T, C) / (N*T) form cross_entropy takes.
        LossKind.CrossEntropy => nn.functional.cross_entropy(output.reshape(-1, output.shape[^1]), target.reshape(-1),
            ignore_index: options.IgnoreIndex ?? -100),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Loss, "unknown loss"),
    };

    /// <summary>Name of the metric logged for a loss kind.</summary>
    public static string MetricName(LossKind loss) => loss == LossKind.CrossEntropy ? LogNames.Accuracy : LogNames.Mae;

    /// <summary>
    /// The per-batch numerator of the epoch metric (sum of absolute errors, or count of correct
    /// predictions); dividing the epoch's sum by <see cref="MetricDenominator"/> gives the metric.
    /// </summary>
    public static Tensor MetricNumerator(TrainingOptions options, Tensor output, Tensor target)
    {
        if (options.Loss != LossKind.CrossEntropy) return nn.functional.l1_loss(output, target, nn.Reduction.Sum);
        var correct = output.argmax(-1).eq(target);
        return options.IgnoreIndex is { } ignored ? correct.logical_and(target.ne(ignored)).sum() : correct.sum();
    }

    public static long MetricDenominator(SequenceDataset data, TrainingOptions options)
    {
        if (options.Loss != LossKind.CrossEntropy || options.IgnoreIndex is not { } ignored) return data.Targets.numel();
        using var scope = NewDisposeScope();
        return data.Targets.ne(ignored).sum().item<long>();
    }

    public static IReadOnlyList<string> LogKeys(LossKind loss, bool hasValidation)
    {
        string metric = MetricName(loss);
        return hasValidation
            ? [LogNames.Loss, metric, LogNames.ValidationLoss, LogNames.ValidationPrefix + metric, LogNames.LearningRate, LogNames.Seconds]
            : [LogNames.Loss, metric, LogNames.LearningRate, LogNames.Seconds];
    }

    /// <summary>Checks a dataset before any batch reaches native code.</summary>
    public static void CheckDataset(SequenceDataset data, string name, LossKind loss)
    {
        data.Validate(name);
        if (data.Count == 0)
            throw new ArgumentException($"{name}: the dataset holds no samples", name);
        // Integer inputs are token ids for models that embed them (SequenceClassifier); the model checks their range.
        if (data.Inputs.dtype == ScalarType.Bool || data.Inputs.is_complex())
            throw new ArgumentException(
                $"{name}: inputs must be a floating-point tensor, or integer token ids for a model that embeds them (got {data.Inputs.dtype}); convert with .to(ScalarType.Float32)", name);
        if (data.Inputs.is_floating_point())
            CheckFinite(data.Inputs, $"{name} inputs", name);
        if (loss == LossKind.CrossEntropy)
        {
            if (data.Targets.is_floating_point() || data.Targets.dtype == ScalarType.Bool)
                throw new ArgumentException($"{name}: cross-entropy needs integer class indices (Int64) as targets, got {data.Targets.dtype}", name);
        }
        else
        {
            if (!data.Targets.is_floating_point())
                throw new ArgumentException($"{name}: regression losses need floating-point targets, got {data.Targets.dtype}", name);
            CheckFinite(data.Targets, $"{name} targets", name);
        }
    }

    public static void CheckCompatible(SequenceDataset train, SequenceDataset validation)
    {
        if (!train.Inputs.shape.Skip(1).SequenceEqual(validation.Inputs.shape.Skip(1)) ||
            !train.Targets.shape.Skip(1).SequenceEqual(validation.Targets.shape.Skip(1)))
            throw new ArgumentException(
                $"validation samples must be shaped like training samples: train inputs {Metrics.Shape(train.Inputs)} / targets " +
                $"{Metrics.Shape(train.Targets)}, validation inputs {Metrics.Shape(validation.Inputs)} / targets {Metrics.Shape(validation.Targets)}",
                nameof(validation));
    }

    /// <summary>Run on the first batch only: the model's output must fit the targets without broadcasting.</summary>
    public static void CheckOutput(LossKind loss, Tensor output, Tensor target, params SequenceDataset?[] datasets)
    {
        if (loss != LossKind.CrossEntropy)
        {
            if (!output.shape.SequenceEqual(target.shape))
                throw new ArgumentException(
                    $"the model's output shaped {Metrics.Shape(output)} does not match the targets shaped {Metrics.Shape(target)}; " +
                    "regression losses need identical shapes (no broadcasting): reshape the targets or change the model's head",
                    "model");
            return;
        }
        if (output.dim() != target.dim() + 1 || !output.shape.Take((int)target.dim()).SequenceEqual(target.shape))
            throw new ArgumentException(
                $"cross-entropy needs logits shaped (N, C) or (N, T, C) for targets shaped (N) or (N, T): got output " +
                $"{Metrics.Shape(output)} and targets {Metrics.Shape(target)}", "model");
        long classes = output.shape[^1];
        foreach (var data in datasets)
        {
            if (data is null) continue;
            long min = data.Targets.min().ToInt64(), max = data.Targets.max().ToInt64();
            if (min < 0 || max >= classes)
                throw new ArgumentException(
                    $"class indices must lie in [0, {classes - 1}] for a model with {classes} outputs, but targets range over [{min}, {max}]",
                    "model");
        }
    }

    private static void CheckFinite(Tensor tensor, string what, string paramName)
    {
        using var scope = NewDisposeScope();
        var bad = tensor.isfinite().logical_not();
        if (!bad.any().ToBoolean()) return;
        long sample = bad.reshape(tensor.shape[0], -1).any(1).nonzero()[0, 0].ToInt64();
        throw new ArgumentException($"{what} contain NaN or infinite values (first at sample {sample}); clean or impute them before training", paramName);
    }

    /// <summary>TorchSharp's Device has reference equality only; this compares type and index (-1 meaning the default, 0).</summary>
    public static bool SameDevice(Device a, Device b) => a.type == b.type && Math.Max(a.index, 0) == Math.Max(b.index, 0);

    public static Device DeviceOf(nn.Module module)
    {
        foreach (var p in module.parameters()) return p.device;
        return CPU;
    }

    /// <summary>Mean loss and metric of a dataset, in eval mode without gradients; one device sync at the end.</summary>
    public static (double Loss, double Metric) Evaluate(nn.Module<Tensor, Tensor> model, SequenceDataset data, TrainingOptions options, Device device, bool checkFirst)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var outer = NewDisposeScope();
            using var noGrad = no_grad();
            var lossSum = zeros(1, ScalarType.Float64, device);
            var metricSum = zeros(1, ScalarType.Float64, device);
            // Explicit scalars, disposed here: TorchSharp would leave one per call to the finaliser.
            using var one = 1.ToScalar();
            bool first = checkFirst;
            bool moveInputs = !SameDevice(data.Inputs.device, device), moveTargets = !SameDevice(data.Targets.device, device);
            foreach (var (batchInputs, batchTargets) in Batches.Iterate(data, options.BatchSize))
            {
                using var scope = NewDisposeScope();
                using var x0 = batchInputs;
                using var y0 = batchTargets;
                var x = moveInputs ? x0.to(device) : x0;
                var y = moveTargets ? y0.to(device) : y0;
                var output = model.forward(x);
                if (first) { CheckOutput(options.Loss, output, y, data); first = false; }
                using var weight = x.shape[0].ToScalar();
                lossSum.add_(Loss(options, output, y), weight);
                metricSum.add_(MetricNumerator(options, output, y), one);
            }
            double loss = lossSum.item<double>() / data.Count;
            double metric = metricSum.item<double>() / MetricDenominator(data, options);
            return (loss, metric);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
