using System.Text.Json.Nodes;

namespace TorchLstm.Training;

/// <summary>
/// Multiplies the learning rate by <c>factor</c> when a monitored value has not improved for
/// <c>patience</c> epochs, never going below <c>minLr</c>, with Keras's semantics (improvement
/// threshold <c>minDelta</c>, <c>cooldown</c> epochs after a reduction during which waiting is suspended).
/// Every reduction is recorded in <see cref="History.LearningRateChanges"/>.
/// </summary>
public sealed class ReduceLrOnPlateau : Callback
{
    private bool maximize;
    private double best;
    private int wait;
    private int cooldownCounter;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">Logged value to watch.</param>
    /// <param name="factor">Multiplier of the learning rate. Accepted: 0 &lt; factor &lt; 1.</param>
    /// <param name="patience">Epochs without improvement before reducing. Accepted: 0 or more.</param>
    /// <param name="minDelta">Minimum change that counts as an improvement. Accepted: finite and 0 or more.</param>
    /// <param name="cooldown">Epochs to wait after a reduction before counting again. Accepted: 0 or more.</param>
    /// <param name="minLr">Lower bound of the learning rate. Accepted: finite and 0 or more.</param>
    /// <param name="mode">Whether lower or higher is better; Auto infers it from the name.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its accepted range.</exception>
    /// <exception cref="ArgumentException"><paramref name="monitor"/> is empty.</exception>
    public ReduceLrOnPlateau(
        string monitor = LogNames.ValidationLoss, double factor = 0.1, int patience = 10, double minDelta = 1e-4,
        int cooldown = 0, double minLr = 0, MonitorMode mode = MonitorMode.Auto)
    {
        Monitoring.CheckArguments(monitor, mode);
        if (!(factor > 0 && factor < 1))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "ReduceLrOnPlateau factor must be in (0, 1): the new rate is lr * factor");
        if (patience < 0)
            throw new ArgumentOutOfRangeException(nameof(patience), patience, "ReduceLrOnPlateau patience must be 0 or more epochs");
        if (!double.IsFinite(minDelta) || minDelta < 0)
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "ReduceLrOnPlateau minDelta must be finite and 0 or more");
        if (cooldown < 0)
            throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, "ReduceLrOnPlateau cooldown must be 0 or more epochs");
        if (!double.IsFinite(minLr) || minLr < 0)
            throw new ArgumentOutOfRangeException(nameof(minLr), minLr, "ReduceLrOnPlateau minLr must be finite and 0 or more");
        Monitor = monitor;
        Factor = factor;
        Patience = patience;
        MinDelta = minDelta;
        Cooldown = cooldown;
        MinLr = minLr;
        Mode = mode;
        maximize = Monitoring.Maximizes(monitor, mode);
        best = Monitoring.Worst(maximize);
    }

    /// <summary>The watched value.</summary>
    public string Monitor { get; }

    /// <inheritdoc />
    public override string StateKey => $"{nameof(ReduceLrOnPlateau)}(monitor={Monitor})";
    /// <summary>Multiplier of the learning rate.</summary>
    public double Factor { get; }
    /// <summary>Epochs without improvement before reducing.</summary>
    public int Patience { get; }
    /// <summary>Minimum improvement.</summary>
    public double MinDelta { get; }
    /// <summary>Epochs of cooldown after a reduction.</summary>
    public int Cooldown { get; }
    /// <summary>Lower bound of the learning rate.</summary>
    public double MinLr { get; }
    /// <summary>Whether lower or higher is better, as given.</summary>
    public MonitorMode Mode { get; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        Monitoring.RequireLogged(nameof(ReduceLrOnPlateau), Monitor, context);
        if (Mode == MonitorMode.Auto) maximize = context.HigherIsBetter(Monitor);
        best = Monitoring.Worst(maximize);
        wait = 0;
        cooldownCounter = 0;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        double current = context.Logs[Monitor];
        if (double.IsNaN(current)) return;
        if (cooldownCounter > 0)
        {
            cooldownCounter--;
            wait = 0;
        }
        if (maximize ? current > best + MinDelta : current < best - MinDelta)
        {
            best = current;
            wait = 0;
        }
        else if (cooldownCounter <= 0)
        {
            wait++;
            if (wait >= Patience)
            {
                double old = context.LearningRate;
                if (old > MinLr)
                {
                    context.ChangeLearningRate(Math.Max(old * Factor, MinLr));
                    cooldownCounter = Cooldown;
                    wait = 0;
                }
            }
        }
    }

    /// <inheritdoc />
    public override JsonObject GetState() => new()
    {
        ["best"] = double.IsFinite(best) ? best : null,
        ["wait"] = wait,
        ["cooldown_counter"] = cooldownCounter,
    };

    /// <inheritdoc />
    public override void SetState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        wait = Read<int>(state, "wait");
        cooldownCounter = Read<int>(state, "cooldown_counter");
        best = state["best"] is null ? Monitoring.Worst(maximize) : Read<double>(state, "best");
    }
}
