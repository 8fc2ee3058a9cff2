using System.Diagnostics;
using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>One training epoch plus validation; owns the tensors reused from epoch to epoch.</summary>
internal sealed class EpochLoop<TModel, TBatch> : IDisposable
    where TModel : nn.Module
    where TBatch : ISampleBatch<TBatch>
{
    private readonly TModel model;
    private readonly TrainingStep<TModel, TBatch> step;
    private readonly Loss loss;
    private readonly IReadOnlyList<Metric> metrics;
    private readonly TBatch train;
    private readonly TBatch? validation;
    private readonly long trainCount;
    private readonly TrainingOptions options;
    private readonly Device device;
    private readonly optim.Optimizer optimizer;
    private readonly TorchSharp.Modules.Parameter[] parameters;
    private readonly Generator generator;
    private readonly TrainingContext context;
    private readonly Callback[] callbacks;
    private readonly IReadOnlyList<Tensor> allTargets;

    // Reused every epoch: the detached per-batch mean losses (kept, not copied, to find the first
    // non-finite batch and to weight by batch size at epoch end), batch sizes, and the running metric sums.
    private readonly Tensor?[] batchLosses;
    private readonly Tensor batchSizes;
    private readonly bool[] moveTensors;
    private readonly MetricSums metricSums;
    private bool outputChecked;

    public EpochLoop(
        TModel model, TrainingStep<TModel, TBatch> step, TBatch train, TBatch? validation, TrainingOptions options, Device device,
        optim.Optimizer optimizer, TorchSharp.Modules.Parameter[] parameters, Generator generator, TrainingContext context, Callback[] callbacks)
    {
        this.model = model;
        this.step = step;
        this.train = train;
        this.validation = validation;
        this.options = options;
        this.device = device;
        this.optimizer = optimizer;
        this.parameters = parameters;
        this.generator = generator;
        this.context = context;
        this.callbacks = callbacks;
        loss = options.Loss;
        metrics = context.Metrics;
        trainCount = SampleBatch.Count(train);
        allTargets = validation is null ? [step.Targets(train)] : [step.Targets(train), step.Targets(validation)];

        int batches = context.BatchesPerEpoch;
        var sizes = new double[batches];
        for (int b = 0; b < batches; b++)
            sizes[b] = Math.Min(options.BatchSize, trainCount - (long)b * options.BatchSize);
        batchSizes = tensor(sizes, ScalarType.Float64, device).DetachFromDisposeScope();
        batchLosses = new Tensor?[batches];
        moveTensors = TrainingComponents.TensorsToMove(train, device);
        metricSums = new MetricSums(metrics);
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
        if (!TrainBatches(ct))
        {
            ReleaseBatchLosses();
            metricSums.Clear();
            return false;
        }
        double trainLoss;
        using (var scope = NewDisposeScope())
        {
            var losses = stack(batchLosses!).to(ScalarType.Float64);
            ReleaseBatchLosses();
            trainLoss = (losses * batchSizes).sum().item<double>() / trainCount;
            if (!double.IsFinite(trainLoss))
                context.FirstNonFiniteBatch = (int)losses.isfinite().logical_not().nonzero()[0, 0].item<long>() + 1;
        }
        double[] trainMetrics = metricSums.Results();

        var logs = context.Logs;
        logs[LogNames.Loss] = trainLoss;
        for (int i = 0; i < metrics.Count; i++) logs[metrics[i].Name] = trainMetrics[i];
        if (validation is not null)
        {
            var (valLoss, valMetrics) = TrainingComponents.Evaluate(model, step, loss, metrics, validation, options.BatchSize, device, checkAgainst: null);
            logs[LogNames.ValidationLoss] = valLoss;
            for (int i = 0; i < metrics.Count; i++) logs[LogNames.ValidationPrefix + metrics[i].Name] = valMetrics[i];
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
        foreach (var raw in Batches.Iterate(train, options.BatchSize, options.Shuffle, generator))
        {
            using var scope = NewDisposeScope();
            // The iterator made these before the scope opened, so they are disposed explicitly.
            using var release = new BatchTensors(raw.Tensors);
            var data = TrainingComponents.OnDevice(raw, moveTensors, device);

            var output = step.Predict(model, data);
            var targets = step.Targets(data);
            if (!outputChecked)
            {
                loss.CheckPredictions(output, targets, allTargets);
                outputChecked = true;
            }
            var batchLoss = loss.Compute(output, targets);
            optimizer.zero_grad();
            batchLoss.backward();
            if (clip is { } maxNorm)
                nn.utils.clip_grad_norm_(parameters, maxNorm);
            optimizer.step();

            var detachedLoss = batchLoss.detach();
            batchLosses[batch] = detachedLoss.DetachFromDisposeScope();
            metricSums.Add(output.detach(), targets);

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
        var values = new Dictionary<string, double>();
        foreach (var (name, value) in logs)
        {
            if (name is LogNames.Loss or LogNames.ValidationLoss or LogNames.LearningRate or LogNames.Seconds) continue;
            values[name] = value;
        }
        return new EpochRecord(
            epoch, logs[LogNames.Loss], logs.TryGetValue(LogNames.ValidationLoss, out double v) ? v : null,
            values, logs[LogNames.LearningRate], logs[LogNames.Seconds]);
    }

    private void ReleaseBatchLosses()
    {
        for (int i = 0; i < batchLosses.Length; i++)
        {
            batchLosses[i]?.Dispose();
            batchLosses[i] = null;
        }
    }

    public void Dispose()
    {
        ReleaseBatchLosses();
        batchSizes.Dispose();
        metricSums.Dispose();
    }
}
