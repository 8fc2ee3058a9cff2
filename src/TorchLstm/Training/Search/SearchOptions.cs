using TorchLstm.Data;

namespace TorchLstm.Training.Search;

/// <summary>How the configurations of a <see cref="SearchSpace"/> are chosen.</summary>
public enum SearchStrategy
{
    /// <summary>Every combination in order; with a smaller budget, the first <see cref="SearchOptions.MaxTrials"/> of them.</summary>
    Grid,
    /// <summary><see cref="SearchOptions.MaxTrials"/> distinct combinations drawn at random (seeded), without repeats.</summary>
    Random,
}

/// <summary>Options of <see cref="HyperparameterSearch"/>.</summary>
public sealed record SearchOptions
{
    /// <summary>Grid or random.</summary>
    public SearchStrategy Strategy { get; init; } = SearchStrategy.Grid;

    /// <summary>Most trials to run (the budget); null runs every combination. Accepted: null or 1 or more.</summary>
    public int? MaxTrials { get; init; }

    /// <summary>Seeds the random choice of configurations and every trial's training (each trial starts from the same seed).</summary>
    public long Seed { get; init; } = 42;

    /// <summary>
    /// How each trial trains; its learning rate is replaced by the trial's and its seed by <see cref="Seed"/>.
    /// Defaults to 20 epochs without progress output. With a <see cref="TrainingOptions.CheckpointDirectory"/>,
    /// trial N keeps its checkpoints in the subfolder <c>trial-00N</c> (and a default retrain in <c>retrain</c>),
    /// so with <see cref="TrainingOptions.Resume"/> a killed search replays finished trials from their last
    /// checkpoint and continues the interrupted one.
    /// </summary>
    public TrainingOptions Training { get; init; } = new() { Epochs = 20, Progress = ProgressMode.None };

    /// <summary>The validation value that ranks trials (its best epoch counts): <c>val_loss</c>, <c>val_mae</c>, <c>val_accuracy</c>, …</summary>
    public string Monitor { get; init; } = LogNames.ValidationLoss;

    /// <summary>Early-stopping patience on <see cref="Monitor"/> within each trial; null trains every epoch. Accepted: null or 0 or more.</summary>
    public int? Patience { get; init; } = 5;

    /// <summary>Checks the options.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its accepted range.</exception>
    /// <exception cref="ArgumentException"><see cref="Monitor"/> is not a validation value.</exception>
    public SearchOptions Validate()
    {
        if (!Enum.IsDefined(Strategy))
            throw new ArgumentOutOfRangeException(nameof(Strategy), Strategy, "SearchOptions.Strategy must be Grid or Random.");
        if (MaxTrials is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxTrials), MaxTrials, $"SearchOptions.MaxTrials must be null (all combinations) or 1 or more (got {MaxTrials}).");
        if (Patience is < 0)
            throw new ArgumentOutOfRangeException(nameof(Patience), Patience, $"SearchOptions.Patience must be null or 0 or more epochs (got {Patience}).");
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        Training.Validate();
        if (string.IsNullOrWhiteSpace(Monitor) || !Monitor.StartsWith(LogNames.ValidationPrefix, StringComparison.Ordinal))
            throw new ArgumentException($"SearchOptions.Monitor must be a validation value such as val_loss or val_mae, so trials are ranked on data they did not train on (got '{Monitor}').", nameof(Monitor));
        return this;
    }
}

/// <summary>The data a trial trains and validates on, for one lookback.</summary>
/// <param name="Train">Training windows.</param>
/// <param name="Validation">Validation windows (ranks the trials).</param>
/// <param name="Owner">Disposed with this object (for example the <see cref="ForecastData"/> the sets belong to); optional.</param>
public sealed record TrialData(SequenceDataset Train, SequenceDataset Validation, IDisposable? Owner = null) : IDisposable
{
    /// <summary>The training and validation windows of prepared forecasting data, which this object then owns.</summary>
    /// <exception cref="ArgumentException">The data have no validation set.</exception>
    public static TrialData From(ForecastData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var validation = data.Validation
            ?? throw new ArgumentException("The forecasting data have no validation set; prepare them with ValidationFraction above 0.", nameof(data));
        return new TrialData(data.Train, validation, data);
    }

    /// <summary>Disposes <see cref="Owner"/>.</summary>
    public void Dispose() => Owner?.Dispose();
}
