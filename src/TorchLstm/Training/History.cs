using System.Globalization;
using System.Text;
using TorchLstm.Notebooks;

namespace TorchLstm.Training;

/// <summary>Why <see cref="ExperimentRunner.Fit"/> returned.</summary>
public enum StopReason
{
    /// <summary>All requested epochs ran.</summary>
    Completed,
    /// <summary>A callback (for example <see cref="EarlyStopping"/>) asked to stop.</summary>
    EarlyStopping,
    /// <summary>The loss or the monitored value became NaN or infinite.</summary>
    NonFiniteLoss,
    /// <summary>The cancellation token was signalled; the interrupted epoch is not recorded.</summary>
    Cancelled,
}

/// <summary>What one epoch produced.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training loss over the epoch's samples.</param>
/// <param name="ValidationLoss">Loss on the validation set after the epoch, when one was given.</param>
/// <param name="Metrics">Every other logged value by Keras name (<c>mae</c>, <c>val_mae</c>, <c>accuracy</c>, ...).</param>
/// <param name="LearningRate">Learning rate used during the epoch.</param>
/// <param name="Seconds">Wall-clock duration of the epoch, validation included.</param>
public sealed record EpochRecord(
    int Epoch, double Loss, double? ValidationLoss, IReadOnlyDictionary<string, double> Metrics, double LearningRate, double Seconds)
{
    /// <summary>
    /// Looks a value up by its log name: <c>loss</c>, <c>val_loss</c>, <c>lr</c>, <c>seconds</c> or a metric name.
    /// </summary>
    public bool TryGet(string name, out double value)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name)
        {
            case LogNames.Loss: value = Loss; return true;
            case LogNames.ValidationLoss when ValidationLoss is { } v: value = v; return true;
            case LogNames.ValidationLoss: value = double.NaN; return false;
            case LogNames.LearningRate: value = LearningRate; return true;
            case LogNames.Seconds: value = Seconds; return true;
            default: return Metrics.TryGetValue(name, out value);
        }
    }
}

/// <summary>A learning-rate change made by a callback.</summary>
/// <param name="Epoch">1-based epoch at whose end the change was made; it applies from the next epoch.</param>
/// <param name="OldLearningRate">The rate before.</param>
/// <param name="NewLearningRate">The rate after.</param>
public sealed record LearningRateChange(int Epoch, double OldLearningRate, double NewLearningRate);

/// <summary>Keras-style names of logged values.</summary>
public static class LogNames
{
    /// <summary>Training loss.</summary>
    public const string Loss = "loss";
    /// <summary>Validation loss.</summary>
    public const string ValidationLoss = "val_loss";
    /// <summary>Mean absolute error (regression losses).</summary>
    public const string Mae = "mae";
    /// <summary>Classification accuracy (cross-entropy).</summary>
    public const string Accuracy = "accuracy";
    /// <summary>Learning rate.</summary>
    public const string LearningRate = "lr";
    /// <summary>Epoch duration in seconds.</summary>
    public const string Seconds = "seconds";
    /// <summary>Prefix of validation values.</summary>
    public const string ValidationPrefix = "val_";
}

/// <summary>The record of a <see cref="ExperimentRunner.Fit"/> call, like Keras's <c>History</c>.</summary>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = [NotebookFormatterSource.Html, NotebookFormatterSource.PlainText])]
public sealed class History
{
    private readonly List<EpochRecord> epochs = [];
    private readonly List<LearningRateChange> learningRateChanges = [];
    private readonly List<string> checkpointNotes = [];

    /// <summary>One record per completed epoch, in order.</summary>
    public IReadOnlyList<EpochRecord> Epochs => epochs;

    /// <summary>Learning-rate reductions made by callbacks such as <see cref="ReduceLrOnPlateau"/>.</summary>
    public IReadOnlyList<LearningRateChange> LearningRateChanges => learningRateChanges;

    /// <summary>Why training ended.</summary>
    public StopReason StopReason { get; internal set; } = StopReason.Completed;

    /// <summary>A human-readable explanation when training stopped early, else null.</summary>
    public string? StopMessage { get; internal set; }

    /// <summary>1-based epoch with the best monitored value, set by <see cref="EarlyStopping"/>; null when none ran.</summary>
    public int? BestEpoch { get; internal set; }

    /// <summary>Name of the quantity <see cref="BestEpoch"/> refers to.</summary>
    public string? Monitor { get; internal set; }

    /// <summary>
    /// The checkpoint this run resumed from (see <see cref="TrainingOptions.Resume"/>), or null when it
    /// started at epoch 1. Epochs up to the checkpoint's come from the checkpoint.
    /// </summary>
    public string? ResumedFrom { get; internal set; }

    /// <summary>What happened to checkpoints at the start of the run: which one was resumed, which were skipped as unreadable, which stale ones were removed.</summary>
    public IReadOnlyList<string> CheckpointNotes => checkpointNotes;

    /// <summary>Number of completed epochs.</summary>
    public int Count => epochs.Count;

    /// <summary>The record of a 1-based epoch.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such epoch was recorded.</exception>
    public EpochRecord this[int epoch] =>
        epoch >= 1 && epoch <= epochs.Count
            ? epochs[epoch - 1]
            : throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"epochs are numbered 1 to {epochs.Count}");

    /// <summary>The last record, or null before the first epoch ends.</summary>
    public EpochRecord? Last => epochs.Count == 0 ? null : epochs[^1];

    /// <summary>Names of all values logged at least once, in a stable order (loss, val_loss, metrics, lr, seconds).</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            var keys = new List<string> { LogNames.Loss };
            if (epochs.Any(e => e.ValidationLoss.HasValue)) keys.Add(LogNames.ValidationLoss);
            foreach (var e in epochs)
                foreach (var name in e.Metrics.Keys)
                    if (!keys.Contains(name)) keys.Add(name);
            keys.Add(LogNames.LearningRate);
            keys.Add(LogNames.Seconds);
            return keys;
        }
    }

    /// <summary>The per-epoch values of one logged quantity (NaN where an epoch lacks it).</summary>
    /// <exception cref="KeyNotFoundException">The name was never logged; the message lists the names that were.</exception>
    public double[] Series(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Keys.Contains(name))
            throw new KeyNotFoundException($"'{name}' was not logged; available: {string.Join(", ", Keys)}");
        var values = new double[epochs.Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = epochs[i].TryGet(name, out double v) ? v : double.NaN;
        return values;
    }

    /// <summary>
    /// The history as CSV with a header row: epoch, loss, val_loss, metrics, lr, seconds; invariant
    /// culture, round-trippable numbers, empty cells for missing values.
    /// </summary>
    public string ToCsv()
    {
        var keys = Keys;
        var sb = new StringBuilder();
        sb.Append("epoch");
        foreach (var key in keys) sb.Append(',').Append(key);
        sb.Append('\n');
        foreach (var e in epochs)
        {
            sb.Append(e.Epoch.ToString(CultureInfo.InvariantCulture));
            foreach (var key in keys)
            {
                sb.Append(',');
                if (e.TryGet(key, out double v)) sb.Append(v.ToString("R", CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    internal void Add(EpochRecord record) => epochs.Add(record);

    internal void AddLearningRateChange(LearningRateChange change) => learningRateChanges.Add(change);

    internal void AddCheckpointNote(string note) => checkpointNotes.Add(note);
}
