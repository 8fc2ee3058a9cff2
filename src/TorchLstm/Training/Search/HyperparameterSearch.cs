using System.Diagnostics;
using System.Globalization;
using TorchLstm.Data;
using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training.Search;

/// <summary>A model trained on the best configuration found.</summary>
/// <param name="Config">The configuration.</param>
/// <param name="Model">The trained model (in eval mode).</param>
/// <param name="History">Its training record.</param>
public sealed record RetrainedModel(TrialConfig Config, nn.Module<Tensor, Tensor> Model, History History);

/// <summary>
/// Grid or random search over a <see cref="SearchSpace"/> within a trial budget: each trial builds a
/// model, trains it through <see cref="ExperimentRunner"/> from the same seed, and is ranked by its best
/// validation value; the winner can then be re-trained.
/// </summary>
/// <example>
/// <code>
/// var search = new HyperparameterSearch(
///     new SearchSpace { HiddenSizes = [16, 32], Layers = [1, 2], LearningRates = [1e-3, 3e-3], Lookbacks = [20] },
///     new SearchOptions { Strategy = SearchStrategy.Random, MaxTrials = 4 });
/// var result = search.Run(lookback => TrialData.From(ForecastData.Prepare(table, new() { Lookback = lookback })));
/// Console.WriteLine(result.ToMarkdown());
/// </code>
/// </example>
public sealed class HyperparameterSearch
{
    /// <summary>Most combinations a random search enumerates before drawing (guards against a typo in the space).</summary>
    public const long MaxRandomSpace = 1_000_000;

    private readonly Func<TrialConfig, SequenceDataset, nn.Module<Tensor, Tensor>> _modelFactory;

    /// <summary>Creates a search.</summary>
    /// <param name="space">The values to try.</param>
    /// <param name="options">Strategy, budget, seed, training options; defaults when null.</param>
    /// <param name="modelFactory">
    /// Builds a trial's model from its configuration and training set; by default a <see cref="StackedLstm"/>
    /// with the trial's layers and dropout, as many inputs as the windows have features and as many outputs
    /// as the targets have columns.
    /// </param>
    /// <exception cref="ArgumentException">The space or the options are invalid (the message names the field).</exception>
    public HyperparameterSearch(SearchSpace space, SearchOptions? options = null,
        Func<TrialConfig, SequenceDataset, nn.Module<Tensor, Tensor>>? modelFactory = null)
    {
        ArgumentNullException.ThrowIfNull(space);
        Space = space.Validate();
        Options = (options ?? new SearchOptions()).Validate();
        _modelFactory = modelFactory ?? DefaultModel;
    }

    /// <summary>The searched values.</summary>
    public SearchSpace Space { get; }

    /// <summary>The options.</summary>
    public SearchOptions Options { get; }

    /// <summary>The configurations <see cref="Run"/> will train, in order: the grid (up to the budget) or a seeded random draw.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A random search over more than <see cref="MaxRandomSpace"/> combinations.</exception>
    public IReadOnlyList<TrialConfig> Plan()
    {
        long size = Space.Size;
        int budget = (int)Math.Min(Options.MaxTrials ?? long.MaxValue, Math.Min(size, int.MaxValue));
        if (Options.Strategy == SearchStrategy.Grid)
            return Space.Enumerate().Take(budget).ToArray();

        if (size > MaxRandomSpace)
            throw new ArgumentOutOfRangeException(nameof(Space), size, $"The search space has {size} combinations; a random search draws from at most {MaxRandomSpace}.");
        var all = Space.Enumerate().ToArray();
        // A partial Fisher–Yates shuffle: the first `budget` entries are a uniform draw without repeats.
        var random = new Random(unchecked((int)(Options.Seed ^ (Options.Seed >> 32))));
        for (int i = 0; i < budget; i++)
        {
            int j = random.Next(i, all.Length);
            (all[i], all[j]) = (all[j], all[i]);
        }
        return all.Take(budget).ToArray();
    }

    /// <summary>Runs every planned trial and ranks them.</summary>
    /// <param name="dataForLookback">
    /// Builds the training and validation sets for a window length; called once per distinct lookback,
    /// and each result is disposed when the search ends.
    /// </param>
    /// <param name="log">Where one line per finished trial goes; optional.</param>
    /// <param name="ct">Cancels between trials and, through the runner, between batches.</param>
    /// <exception cref="ArgumentException">The data or the model do not fit together, or <see cref="SearchOptions.Monitor"/> is not logged.</exception>
    public SearchResult Run(Func<int, TrialData> dataForLookback, TextWriter? log = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dataForLookback);
        var plan = Plan();
        var data = new Dictionary<int, TrialData>();
        var trials = new List<TrialResult>(plan.Count);
        try
        {
            foreach (var config in plan)
            {
                ct.ThrowIfCancellationRequested();
                if (!data.TryGetValue(config.Lookback, out var trialData))
                    data[config.Lookback] = trialData = dataForLookback(config.Lookback)
                        ?? throw new ArgumentException($"The data function returned null for lookback {config.Lookback}.", nameof(dataForLookback));
                var result = RunTrial(trials.Count + 1, config, trialData, ct);
                trials.Add(result);
                log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"trial {result.Trial}/{plan.Count}: {config} → {Options.Monitor} {result.ValidationMetric:G5} (epoch {result.BestEpoch} of {result.EpochsRun}, {result.Seconds:F1} s)"));
            }
        }
        finally
        {
            foreach (var owned in data.Values) owned.Dispose();
        }
        return new SearchResult(trials, Options.Monitor, Maximizes(Options.Monitor), Space.Size, Options.Strategy);
    }

    /// <summary>
    /// Trains a fresh model on <paramref name="config"/> (typically <c>result.Best.Config</c>) from the
    /// search's seed, with <paramref name="training"/> (the search's training options when null).
    /// </summary>
    /// <param name="config">The configuration.</param>
    /// <param name="train">Training windows built with <paramref name="config"/>'s lookback.</param>
    /// <param name="validation">Validation windows; optional.</param>
    /// <param name="training">Epochs, batch size, …; the learning rate is the configuration's.</param>
    /// <param name="callbacks">Callbacks such as early stopping with restored best weights.</param>
    public RetrainedModel Retrain(TrialConfig config, SequenceDataset train, SequenceDataset? validation = null,
        TrainingOptions? training = null, IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(train);
        CheckLookback(config, train, nameof(train));
        var options = (training ?? Options.Training with { CheckpointDirectory = Subfolder("retrain") }) with { LearningRate = config.LearningRate, Seed = Options.Seed };
        Seeding.SeedEverything(Options.Seed);
        var model = _modelFactory(config, train);
        var history = new ExperimentRunner().Fit(model, train, validation, options, callbacks);
        return new RetrainedModel(config, model, history);
    }

    /// <summary>A subfolder of the training options' checkpoint folder, so trials never share checkpoints; null when there is none.</summary>
    private string? Subfolder(string name) => Options.Training.CheckpointDirectory is { } root ? Path.Combine(root, name) : null;

    private TrialResult RunTrial(int number, TrialConfig config, TrialData data, CancellationToken ct)
    {
        CheckLookback(config, data.Train, nameof(data));
        var clock = Stopwatch.StartNew();
        var options = Options.Training with { LearningRate = config.LearningRate, Seed = Options.Seed, CheckpointDirectory = Subfolder($"trial-{number:D3}") };
        // Every trial starts from the same seed, so differences come from the configuration, not the draw.
        Seeding.SeedEverything(Options.Seed);
        using var model = _modelFactory(config, data.Train);
        long parameters = model.parameters().Sum(p => p.numel());
        using var stopping = Options.Patience is { } patience ? new EarlyStopping(Options.Monitor, patience: patience) : null;
        var history = new ExperimentRunner().Fit(model, data.Train, data.Validation, options, stopping is null ? null : [stopping], ct);

        bool maximize = Maximizes(Options.Monitor);
        var series = history.Count == 0 ? [] : history.Series(Options.Monitor);
        if (series.Length == 0 || series.All(double.IsNaN))
            return new TrialResult(number, config, double.NaN, 0, history.Count, clock.Elapsed.TotalSeconds, parameters);
        int best = 0;
        for (int i = 1; i < series.Length; i++)
            if (Better(series[i], series[best], maximize)) best = i;
        return new TrialResult(number, config, series[best], best + 1, history.Count, clock.Elapsed.TotalSeconds, parameters);
    }

    private static bool Better(double candidate, double incumbent, bool maximize) =>
        double.IsNaN(incumbent) ? !double.IsNaN(candidate) : maximize ? candidate > incumbent : candidate < incumbent;

    internal static bool Maximizes(string monitor) => Monitoring.Maximizes(monitor, MonitorMode.Auto);

    private static void CheckLookback(TrialConfig config, SequenceDataset train, string paramName)
    {
        if (train.Inputs.dim() != 3)
            throw new ArgumentException($"Training inputs must be windows shaped (samples, lookback, features); got [{string.Join(", ", train.Inputs.shape)}].", paramName);
        if (train.Inputs.shape[1] != config.Lookback)
            throw new ArgumentException($"The training windows are {train.Inputs.shape[1]} steps long but the configuration's lookback is {config.Lookback}; build the data with that lookback.", paramName);
    }

    private static nn.Module<Tensor, Tensor> DefaultModel(TrialConfig config, SequenceDataset train)
    {
        int features = (int)train.Inputs.shape[2];
        int outputs = train.Targets.dim() == 1 ? 1 : (int)train.Targets.shape[^1];
        return new StackedLstm(features, config.LayerSizes, outputs, config.Dropout);
    }
}
