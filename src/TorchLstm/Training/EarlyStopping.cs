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
/// <para>With <c>restoreBestWeights</c> it keeps a copy of the best epoch's weights and, as Keras 3
/// does, puts them back when training ends — whether this callback stopped it, the last epoch was
/// reached, another callback stopped it or a non-finite value did — so that the model always leaves
/// <c>Fit</c> with the weights of <see cref="History.BestEpoch"/>. (Keras 2 restored only when it
/// stopped early.) Checkpoints hold the last epoch's weights and the kept copy, so a resumed run ends
/// the same way.</para>
/// <para>With <c>checkFinite</c>, a NaN or infinite monitored value stops training: the callback reports
/// it and the runner, which also watches the loss and the weights, stops and restores as for a
/// non-finite loss (<see cref="StopReason.NonFiniteLoss"/>).</para>
/// </remarks>
public sealed class EarlyStopping : Callback, IDisposable
{
    private bool maximize;
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
    /// <param name="restoreBestWeights">Keep a copy of the best epoch's weights and restore it when training ends.</param>
    /// <param name="checkFinite">Stop when the monitored value is NaN or infinite (the runner always stops on a non-finite loss).</param>
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
    /// <inheritdoc />
    public override string StateKey => $"{nameof(EarlyStopping)}(monitor={Monitor})";

    /// <summary>Whether the best weights are kept and restored when training ends.</summary>
    public bool RestoreBestWeights { get; }
    /// <summary>Whether a NaN or infinite monitored value stops training.</summary>
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
        if (Mode == MonitorMode.Auto) maximize = context.HigherIsBetter(Monitor);
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
        // Weights stepped with a NaN loss are garbage, never a best; the runner stops and puts back the last finite ones.
        if (!double.IsFinite(context.Logs[LogNames.Loss])) return;
        if (!double.IsFinite(current))
        {
            // The runner decides and words the stop; the wait and the best value are left as they were.
            if (CheckFinite) context.ReportNonFinite(Monitor, current);
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
            string restoring = RestoreBestWeights ? "; its weights are restored" : "";
            context.RequestStop(StopReason.EarlyStopping, string.Create(CultureInfo.InvariantCulture,
                $"early stopping at epoch {epoch}: {Monitor} did not improve for {wait} epoch(s); best {best:G6} at epoch {bestEpoch}{restoring}"));
        }
    }

    /// <summary>Records the best epoch in the history and, with <see cref="RestoreBestWeights"/>, puts its weights back.</summary>
    public override void OnTrainEnd(TrainingContext context)
    {
        if (bestEpoch > 0) context.History.BestEpoch = bestEpoch;
        if (!RestoreBestWeights || bestWeights is null) return;
        bestWeights.RestoreTo(context.Model);
        if (context.History.StopReason == StopReason.NonFiniteLoss)
            context.History.StopMessage += string.Create(CultureInfo.InvariantCulture,
                $"; then EarlyStopping restored the best weights, of epoch {Math.Max(bestEpoch, 1)}");
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
}
