namespace TorchLstm.Training;

/// <summary>Which optimiser <see cref="ExperimentRunner.Fit"/> builds over the model's parameters.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba), the Keras and tutorial default.</summary>
    Adam,
    /// <summary>Stochastic gradient descent, with <see cref="TrainingOptions.Momentum"/>.</summary>
    Sgd,
    /// <summary>RMSprop, with <see cref="TrainingOptions.Momentum"/>.</summary>
    RmsProp,
    /// <summary>Adam with decoupled weight decay (<see cref="TrainingOptions.WeightDecay"/>).</summary>
    AdamW,
}

/// <summary>
/// The built-in training losses, as shorthand for <see cref="Training.Loss"/> objects (it converts
/// implicitly: <c>Loss = LossKind.Mae</c>); unless <see cref="TrainingOptions.Metrics"/> is set, the loss
/// also decides which metric is logged each epoch.
/// </summary>
public enum LossKind
{
    /// <summary>Mean squared error (regression; logs <c>mae</c>).</summary>
    Mse,
    /// <summary>Mean absolute error (regression; logs <c>mae</c>).</summary>
    Mae,
    /// <summary>Huber loss with delta 1 (regression; logs <c>mae</c>); <see cref="Loss.Huber"/> takes another delta.</summary>
    Huber,
    /// <summary>
    /// Cross-entropy on unnormalised logits shaped (N, C) against class indices shaped (N), or
    /// (N, T, C) against (N, T); logs <c>accuracy</c>. <see cref="Loss.CrossEntropy"/> can ignore a padding class.
    /// </summary>
    CrossEntropy,
}

/// <summary>How training progress is shown.</summary>
public enum ProgressMode
{
    /// <summary>A live display in a notebook cell; else a live bar on an interactive terminal; plain lines when output is redirected or CI=true.</summary>
    Auto,
    /// <summary>Always the live Spectre.Console bar plus one line per epoch.</summary>
    Bar,
    /// <summary>One plain line per epoch.</summary>
    Lines,
    /// <summary>Nothing is written.</summary>
    None,
    /// <summary>
    /// In a .NET Interactive notebook cell, one display updated in place after each epoch (epoch,
    /// logged values, lr, time, ETA, a loss chart); <see cref="Auto"/> chooses it inside a cell.
    /// Outside a notebook it falls back to one line per epoch.
    /// </summary>
    Notebook,
}

/// <summary>
/// Everything <see cref="ExperimentRunner"/>'s <c>Fit</c> needs besides the model, the data and the
/// callbacks — the loss, the metrics, the optimiser and its hyper-parameters, the seed, checkpoints —
/// with Keras-like defaults (Adam, learning rate 1e-3, batch 32, 100 epochs, MSE). Experiment options
/// nest one of these rather than repeating its settings.
/// </summary>
/// <remarks>
/// Every field is checked by <see cref="Validate"/> when training starts, so a nonsensical value is
/// reported by name before any tensor is touched.
/// </remarks>
public sealed record TrainingOptions
{
    /// <summary>Number of passes over the training data; 0 trains nothing. Accepted: 0 or more.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Samples per mini-batch. Accepted: 1 or more.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The optimiser.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Initial learning rate. Accepted: finite and greater than 0.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// L2 penalty (coupled for Adam, SGD and RMSprop; decoupled for AdamW). Accepted: finite and 0 or more.
    /// </summary>
    public double WeightDecay { get; init; }

    /// <summary>Momentum of SGD and RMSprop (ignored by Adam/AdamW). Accepted: 0 ≤ momentum &lt; 1.</summary>
    public double Momentum { get; init; }

    /// <summary>
    /// The training loss: a <see cref="LossKind"/> (<c>Loss = LossKind.CrossEntropy</c>), a built-in with
    /// parameters (<c>Loss.Huber(2.0)</c>, <c>Loss.CrossEntropy(ignoreIndex: 0)</c>) or any
    /// <see cref="Training.Loss"/>. Mean squared error by default.
    /// </summary>
    public Loss Loss { get; init; } = Loss.Mse;

    /// <summary>
    /// The metrics logged every epoch (and as <c>val_</c> values on the validation set), in order; null
    /// logs the loss's defaults (<c>mae</c> for regression losses, <c>accuracy</c> for cross-entropy).
    /// Accepted: null, or metrics with distinct names other than <c>loss</c>, <c>lr</c> and <c>seconds</c>.
    /// </summary>
    public IReadOnlyList<Metric>? Metrics { get; init; }

    /// <summary>
    /// When set, gradients are rescaled after each backward pass so that their global L2 norm (all
    /// parameters as one vector) is at most this value. Accepted: null, or finite and greater than 0.
    /// </summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>
    /// Seeds torch's global generator (dropout and any random layer) and the shuffling generator when
    /// training starts. Seed with <see cref="Seeding.SeedEverything"/> before building the model to fix
    /// its initial weights too.
    /// </summary>
    public long Seed { get; init; } = 42;

    /// <summary>Whether the training samples are reshuffled every epoch.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Device name for <see cref="TorchDevice.Resolve"/>: "cpu", "cuda", "cuda:N" or "auto".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// libtorch intra-op threads while training and validating. Null (the default) lets
    /// <see cref="TorchThreads.Choose"/> pick from the model's size and the machine's load: one thread for
    /// small models or a busy machine, the idle cores for large models. The previous count is put back when
    /// training ends. The automatic choice can differ between a run and its resumption when the machine's
    /// load differs, and a different thread count can change float rounding: for bit-identical resume of a
    /// large model, set a count. Accepted: null, or 1 or more.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>How progress is shown.</summary>
    public ProgressMode Progress { get; init; } = ProgressMode.Auto;

    /// <summary>
    /// Folder for resumable training checkpoints: after every epoch the complete training state (model,
    /// optimiser with its learning rate, callback states and kept weights, history, epoch, and the
    /// states of torch's global generator and the shuffle generator) is written atomically to
    /// <c>epoch-NNNN.ckpt</c>, keeping the newest <see cref="CheckpointsToKeep"/>. Null writes none.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>
    /// Continue from the newest readable checkpoint in <see cref="CheckpointDirectory"/> (Lightning's
    /// <c>ckpt_path="last"</c>, Keras's <c>BackupAndRestore</c>): an unreadable newest file is skipped
    /// for the one before, and an empty folder starts at epoch 1. The run then ends with the same
    /// weights and history, bit for bit, as one that was never interrupted. Without it, old
    /// checkpoints in the folder are deleted when training starts. Accepted: true only with a
    /// <see cref="CheckpointDirectory"/>.
    /// </summary>
    public bool Resume { get; init; }

    /// <summary>How many of the newest per-epoch checkpoints are kept. Accepted: 1 or more (2 lets resume fall back when the newest is damaged).</summary>
    public int CheckpointsToKeep { get; init; } = 2;

    /// <summary>Checks every field.</summary>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A field is outside its accepted range; the parameter name is the field's name.</exception>
    /// <exception cref="ArgumentException"><see cref="Device"/> is empty.</exception>
    public TrainingOptions Validate()
    {
        if (Epochs < 0)
            throw Out(nameof(Epochs), Epochs, "must be 0 or more");
        if (BatchSize < 1)
            throw Out(nameof(BatchSize), BatchSize, "must be 1 or more");
        if (!Enum.IsDefined(Optimizer))
            throw Out(nameof(Optimizer), Optimizer, $"must be one of {string.Join(", ", Enum.GetNames<OptimizerKind>())}");
        if (!double.IsFinite(LearningRate) || LearningRate <= 0)
            throw Out(nameof(LearningRate), LearningRate, "must be finite and greater than 0 (typical: 1e-4 to 1e-2)");
        if (!double.IsFinite(WeightDecay) || WeightDecay < 0)
            throw Out(nameof(WeightDecay), WeightDecay, "must be finite and 0 or more");
        if (!double.IsFinite(Momentum) || Momentum < 0 || Momentum >= 1)
            throw Out(nameof(Momentum), Momentum, "must be in [0, 1)");
        if (Loss is null)
            throw new ArgumentNullException(nameof(Loss), "TrainingOptions.Loss must be a loss, e.g. LossKind.Mse");
        if (Metrics is not null)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var metric in Metrics)
            {
                if (metric is null)
                    throw new ArgumentException("TrainingOptions.Metrics must not contain null", nameof(Metrics));
                if (metric.Name is LogNames.Loss or LogNames.LearningRate or LogNames.Seconds)
                    throw new ArgumentException($"TrainingOptions.Metrics: a metric may not be called '{metric.Name}', which the runner logs itself", nameof(Metrics));
                if (!names.Add(metric.Name))
                    throw new ArgumentException($"TrainingOptions.Metrics names '{metric.Name}' twice; every metric needs its own name", nameof(Metrics));
            }
        }
        if (ClipGradNorm is { } clip && (!double.IsFinite(clip) || clip <= 0))
            throw Out(nameof(ClipGradNorm), clip, "must be null (no clipping) or finite and greater than 0");
        if (Threads is { } threads && threads < 1)
            throw Out(nameof(Threads), threads, "must be null (chosen from the model's size) or 1 or more");
        if (!Enum.IsDefined(Progress))
            throw Out(nameof(Progress), Progress, $"must be one of {string.Join(", ", Enum.GetNames<ProgressMode>())}");
        if (CheckpointsToKeep < 1)
            throw Out(nameof(CheckpointsToKeep), CheckpointsToKeep, "must be 1 or more");
        if (CheckpointDirectory is not null && string.IsNullOrWhiteSpace(CheckpointDirectory))
            throw new ArgumentException("TrainingOptions.CheckpointDirectory must be null (no checkpoints) or name a folder", nameof(CheckpointDirectory));
        if (Resume && CheckpointDirectory is null)
            throw new ArgumentException("TrainingOptions.Resume needs a CheckpointDirectory to resume from", nameof(Resume));
        if (string.IsNullOrWhiteSpace(Device))
            throw new ArgumentException("TrainingOptions.Device must name a device: 'cpu', 'cuda', 'cuda:N' or 'auto'", nameof(Device));
        return this;
    }

    /// <summary>The metrics a run logs: <see cref="Metrics"/>, or the loss's defaults.</summary>
    internal IReadOnlyList<Metric> MetricsOrDefaults => Metrics ?? Loss.DefaultMetrics;

    private static ArgumentOutOfRangeException Out(string name, object value, string accepted) =>
        new(name, value, $"TrainingOptions.{name} {accepted} (got {value})");
}
