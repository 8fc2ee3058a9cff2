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

    // Reused every epoch: the detached per-batch mean losses (kept, not copied, to find the first
    // non-finite batch and to weight by batch size at epoch end), batch sizes, and the running metric numerator.
    private readonly Tensor?[] batchLosses;
    private readonly Tensor batchSizes;
    private readonly bool moveInputs;
    private readonly bool moveTargets;
    private readonly Tensor metricSum;
    // Passed explicitly: TorchSharp's add_(tensor) makes a native Scalar 1 per call and leaves it to the finaliser.
    private readonly Scalar one = 1.ToScalar();
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
        batchSizes = tensor(sizes, ScalarType.Float64, device).DetachFromDisposeScope();
        batchLosses = new Tensor?[batches];
        // Decided once: asking a tensor for its device is a native call, too costly per batch.
        moveInputs = !TrainingComponents.SameDevice(train.Inputs.device, device);
        moveTargets = !TrainingComponents.SameDevice(train.Targets.device, device);
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
            metricSum.zero_();
        }
        if (!TrainBatches(ct))
        {
            ReleaseBatchLosses();
            return false;
        }
        double trainLoss, trainMetric;
        using (var scope = NewDisposeScope())
        {
            var losses = stack(batchLosses!).to(ScalarType.Float64);
            ReleaseBatchLosses();
            trainLoss = (losses * batchSizes).sum().item<double>() / train.Count;
            trainMetric = metricSum.item<double>() / TrainingComponents.MetricDenominator(train, options);
            if (!double.IsFinite(trainLoss))
                context.FirstNonFiniteBatch = (int)losses.isfinite().logical_not().nonzero()[0, 0].item<long>() + 1;
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
            var x = moveInputs ? x0.to(device) : x0;
            var y = moveTargets ? y0.to(device) : y0;

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
            batchLosses[batch] = detachedLoss.DetachFromDisposeScope();
            metricSum.add_(TrainingComponents.MetricNumerator(options, output.detach(), y), one);

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
        metricSum.Dispose();
        one.Dispose();
    }
}
