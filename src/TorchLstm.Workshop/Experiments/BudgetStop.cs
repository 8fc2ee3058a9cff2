using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using TorchLstm.Training;

namespace TorchLstm.Experiments;

/// <summary>
/// Ends training after an epoch whose validation loss is below a "solved" level, or once a wall-clock
/// budget is spent, so that a comparison can give every model the same maximum budget without spending
/// it on models that are already done.
/// </summary>
internal sealed class BudgetStop : Callback
{
    private readonly double? solvedBelow;
    private readonly TimeSpan? budget;
    private readonly Stopwatch clock = new();
    private TimeSpan spentBeforeResume;

    public BudgetStop(double? solvedBelow, TimeSpan? budget)
    {
        this.solvedBelow = solvedBelow;
        this.budget = budget;
    }

    /// <summary>Whether training ended because the wall-clock budget ran out.</summary>
    public bool OutOfTime { get; private set; }

    /// <summary>Whether training ended because the validation loss reached the solved level.</summary>
    public bool Solved { get; private set; }

    public override void OnTrainBegin(TrainingContext context) => clock.Restart();

    /// <summary>Time spent on this model so far, including the run a resumed one continues.</summary>
    private TimeSpan Spent => spentBeforeResume + clock.Elapsed;

    /// <summary>The spent time and the outcome, so a resumed run keeps counting against the same budget.</summary>
    public override JsonObject GetState() => new()
    {
        ["spent_seconds"] = Spent.TotalSeconds,
        ["solved"] = Solved,
        ["out_of_time"] = OutOfTime,
    };

    /// <inheritdoc />
    public override void SetState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        spentBeforeResume = TimeSpan.FromSeconds(state["spent_seconds"]?.GetValue<double>() ?? 0);
        Solved = state["solved"]?.GetValue<bool>() ?? false;
        OutOfTime = state["out_of_time"]?.GetValue<bool>() ?? false;
        clock.Restart();
    }

    public override void OnEpochEnd(TrainingContext context)
    {
        if (solvedBelow is { } level && context.Logs.TryGetValue(LogNames.ValidationLoss, out double loss) && loss < level)
        {
            Solved = true;
            context.RequestStop(StopReason.EarlyStopping, string.Create(CultureInfo.InvariantCulture,
                $"validation MSE {loss:G4} is below {level:G4} after epoch {context.Epoch}: solved"));
        }
        else if (budget is { } limit && Spent >= limit)
        {
            OutOfTime = true;
            context.RequestStop(StopReason.EarlyStopping, string.Create(CultureInfo.InvariantCulture,
                $"the time budget of {limit.TotalSeconds:F0} s was spent after epoch {context.Epoch}"));
        }
    }
}
