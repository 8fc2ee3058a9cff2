using System.Diagnostics;
using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>One training epoch plus validation; owns the tensors reused from epoch to epoch.</summary>
internal sealed class EpochLoop : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly SequenceDataset train;
    private readonly SequenceDataset? validation;
    private readonly TrainingOptions options;
    private readonly Device device;
    private readonly optim.Optimizer optimizer;
    private readonly TorchSharp.Modules.Parameter[] parameters;
    private readonly Generator generator;
    private readonly TrainingContext context;
    private readonly Callback[] callbacks;

    // Reused every epoch so that no tensor outlives a batch: per-batch mean losses (to find the first
    // non-finite batch and to weight by batch size), batch sizes, and the running metric numerator.
    private readonly Tensor batchLosses;
    private readonly Tensor batchSizes;
    private readonly Tensor metricSum;
    private readonly string metricName;
    private bool outputChecked;

    public EpochLoop(
        nn.Module<Tensor, Tensor> model, SequenceDataset train, SequenceDataset? validation, TrainingOptions options, Device device,
        optim.Optimizer optimizer, TorchSharp.Modules.Parameter[] parameters, Generator generator, TrainingContext context, Callback[] callbacks)
    {
        this.model = model;
        this.train = train;
        this.validation = validation;
        this.options = options;
        this.device = device;
        this.optimizer = optimizer;
        this.parameters = parameters;
        this.generator = generator;
        this.context = context;
        this.callbacks = callbacks;
        metricName = TrainingComponents.MetricName(options.Loss);

        int batches = context.BatchesPerEpoch;
        var sizes = new double[batches];
        for (int b = 0; b < batches; b++)
            sizes[b] = Math.Min(options.BatchSize, train.Count - (long)b * options.BatchSize);
        batchSizes = tensor(sizes, ScalarType.Float64).to(device).DetachFromDisposeScope();
        batchLosses = zeros(batches, ScalarType.Float64, device).DetachFromDisposeScope();
        metricSum = zeros(1, ScalarType.Float64, device).DetachFromDisposeScope();
    }

    /// <summary>Runs one epoch; false when cancelled before it finished (nothing is recorded then).</summary>
    public bool Run(int epoch, CancellationToken ct)
    {
        context.Epoch = epoch;
        context.Batch = 0;
        context.FirstNonFiniteBatch = null;
        context.ResetLogs();
        for (int i = 0; i < callbacks.Length; i++) callbacks[i].OnEpochBegin(context);

        var clock = Stopwatch.StartNew();
        double learningRate = context.LearningRate;
        model.train();
        using (NewDisposeScope())
        {
            // TorchSharp's zero_() hands back a fresh wrapper of the same storage; the scope releases it.
            batchLosses.zero_();
            metricSum.zero_();
        }
        if (!TrainBatches(ct)) return false;

        double trainLoss, trainMetric;
        using (var scope = NewDisposeScope())
        {
            trainLoss = (batchLosses * batchSizes).sum().item<double>() / train.Count;
            trainMetric = metricSum.item<double>() / TrainingComponents.MetricDenominator(train, options);
            if (!double.IsFinite(trainLoss))
                context.FirstNonFiniteBatch = (int)batchLosses.isfinite().logical_not().nonzero()[0, 0].item<long>() + 1;
        }

        var logs = context.Logs;
        logs[LogNames.Loss] = trainLoss;
        logs[metricName] = trainMetric;
        if (validation is not null)
        {
            var (valLoss, valMetric) = TrainingComponents.Evaluate(model, validation, options, device, checkFirst: false);
            logs[LogNames.ValidationLoss] = valLoss;
            logs[LogNames.ValidationPrefix + metricName] = valMetric;
        }
        logs[LogNames.LearningRate] = learningRate;
        logs[LogNames.Seconds] = clock.Elapsed.TotalSeconds;

        for (int i = 0; i < callbacks.Length; i++) callbacks[i].OnEpochEnd(context);
        context.History.Add(ToRecord(epoch, logs));
        return true;
    }

    /// <summary>The optimisation steps of one epoch; false when cancelled.</summary>
    private bool TrainBatches(CancellationToken ct)
    {
        // The batch iterator makes its index tensors outside the per-batch scopes; this scope bounds
        // their lifetime to the epoch so that nothing it allocates can accumulate across epochs.
        using var epochScope = NewDisposeScope();
        double? clip = options.ClipGradNorm;
        int batch = 0;
        foreach (var (batchInputs, batchTargets) in Batches.Iterate(train, options.BatchSize, options.Shuffle, generator))
        {
            using var scope = NewDisposeScope();
            // The iterator made these before the scope opened, so they are disposed explicitly.
            using var x0 = batchInputs;
            using var y0 = batchTargets;
            var x = x0.device == device ? x0 : x0.to(device);
            var y = y0.device == device ? y0 : y0.to(device);

            var output = model.forward(x);
            if (!outputChecked)
            {
                TrainingComponents.CheckOutput(options.Loss, output, y, train, validation);
                outputChecked = true;
            }
            var loss = TrainingComponents.Loss(options, output, y);
            optimizer.zero_grad();
            loss.backward();
            if (clip is { } maxNorm)
                nn.utils.clip_grad_norm_(parameters, maxNorm);
            optimizer.step();

            var detachedLoss = loss.detach();
            batchLosses[batch].copy_(detachedLoss);
            metricSum.add_(TrainingComponents.MetricNumerator(options, output.detach(), y));

            batch++;
            if (callbacks.Length > 0)
            {
                context.Batch = batch;
                context.BatchLoss = detachedLoss;
                for (int i = 0; i < callbacks.Length; i++) callbacks[i].OnBatchEnd(context);
                context.BatchLoss = null;
            }
            if (ct.IsCancellationRequested) return false;
        }
        return true;
    }

    private static EpochRecord ToRecord(int epoch, IDictionary<string, double> logs)
    {
        var metrics = new Dictionary<string, double>();
        foreach (var (name, value) in logs)
        {
            if (name is LogNames.Loss or LogNames.ValidationLoss or LogNames.LearningRate or LogNames.Seconds) continue;
            metrics[name] = value;
        }
        return new EpochRecord(
            epoch, logs[LogNames.Loss], logs.TryGetValue(LogNames.ValidationLoss, out double v) ? v : null,
            metrics, logs[LogNames.LearningRate], logs[LogNames.Seconds]);
    }

    public void Dispose()
    {
        batchLosses.Dispose();
        batchSizes.Dispose();
        metricSum.Dispose();
    }
}
