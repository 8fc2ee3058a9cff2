using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>Optimiser construction, batching, metric sums and the boundary checks of the runner.</summary>
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

    public static IReadOnlyList<string> LogKeys(IReadOnlyList<Metric> metrics, bool hasValidation)
    {
        var keys = new List<string> { LogNames.Loss };
        keys.AddRange(metrics.Select(m => m.Name));
        if (hasValidation)
        {
            keys.Add(LogNames.ValidationLoss);
            keys.AddRange(metrics.Select(m => LogNames.ValidationPrefix + m.Name));
        }
        keys.Add(LogNames.LearningRate);
        keys.Add(LogNames.Seconds);
        return keys;
    }

    /// <summary>Checks a dataset before any batch reaches native code: the step's checks, a sample count, the loss's target checks.</summary>
    public static void CheckDataset<TModel, TBatch>(TrainingStep<TModel, TBatch> step, Loss loss, TBatch data, string name)
        where TModel : nn.Module where TBatch : ISampleBatch<TBatch>
    {
        ArgumentNullException.ThrowIfNull(data, name);
        step.CheckData(data, name);
        SampleBatch.Validate(data, name);
        if (SampleBatch.Count(data) == 0)
            throw new ArgumentException($"{name}: the dataset holds no samples", name);
        loss.CheckTargets(step.Targets(data), name);
    }

    public static void CheckCompatible<TBatch>(TBatch train, TBatch validation) where TBatch : ISampleBatch<TBatch>
    {
        var a = train.Tensors;
        var b = validation.Tensors;
        bool same = a.Count == b.Count && a.Zip(b).All(p => p.First.shape.Skip(1).SequenceEqual(p.Second.shape.Skip(1)));
        if (same) return;
        string Shapes(IReadOnlyList<Tensor> tensors) => string.Join(" / ", tensors.Select(Metrics.Shape));
        string what = typeof(TBatch) == typeof(SequenceDataset) ? " (inputs / targets)" : "";
        throw new ArgumentException(
            $"validation samples must be shaped like training samples{what}: train {Shapes(a)}, validation {Shapes(b)}",
            nameof(validation));
    }

    /// <summary>TorchSharp's Device has reference equality only; this compares type and index (-1 meaning the default, 0).</summary>
    public static bool SameDevice(Device a, Device b) => a.type == b.type && Math.Max(a.index, 0) == Math.Max(b.index, 0);

    public static Device DeviceOf(nn.Module module)
    {
        foreach (var p in module.parameters()) return p.device;
        return CPU;
    }

    /// <summary>Which of a dataset's tensors must be copied to <paramref name="device"/>; decided once, since asking a tensor for its device is a native call.</summary>
    public static bool[] TensorsToMove<TBatch>(TBatch data, Device device) where TBatch : ISampleBatch<TBatch> =>
        data.Tensors.Select(t => !SameDevice(t.device, device)).ToArray();

    /// <summary>The batch on the device: moved copies where needed, the batch's own tensors elsewhere.</summary>
    public static TBatch OnDevice<TBatch>(TBatch batch, bool[] move, Device device) where TBatch : ISampleBatch<TBatch>
    {
        if (!move.Any(m => m)) return batch;
        var tensors = batch.Tensors;
        var moved = new Tensor[tensors.Count];
        for (int i = 0; i < moved.Length; i++) moved[i] = move[i] ? tensors[i].to(device) : tensors[i];
        return batch.WithTensors(moved);
    }

    /// <summary>
    /// Mean loss and metrics of a dataset, in eval mode without gradients; one device sync for the loss
    /// and one per metric at the end.
    /// </summary>
    public static (double Loss, double[] Metrics) Evaluate<TModel, TBatch>(
        TModel model, TrainingStep<TModel, TBatch> step, Loss loss, IReadOnlyList<Metric> metrics, TBatch data, int batchSize, Device device,
        IReadOnlyList<Tensor>? checkAgainst)
        where TModel : nn.Module where TBatch : ISampleBatch<TBatch>
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var outer = NewDisposeScope();
            using var noGrad = no_grad();
            using var sums = new MetricSums(metrics);
            var lossSum = zeros(1, ScalarType.Float64, device);
            var move = TensorsToMove(data, device);
            long count = 0;
            foreach (var raw in Batches.Iterate(data, batchSize))
            {
                using var scope = NewDisposeScope();
                using var release = new BatchTensors(raw.Tensors);
                var batch = OnDevice(raw, move, device);
                var output = step.Predict(model, batch);
                var targets = step.Targets(batch);
                if (checkAgainst is not null)
                {
                    loss.CheckPredictions(output, targets, checkAgainst);
                    checkAgainst = null;
                }
                long size = batch.Tensors[0].shape[0];
                // An explicit scalar, disposed here: TorchSharp would leave one per call to the finaliser.
                using var weight = size.ToScalar();
                lossSum.add_(loss.Compute(output, targets), weight);
                sums.Add(output, targets);
                count += size;
            }
            return (lossSum.item<double>() / count, sums.Results());
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}

/// <summary>Disposes tensors the batch iterator made before the batch's dispose scope opened.</summary>
internal readonly struct BatchTensors(IReadOnlyList<Tensor> tensors) : IDisposable
{
    public void Dispose()
    {
        foreach (var tensor in tensors) tensor.Dispose();
    }
}

/// <summary>
/// The running sums of each metric's batch statistics over one pass, kept on the device and outside
/// every batch scope; read once at the end.
/// </summary>
internal sealed class MetricSums(IReadOnlyList<Metric> metrics) : IDisposable
{
    private readonly Tensor?[] totals = new Tensor?[metrics.Count];
    // Passed explicitly: TorchSharp's add_(tensor) makes a native Scalar 1 per call and leaves it to the finaliser.
    private readonly Scalar one = 1.ToScalar();
    private long elements;

    /// <summary>Adds one batch; call inside the batch's dispose scope.</summary>
    public void Add(Tensor predictions, Tensor targets)
    {
        if (totals.Length == 0) return;
        elements += targets.numel();
        using var noGrad = no_grad();
        for (int i = 0; i < totals.Length; i++)
        {
            var statistics = metrics[i].BatchStatistics(predictions, targets);
            if (totals[i] is not { } total)
            {
                if (statistics.dim() > 1)
                    throw new InvalidOperationException(
                        $"metric '{metrics[i].Name}' returned batch statistics shaped {Metrics.Shape(statistics)}; they must be a scalar or a 1-D tensor");
                // Float64 sums: float32 running sums would lose digits over a long epoch.
                totals[i] = statistics.to(ScalarType.Float64, copy: true).DetachFromDisposeScope();
                continue;
            }
            if (total.numel() != statistics.numel())
                throw new InvalidOperationException(
                    $"metric '{metrics[i].Name}' returned {statistics.numel()} batch statistics after {total.numel()} for an earlier batch; the count must not change");
            total.add_(statistics, one);
        }
    }

    /// <summary>Each metric's value over the pass, then clears the sums (one device read per metric).</summary>
    public double[] Results()
    {
        var results = new double[totals.Length];
        using var scope = NewDisposeScope();
        for (int i = 0; i < totals.Length; i++)
        {
            if (totals[i] is not { } total)
            {
                results[i] = double.NaN;
                continue;
            }
            results[i] = metrics[i].Result(total.cpu().reshape(-1).data<double>().ToArray(), elements);
            total.Dispose();
            totals[i] = null;
        }
        elements = 0;
        return results;
    }

    /// <summary>Drops the sums of an unfinished pass.</summary>
    public void Clear()
    {
        for (int i = 0; i < totals.Length; i++)
        {
            totals[i]?.Dispose();
            totals[i] = null;
        }
        elements = 0;
    }

    public void Dispose()
    {
        Clear();
        one.Dispose();
    }
}
