using System.Globalization;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>
/// Stops training when a monitored value has stopped improving, with Keras's semantics: an epoch
/// improves when it beats the best so far by more than <c>minDelta</c>; after <c>patience</c> epochs
/// without improvement (or without reaching <c>baseline</c>) training stops.
/// </summary>
/// <remarks>
/// With <c>checkFinite</c> it also stops as soon as the training loss or the monitored value is NaN
/// or infinite, naming the epoch and the first offending batch; the best weights are put back when
/// <c>restoreBestWeights</c> kept them. Like Keras, the best weights are restored only when this
/// callback stops training, not when the last epoch is reached.
/// </remarks>
public sealed class EarlyStopping : Callback, IDisposable
{
    private readonly bool maximize;
    private int wait;
    private int stoppedEpoch;
    private double best;
    private int bestEpoch;
    private WeightSnapshot? bestWeights;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">Logged value to watch, e.g. <c>val_loss</c>, <c>loss</c>, <c>val_accuracy</c>.</param>
    /// <param name="mode">Whether lower or higher is better; Auto infers it from the name.</param>
    /// <param name="patience">Epochs without improvement tolerated before stopping. Accepted: 0 or more.</param>
    /// <param name="minDelta">Minimum change that counts as an improvement. Accepted: finite and 0 or more.</param>
    /// <param name="restoreBestWeights">Keep a copy of the best epoch's weights and restore it when stopping.</param>
    /// <param name="checkFinite">Stop when the loss or the monitored value is NaN or infinite.</param>
    /// <param name="baseline">A value the monitor must beat; without it, patience runs from the first epoch.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its accepted range.</exception>
    /// <exception cref="ArgumentException"><paramref name="monitor"/> is empty.</exception>
    public EarlyStopping(
        string monitor = LogNames.ValidationLoss, MonitorMode mode = MonitorMode.Auto, int patience = 0, double minDelta = 0,
        bool restoreBestWeights = false, bool checkFinite = true, double? baseline = null)
    {
        Monitoring.CheckArguments(monitor, mode);
        if (patience < 0)
            throw new ArgumentOutOfRangeException(nameof(patience), patience, "EarlyStopping patience must be 0 or more epochs");
        if (!double.IsFinite(minDelta) || minDelta < 0)
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "EarlyStopping minDelta must be finite and 0 or more");
        if (baseline is { } b && !double.IsFinite(b))
            throw new ArgumentOutOfRangeException(nameof(baseline), b, "EarlyStopping baseline must be null or finite");
        Monitor = monitor;
        Mode = mode;
        Patience = patience;
        MinDelta = minDelta;
        RestoreBestWeights = restoreBestWeights;
        CheckFinite = checkFinite;
        Baseline = baseline;
        maximize = Monitoring.Maximizes(monitor, mode);
        best = Monitoring.Worst(maximize);
    }

    /// <summary>The watched value.</summary>
    public string Monitor { get; }
    /// <summary>Whether lower or higher is better, as given.</summary>
    public MonitorMode Mode { get; }
    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }
    /// <summary>Minimum improvement.</summary>
    public double MinDelta { get; }
    /// <summary>Whether the best weights are kept and restored.</summary>
    public bool RestoreBestWeights { get; }
    /// <summary>Whether NaN/Inf stops training.</summary>
    public bool CheckFinite { get; }
    /// <summary>Value to beat, if any.</summary>
    public double? Baseline { get; }

    /// <summary>Best monitored value seen (±infinity before the first epoch).</summary>
    public double Best => best;
    /// <summary>1-based epoch of <see cref="Best"/>, 0 before the first improvement.</summary>
    public int BestEpoch => bestEpoch;
    /// <summary>1-based epoch at which this callback stopped training, 0 if it did not.</summary>
    public int StoppedEpoch => stoppedEpoch;
    /// <summary>Epochs since the last improvement.</summary>
    public int Wait => wait;
    /// <summary>The kept best weights, when <see cref="RestoreBestWeights"/> is set and an epoch has ended.</summary>
    public WeightSnapshot? BestWeights => bestWeights;

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        Monitoring.RequireLogged(nameof(EarlyStopping), Monitor, context);
        wait = 0;
        stoppedEpoch = 0;
        best = Monitoring.Worst(maximize);
        bestEpoch = 0;
        bestWeights?.Dispose();
        bestWeights = null;
        context.History.Monitor = Monitor;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        int epoch = context.Epoch;
        double current = context.Logs[Monitor];
        double loss = context.Logs[LogNames.Loss];
        if (CheckFinite && (!double.IsFinite(loss) || !double.IsFinite(current)))
        {
            StopOnNonFinite(context, epoch, loss, current);
            return;
        }

        // Keras keeps the first epoch's weights even if it is not an improvement, so restoring always has something.
        if (RestoreBestWeights && bestWeights is null)
            bestWeights = WeightSnapshot.Capture(context.Model);
        wait++;
        if (IsImprovement(current, best))
        {
            best = current;
            bestEpoch = epoch;
            if (RestoreBestWeights)
            {
                bestWeights?.Dispose();
                bestWeights = WeightSnapshot.Capture(context.Model);
            }
            if (Baseline is not { } baseline || IsImprovement(current, baseline))
            {
                wait = 0;
                return;
            }
        }
        // "epoch > 1" mirrors Keras: a baseline miss on the very first epoch never stops training.
        if (wait >= Patience && epoch > 1)
        {
            stoppedEpoch = epoch;
            string restored = RestoreIfKept(context);
            context.RequestStop(StopReason.EarlyStopping, string.Create(CultureInfo.InvariantCulture,
                $"early stopping at epoch {epoch}: {Monitor} did not improve for {wait} epoch(s); best {best:G6} at epoch {bestEpoch}{restored}"));
        }
    }

    /// <inheritdoc />
    public override void OnTrainEnd(TrainingContext context)
    {
        if (bestEpoch > 0) context.History.BestEpoch = bestEpoch;
    }

    /// <inheritdoc />
    public override JsonObject GetState() => new()
    {
        ["wait"] = wait,
        ["stopped_epoch"] = stoppedEpoch,
        ["best"] = double.IsFinite(best) ? best : null,
        ["best_epoch"] = bestEpoch,
    };

    /// <inheritdoc />
    public override void SetState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        wait = Read<int>(state, "wait");
        stoppedEpoch = Read<int>(state, "stopped_epoch");
        bestEpoch = Read<int>(state, "best_epoch");
        best = state["best"] is null ? Monitoring.Worst(maximize) : Read<double>(state, "best");
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, Tensor> GetTensorState() =>
        bestWeights?.Tensors ?? base.GetTensorState();

    /// <inheritdoc />
    public override void SetTensorState(IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        bestWeights?.Dispose();
        bestWeights = tensors.Count == 0 ? null : WeightSnapshot.CopyOf(tensors);
    }

    /// <summary>Releases the kept weights.</summary>
    public void Dispose()
    {
        bestWeights?.Dispose();
        bestWeights = null;
    }

    private bool IsImprovement(double current, double reference) =>
        maximize ? current - MinDelta > reference : current + MinDelta < reference;

    private void StopOnNonFinite(TrainingContext context, int epoch, double loss, double current)
    {
        stoppedEpoch = epoch;
        string where = context.FirstNonFiniteBatch is { } batch
            ? $"epoch {epoch}, first at batch {batch} of {context.BatchesPerEpoch}"
            : $"epoch {epoch}";
        string what = !double.IsFinite(loss) ? $"loss is {loss}" : $"{Monitor} is {current}";
        string restored = RestoreIfKept(context);
        context.RequestStop(StopReason.NonFiniteLoss, string.Create(CultureInfo.InvariantCulture,
            $"training stopped: {what} at {where}{restored}; lower the learning rate, clip gradients (ClipGradNorm) or check the data"));
    }

    private string RestoreIfKept(TrainingContext context)
    {
        if (!RestoreBestWeights || bestWeights is null) return "";
        bestWeights.RestoreTo(context.Model);
        return bestEpoch > 0 ? $"; restored the weights of epoch {bestEpoch}" : "; restored the weights of epoch 1";
    }
}
