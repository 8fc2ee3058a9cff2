using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>
/// Trains, evaluates and runs any <c>nn.Module&lt;Tensor, Tensor&gt;</c> on <see cref="SequenceDataset"/>s,
/// like Keras's <c>fit</c>/<c>evaluate</c>/<c>predict</c> with Lightning-style callbacks.
/// </summary>
/// <remarks>
/// The training loop reads numbers from the device once per epoch, not per batch: per-batch losses
/// go into a preallocated tensor and metrics into running-sum tensors, so an epoch costs the same as a
/// hand-written TorchSharp loop over the same batches.
/// </remarks>
public sealed class ExperimentRunner
{
    private readonly TextWriter? output;

    /// <summary>Creates a runner.</summary>
    /// <param name="output">Where plain progress lines go; the console when null.</param>
    public ExperimentRunner(TextWriter? output = null) => this.output = output;

    /// <summary>
    /// Trains <paramref name="model"/> on <paramref name="train"/> for <see cref="TrainingOptions.Epochs"/>
    /// epochs, validating on <paramref name="validation"/> after each, and calling <paramref name="callbacks"/>.
    /// </summary>
    /// <remarks>
    /// The model is moved to <see cref="TrainingOptions.Device"/>, put in training mode for the
    /// optimisation steps (dropout active) and in eval mode for validation; it is left in eval mode.
    /// Torch's global generator and the shuffle generator are seeded from <see cref="TrainingOptions.Seed"/>.
    /// Cancellation is honoured between batches and reported as <see cref="StopReason.Cancelled"/>.
    /// <para>A NaN or infinite training loss, validation loss or weight stops training after that epoch
    /// (<see cref="StopReason.NonFiniteLoss"/>, with the epoch and first bad batch in
    /// <see cref="History.StopMessage"/>) and puts back the weights of the last finite epoch.</para>
    /// <para>With <see cref="TrainingOptions.CheckpointDirectory"/> the complete state is saved after
    /// every epoch; with <see cref="TrainingOptions.Resume"/> a killed run continues from the newest
    /// intact checkpoint and ends bit-identical to an uninterrupted run with the same seed, on the same
    /// machine and thread count. The callbacks must then be the same types in the same order.</para>
    /// </remarks>
    /// <returns>The per-epoch record and why training ended.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its accepted range.</exception>
    /// <exception cref="ArgumentException">
    /// A dataset is malformed (sample counts, dtypes, NaN), validation samples are shaped differently
    /// from training samples, the model's output does not fit the targets, a callback monitors a value
    /// that is not logged, or the model has no parameters.
    /// </exception>
    /// <exception cref="CheckpointException">
    /// Resuming: every checkpoint in the folder is unreadable, or the newest readable one belongs to a
    /// different model shape, options, data shape or callback list.
    /// </exception>
    public History Fit(
        nn.Module<Tensor, Tensor> model, SequenceDataset train, SequenceDataset? validation, TrainingOptions options,
        IEnumerable<Callback>? callbacks = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var device = TorchDevice.Resolve(options.Device);
        TrainingComponents.CheckDataset(train, nameof(train), options.Loss);
        if (validation is not null)
        {
            TrainingComponents.CheckDataset(validation, nameof(validation), options.Loss);
            TrainingComponents.CheckCompatible(train, validation);
        }
        var userCallbacks = callbacks?.ToList() ?? [];
        if (userCallbacks.Any(c => c is null))
            throw new ArgumentException("callbacks must not contain null", nameof(callbacks));

        model.to(device);
        var parameters = model.parameters().ToArray();
        if (parameters.Length == 0)
            throw new ArgumentException("the model has no parameters to train", nameof(model));

        using var threads = TorchThreads.Use(options.Threads, model, options.BatchSize);
        Seeding.SeedEverything(options.Seed);
        using var generator = Seeding.CreateShuffleGenerator(options.Seed);
        using var optimizer = TrainingComponents.CreateOptimizer(options, parameters);
        using var progress = ProgressReporter.Create(options.Progress, output);
        var all = progress is null ? userCallbacks.ToArray() : [.. userCallbacks, progress];

        var history = new History();
        int batchesPerEpoch = (int)((train.Count + options.BatchSize - 1) / options.BatchSize);
        var context = new TrainingContext(model, optimizer, options,
            history, TrainingComponents.LogKeys(options.Loss, validation is not null), batchesPerEpoch);
        var checkpoints = options.CheckpointDirectory is { } directory ? new CheckpointStore(directory, options.CheckpointsToKeep) : null;
        var run = CheckpointStore.RunFingerprint(options, train, validation);
        TrainingCheckpoint? resumeFrom = null;
        using var lastFinite = new LastFiniteWeights(model);
        var loop = new EpochLoop(model, train, validation, options, device, optimizer, parameters, generator, context, all);
        try
        {
            if (checkpoints is not null)
            {
                if (options.Resume) resumeFrom = checkpoints.LoadNewest(history);
                else checkpoints.RemoveStale(history);
            }
            if (resumeFrom is not null)
            {
                resumeFrom.CheckResumable(run, userCallbacks, model);
                resumeFrom.RestoreTraining(model, optimizer, history, generator);
                history.ResumedFrom = resumeFrom.Path;
                context.Epoch = resumeFrom.Epoch;
                if (resumeFrom.StopRequested) context.RequestStop(history.StopReason, history.StopMessage ?? "training had already stopped");
            }
            if (options.Progress != ProgressMode.None)
                foreach (var note in history.CheckpointNotes) (output ?? Console.Out).WriteLine(note);

            foreach (var callback in all) callback.OnTrainBegin(context);
            if (resumeFrom is not null)
            {
                resumeFrom.RestoreCallbacks(userCallbacks);
                resumeFrom.RestoreRandomState(generator);
            }
            lastFinite.Capture();
            for (int epoch = context.Epoch + 1; epoch <= options.Epochs && !context.StopRequested; epoch++)
            {
                if (ct.IsCancellationRequested || !loop.Run(epoch, ct))
                {
                    context.RequestStop(StopReason.Cancelled, $"training was cancelled during epoch {epoch}; that epoch is not recorded");
                    break;
                }
                if (!StopIfNonFinite(context, lastFinite, userCallbacks, epoch))
                    lastFinite.Capture();
                checkpoints?.Save(epoch, context.StopRequested, run, model, optimizer, history, userCallbacks, generator);
            }
            foreach (var callback in all) callback.OnTrainEnd(context);
        }
        finally
        {
            resumeFrom?.Dispose();
            loop.Dispose();
            model.eval();
        }
        return history;
    }

    /// <summary>
    /// Like Keras's <c>TerminateOnNaN</c>, without needing a callback: a NaN or infinite loss or weight
    /// stops training, since every further step would only spread it, and the weights of the last
    /// finite epoch are put back (unless <see cref="EarlyStopping"/> has already restored its best ones).
    /// </summary>
    /// <returns>Whether the epoch was non-finite.</returns>
    private static bool StopIfNonFinite(TrainingContext context, LastFiniteWeights lastFinite, IReadOnlyList<Callback> callbacks, int epoch)
    {
        var logs = context.Logs;
        double loss = logs[LogNames.Loss];
        double validationLoss = logs.TryGetValue(LogNames.ValidationLoss, out double v) ? v : 0;
        bool weightsFinite = lastFinite.LiveWeightsAreFinite();
        if (double.IsFinite(loss) && double.IsFinite(validationLoss) && weightsFinite) return false;

        bool restoredBest = callbacks.OfType<EarlyStopping>().Any(e => e.StoppedEpoch == epoch && e.RestoreBestWeights && e.BestWeights is not null);
        if (!restoredBest) lastFinite.Restore();
        string what = !double.IsFinite(loss) ? $"loss is {loss}"
            : !double.IsFinite(validationLoss) ? $"val_loss is {validationLoss}"
            : "the weights became NaN or infinite";
        string where = !double.IsFinite(loss) && context.FirstNonFiniteBatch is { } batch
            ? $"epoch {epoch}, first at batch {batch} of {context.BatchesPerEpoch}"
            : $"epoch {epoch}";
        string kept = restoredBest ? "kept the best weights restored by EarlyStopping"
            : epoch == 1 ? "restored the initial weights" : $"restored the weights of epoch {epoch - 1}, the last finite ones";
        if (context.StopRequested && !restoredBest)
            context.History.StopMessage += $" ({kept})";
        context.RequestStop(StopReason.NonFiniteLoss, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"training stopped: {what} at {where}; {kept}; lower the learning rate, clip gradients (ClipGradNorm) or check the data"));
        return true;
    }

    /// <summary>
    /// Loss and metric (<c>mae</c>, or <c>accuracy</c> for cross-entropy) of <paramref name="model"/> on
    /// <paramref name="data"/>, in eval mode, without gradients, in batches of <see cref="TrainingOptions.BatchSize"/>.
    /// </summary>
    /// <param name="model">The model; it stays on its device and keeps its training/eval mode.</param>
    /// <param name="data">The samples.</param>
    /// <param name="options">Loss kind and batch size; defaults when null.</param>
    /// <returns>Values keyed <c>loss</c> and the metric's name.</returns>
    /// <exception cref="ArgumentException">The data are malformed or the output does not fit the targets.</exception>
    public IReadOnlyDictionary<string, double> Evaluate(nn.Module<Tensor, Tensor> model, SequenceDataset data, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        options = (options ?? new TrainingOptions()).Validate();
        TrainingComponents.CheckDataset(data, nameof(data), options.Loss);
        using var threads = TorchThreads.Use(options.Threads, model, options.BatchSize);
        var (loss, metric) = TrainingComponents.Evaluate(model, data, options, TrainingComponents.DeviceOf(model), checkFirst: true);
        return new Dictionary<string, double> { [LogNames.Loss] = loss, [TrainingComponents.MetricName(options.Loss)] = metric };
    }

    /// <summary>
    /// The model's outputs for <paramref name="inputs"/> (dimension 0 = samples), in eval mode, without
    /// gradients, in batches; the result lives on the inputs' device and outside every batch scope
    /// (it joins the caller's dispose scope if there is one).
    /// </summary>
    /// <remarks>
    /// Thread safety: calls on one model from several threads at once give the same results as
    /// sequential calls. A model already in eval mode (call <c>model.eval()</c> once) is only read, so
    /// such calls run in parallel; a model in training mode is switched to eval and back, so those calls
    /// take the model exclusively and wait for the others. Do not train or change the model's mode
    /// from another thread while predicting.
    /// </remarks>
    /// <param name="model">The model.</param>
    /// <param name="inputs">Samples along dimension 0.</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    /// <param name="threads">libtorch intra-op threads for the call; null chooses from the model's size and the machine's load (<see cref="TorchThreads"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> or <paramref name="threads"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputs"/> has no sample dimension or no samples.</exception>
    public Tensor Predict(nn.Module<Tensor, Tensor> model, Tensor inputs, int batchSize = 256, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be 1 or more");
        if (inputs.dim() == 0 || inputs.shape[0] == 0)
            throw new ArgumentException($"inputs must have a non-empty sample dimension 0, got shape {Metrics.Shape(inputs)}", nameof(inputs));
        if (threads is < 1)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be null (chosen from the model's size) or 1 or more");
        using var threadScope = TorchThreads.Use(threads, model, Math.Min(batchSize, inputs.shape[0]));

        var guard = ModelGuards.For(model);
        guard.EnterReadLock();
        try
        {
            if (IsInEvalMode(model))
                return PredictInEvalMode(model, inputs, batchSize);
        }
        finally
        {
            guard.ExitReadLock();
        }

        guard.EnterWriteLock();
        bool wasTraining = model.training;
        try
        {
            model.eval();
            return PredictInEvalMode(model, inputs, batchSize);
        }
        finally
        {
            model.train(wasTraining);
            guard.ExitWriteLock();
        }
    }

    private static bool IsInEvalMode(nn.Module model) => !model.training && model.modules().All(m => !m.training);

    private static Tensor PredictInEvalMode(nn.Module<Tensor, Tensor> model, Tensor inputs, int batchSize)
    {
        var device = TrainingComponents.DeviceOf(model);
        using var outer = NewDisposeScope();
        using var noGrad = no_grad();
        long count = inputs.shape[0];
        bool sameDevice = TrainingComponents.SameDevice(inputs.device, device);
        var parts = new List<Tensor>((int)((count + batchSize - 1) / batchSize));
        for (long start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = inputs.narrow(0, start, Math.Min(batchSize, count - start));
            var result = model.forward(sameDevice ? batch : batch.to(device));
            parts.Add((sameDevice ? result : result.to(inputs.device)).MoveToOuterDisposeScope());
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }
}

/// <summary>One reader-writer lock per model, so that predictions that must switch a model's mode exclude the others.</summary>
internal static class ModelGuards
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<nn.Module, ReaderWriterLockSlim> Guards = [];

    public static ReaderWriterLockSlim For(nn.Module model) => Guards.GetValue(model, _ => new ReaderWriterLockSlim());
}
