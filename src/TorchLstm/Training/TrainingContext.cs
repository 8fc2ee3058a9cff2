using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>What callbacks see of a running <see cref="ExperimentRunner.Fit"/> call.</summary>
public sealed class TrainingContext
{
    private readonly Dictionary<string, double> logs = [];

    internal TrainingContext(
        nn.Module model, optim.Optimizer optimizer, TrainingOptions options, History history,
        IReadOnlyList<Metric> metrics, IReadOnlyList<string> logKeys, int batchesPerEpoch)
    {
        Model = model;
        Metrics = metrics;
        Optimizer = optimizer;
        Options = options;
        History = history;
        LogKeys = logKeys;
        BatchesPerEpoch = batchesPerEpoch;
    }

    /// <summary>The model being trained (cast it to its own type to call it).</summary>
    public nn.Module Model { get; }

    /// <summary>The optimiser built from <see cref="Options"/>.</summary>
    public optim.Optimizer Optimizer { get; }

    /// <summary>The validated options of this run.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Epochs recorded so far.</summary>
    public History History { get; }

    /// <summary>The metrics logged every epoch (the options' or the loss's defaults).</summary>
    public IReadOnlyList<Metric> Metrics { get; }

    /// <summary>Names logged every epoch (<c>loss</c>, <c>mae</c>, <c>val_loss</c>, ..., <c>lr</c>).</summary>
    public IReadOnlyList<string> LogKeys { get; }

    /// <summary>Current 1-based epoch (0 before the first).</summary>
    public int Epoch { get; internal set; }

    /// <summary>Current 1-based batch within the epoch, in <see cref="Callback.OnBatchEnd"/>.</summary>
    public int Batch { get; internal set; }

    /// <summary>Mini-batches per epoch.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>
    /// The current batch's loss (a scalar tensor in the batch's dispose scope), in
    /// <see cref="Callback.OnBatchEnd"/> only; null elsewhere.
    /// </summary>
    public Tensor? BatchLoss { get; internal set; }

    /// <summary>The epoch's logged values by Keras name, filled when <see cref="Callback.OnEpochEnd"/> runs.</summary>
    public IDictionary<string, double> Logs => logs;

    /// <summary>
    /// In <see cref="Callback.OnEpochEnd"/> of an epoch whose training loss was NaN or infinite, the
    /// 1-based number of the first batch whose loss was; otherwise null.
    /// </summary>
    public int? FirstNonFiniteBatch { get; internal set; }

    /// <summary>Whether a callback asked training to stop.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>The learning rate of the optimiser's first parameter group.</summary>
    public double LearningRate => Optimizer.ParamGroups.First().LearningRate;

    /// <summary>Asks training to stop after the current epoch's callbacks have run.</summary>
    /// <param name="reason">Why; the first request wins.</param>
    /// <param name="message">An explanation for <see cref="History.StopMessage"/>.</param>
    public void RequestStop(StopReason reason, string message)
    {
        if (StopRequested) return;
        StopRequested = true;
        History.StopReason = reason;
        History.StopMessage = message;
    }

    /// <summary>
    /// Sets the learning rate of every parameter group and records the change in
    /// <see cref="History.LearningRateChanges"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not finite and positive.</exception>
    public void ChangeLearningRate(double newLearningRate)
    {
        if (!double.IsFinite(newLearningRate) || newLearningRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(newLearningRate), newLearningRate, "a learning rate must be finite and greater than 0");
        double old = LearningRate;
        foreach (var group in Optimizer.ParamGroups)
            group.LearningRate = newLearningRate;
        History.AddLearningRateChange(new LearningRateChange(Epoch, old, newLearningRate));
    }

    /// <summary>
    /// Whether a larger value of the logged <paramref name="name"/> is better: from the metric's
    /// <see cref="Metric.HigherIsBetter"/> (for <c>val_</c> names too), else Keras's rule of names
    /// ending in <c>acc</c>, <c>accuracy</c> or <c>auc</c>.
    /// </summary>
    public bool HigherIsBetter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string bare = name.StartsWith(LogNames.ValidationPrefix, StringComparison.Ordinal) ? name[LogNames.ValidationPrefix.Length..] : name;
        foreach (var metric in Metrics)
            if (metric.Name == bare) return metric.HigherIsBetter;
        return Monitoring.Maximizes(name, MonitorMode.Auto);
    }

    /// <summary>A logged value a callback found NaN or infinite this epoch (name and value), for the runner's non-finite stop.</summary>
    internal (string Name, double Value)? NonFiniteMonitor { get; private set; }

    /// <summary>Tells the runner that a value this callback watches is NaN or infinite; the runner stops training after the epoch.</summary>
    internal void ReportNonFinite(string name, double value) => NonFiniteMonitor ??= (name, value);

    internal void ResetLogs()
    {
        logs.Clear();
        NonFiniteMonitor = null;
    }

    /// <summary>Replaces any earlier stop request: a non-finite value outranks every other reason to stop.</summary>
    internal void ForceStop(StopReason reason, string message)
    {
        StopRequested = true;
        History.StopReason = reason;
        History.StopMessage = message;
    }
}
