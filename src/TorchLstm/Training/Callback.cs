using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>
/// Base of the hooks <see cref="ExperimentRunner"/>'s <c>Fit</c> calls, in the order the callbacks were
/// given. Override only what you need; every hook does nothing by default.
/// </summary>
/// <remarks>
/// A callback's scalar state (counters, best value) round-trips through <see cref="GetState"/> and
/// <see cref="SetState"/> as JSON; tensors such as kept weights go through <see cref="GetTensorState"/>
/// and <see cref="SetTensorState"/> so that a checkpoint can store them in a tensor format. When
/// training resumes from a checkpoint, <see cref="OnTrainBegin"/> runs first (seeing the restored
/// <see cref="TrainingContext.History"/> and <see cref="TrainingContext.Epoch"/>), then both setters.
/// A checkpoint files each callback's state under its <see cref="StateKey"/>, so a resumed run may list
/// its callbacks in another order (as Lightning keys callback state by identity, not position).
/// </remarks>
public abstract class Callback
{
    /// <summary>
    /// The name this callback's state is saved under in a training checkpoint; unique among a run's
    /// callbacks. The type name by default; callbacks that a run may hold twice (two loggers, two
    /// monitors) include what tells them apart, e.g. <c>EarlyStopping(monitor=val_loss)</c>.
    /// </summary>
    public virtual string StateKey => GetType().Name;

    /// <summary>Called once before the first epoch.</summary>
    public virtual void OnTrainBegin(TrainingContext context) { }

    /// <summary>Called at the start of each epoch, before the model is switched to training mode.</summary>
    public virtual void OnEpochBegin(TrainingContext context) { }

    /// <summary>
    /// Called after each optimiser step. Keep it cheap: it runs inside the batch's dispose scope, and
    /// reading <see cref="TrainingContext.BatchLoss"/> as a number forces a device synchronisation.
    /// </summary>
    public virtual void OnBatchEnd(TrainingContext context) { }

    /// <summary>
    /// Called after each epoch (validation included) with <see cref="TrainingContext.Logs"/> filled;
    /// callbacks may change or add logged values, which the epoch's <see cref="EpochRecord"/> then reflects.
    /// </summary>
    public virtual void OnEpochEnd(TrainingContext context) { }

    /// <summary>Called once after the last epoch, also when training stopped early or was cancelled.</summary>
    public virtual void OnTrainEnd(TrainingContext context) { }

    /// <summary>The callback's scalar state, for resuming training.</summary>
    public virtual JsonObject GetState() => [];

    /// <summary>Restores state produced by <see cref="GetState"/>.</summary>
    /// <exception cref="ArgumentException">The state lacks a field this callback needs.</exception>
    public virtual void SetState(JsonObject state) => ArgumentNullException.ThrowIfNull(state);

    /// <summary>
    /// Tensors that belong to the callback's state (for example kept best weights), by name; the
    /// callback keeps ownership. Empty by default.
    /// </summary>
    public virtual IReadOnlyDictionary<string, Tensor> GetTensorState() => EmptyTensors;

    /// <summary>
    /// Restores tensors produced by <see cref="GetTensorState"/>; the callback copies what it keeps
    /// and the caller disposes <paramref name="tensors"/> afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">The tensors do not fit this callback.</exception>
    public virtual void SetTensorState(IReadOnlyDictionary<string, Tensor> tensors) => ArgumentNullException.ThrowIfNull(tensors);

    private static readonly IReadOnlyDictionary<string, Tensor> EmptyTensors = new Dictionary<string, Tensor>();

    /// <summary>Reads a required field of a saved state, with a clear error when it is missing.</summary>
    protected static T Read<T>(JsonObject state, string name)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state[name] is not JsonValue value || !value.TryGetValue(out T? result))
            throw new ArgumentException($"callback state lacks '{name}' of type {typeof(T).Name}", nameof(state));
        return result;
    }
}

/// <summary>Whether a monitored quantity improves by going down or up.</summary>
public enum MonitorMode
{
    /// <summary>Max for names ending in <c>acc</c>, <c>accuracy</c> or <c>auc</c>; Min otherwise (as Keras).</summary>
    Auto,
    /// <summary>Lower is better.</summary>
    Min,
    /// <summary>Higher is better.</summary>
    Max,
}

internal static class Monitoring
{
    public static bool Maximizes(string monitor, MonitorMode mode) => mode switch
    {
        MonitorMode.Max => true,
        MonitorMode.Min => false,
        _ => monitor.EndsWith("acc", StringComparison.Ordinal)
             || monitor.EndsWith("accuracy", StringComparison.Ordinal)
             || monitor.EndsWith("auc", StringComparison.Ordinal),
    };

    public static void CheckArguments(string monitor, MonitorMode mode)
    {
        if (string.IsNullOrWhiteSpace(monitor))
            throw new ArgumentException("monitor must name a logged value such as 'val_loss' or 'loss'", nameof(monitor));
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be Auto, Min or Max");
    }

    public static void RequireLogged(string callbackName, string monitor, TrainingContext context)
    {
        if (!context.LogKeys.Contains(monitor))
            throw new ArgumentException(
                $"{callbackName} monitors '{monitor}', which this training run does not log; logged values: " +
                $"{string.Join(", ", context.LogKeys)} (val_* values need a validation set)",
                nameof(monitor));
    }

    /// <summary>Infinity in the direction that any real value improves on.</summary>
    public static double Worst(bool maximize) => maximize ? double.NegativeInfinity : double.PositiveInfinity;
}
