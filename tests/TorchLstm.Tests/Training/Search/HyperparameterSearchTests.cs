using TorchLstm.Data;
using TorchLstm.Tests.Reliability;
using TorchLstm.Training;
using TorchLstm.Training.Search;

namespace TorchLstm.Tests.Training.Search;

// Retraining the winner must retrace its trial exactly, which needs torch's global generator to itself.
[Collection(nameof(GlobalRandomStateCollection))]
public class HyperparameterSearchTests
{
    private static readonly SearchSpace Space = new()
    {
        HiddenSizes = [4, 8],
        Layers = [1, 2],
        Dropouts = [0.0],
        LearningRates = [1e-2, 3e-3],
        Lookbacks = [6, 10],
    };

    private static readonly TrainingOptions Tiny = new() { Epochs = 3, BatchSize = 16, Progress = ProgressMode.None };

    private static TrialData SineData(int lookback)
    {
        using var series = BundledDatasets.NoisySine(points: 160, end: 16, seed: 5);
        using var table = TimeSeriesTable.FromTensor(series);
        return TrialData.From(ForecastData.Prepare(table, new ForecastDataOptions { Lookback = lookback, ValidationFraction = 0.25, TestFraction = 0 }));
    }

    [Fact]
    public void Grid_enumerates_the_product_in_order_and_stops_at_the_budget()
    {
        var plan = new HyperparameterSearch(Space).Plan();
        Assert.Equal(16, Space.Size);
        Assert.Equal(16, plan.Count);
        var expected = from h in Space.HiddenSizes
                       from l in Space.Layers
                       from d in Space.Dropouts
                       from r in Space.LearningRates
                       from w in Space.Lookbacks
                       select new TrialConfig(h, l, d, r, w);
        Assert.Equal(expected, plan);

        var budgeted = new HyperparameterSearch(Space, new SearchOptions { MaxTrials = 5 }).Plan();
        Assert.Equal(plan.Take(5), budgeted);
    }

    [Fact]
    public void Random_search_is_reproducible_per_seed_and_draws_without_repeats()
    {
        SearchOptions Options(long seed) => new() { Strategy = SearchStrategy.Random, MaxTrials = 6, Seed = seed };
        var first = new HyperparameterSearch(Space, Options(1)).Plan();
        var again = new HyperparameterSearch(Space, Options(1)).Plan();
        var other = new HyperparameterSearch(Space, Options(2)).Plan();

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal(6, first.Count);
        Assert.Equal(6, first.Distinct().Count());
        Assert.All(first, c => Assert.Contains(c, Space.Enumerate()));

        var everything = new HyperparameterSearch(Space, Options(3) with { MaxTrials = 100 }).Plan();
        Assert.Equal(Space.Enumerate().ToHashSet(), everything.ToHashSet());
    }

    [Fact]
    public void Run_respects_the_budget_ranks_by_validation_loss_and_retrains_the_best_reproducibly()
    {
        var options = new SearchOptions { Strategy = SearchStrategy.Random, MaxTrials = 3, Seed = 11, Training = Tiny, Patience = null };
        var search = new HyperparameterSearch(Space, options);
        var lookbacksRequested = new List<int>();
        var log = new StringWriter();

        var result = search.Run(lookback => { lookbacksRequested.Add(lookback); return SineData(lookback); }, log);

        Assert.Equal(3, result.Trials.Count);
        Assert.Equal(search.Plan(), result.Trials.Select(t => t.Config));
        Assert.Equal(lookbacksRequested.Distinct(), lookbacksRequested);              // data built once per lookback
        Assert.Equal(result.Trials.Select(t => t.Config.Lookback).Distinct().Order(), lookbacksRequested.Order());
        Assert.All(result.Trials, t => Assert.Equal(3, t.EpochsRun));
        Assert.All(result.Trials, t => Assert.True(double.IsFinite(t.ValidationMetric) && t.ValidationMetric > 0));
        var metrics = result.Ranked.Select(t => t.ValidationMetric).ToArray();
        Assert.Equal(metrics.Order(), metrics);
        Assert.Same(result.Ranked[0], result.Best);
        Assert.Equal(3, log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var frame = result.ToDataFrame();
        Assert.Equal(3, frame.Rows.Count);
        Assert.Equal(metrics, frame["val_loss"].Cast<double?>().Select(v => v!.Value));
        Assert.Equal(result.Best.Trial, (int)frame["trial"][0]);
        var markdown = result.ToMarkdown().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2 + 3, markdown.Length);
        Assert.Contains("val_loss", markdown[0], StringComparison.Ordinal);

        // Re-training the winner with the same seed and options retraces its trial exactly.
        using var data = SineData(result.Best.Config.Lookback);
        var retrained = search.Retrain(result.Best.Config, data.Train, data.Validation);
        using var model = retrained.Model;
        Assert.Equal(result.Best.ValidationMetric, retrained.History.Series(LogNames.ValidationLoss)[result.Best.BestEpoch - 1], 6);
    }

    [Fact]
    public void Early_stopping_patience_caps_the_epochs_of_a_trial()
    {
        var options = new SearchOptions
        {
            MaxTrials = 1,
            Training = Tiny with { Epochs = 40, LearningRate = 1e-2 },
            Patience = 0,
        };
        var space = new SearchSpace { HiddenSizes = [4], LearningRates = [0.5], Lookbacks = [6] }; // a learning rate too large to keep improving
        var trial = new HyperparameterSearch(space, options).Run(SineData).Trials.Single();
        Assert.InRange(trial.EpochsRun, 2, 39);
        Assert.Equal(trial.EpochsRun - 1, trial.BestEpoch);
    }

    [Fact]
    public void Invalid_spaces_and_options_are_rejected_by_name()
    {
        var empty = Assert.Throws<ArgumentException>(() => new HyperparameterSearch(new SearchSpace { HiddenSizes = [] }));
        Assert.Equal("HiddenSizes", empty.ParamName);
        var dropout = Assert.Throws<ArgumentOutOfRangeException>(() => new HyperparameterSearch(new SearchSpace { Dropouts = [0.1, 1.0] }));
        Assert.Equal("Dropouts", dropout.ParamName);
        Assert.Contains("in [0, 1)", dropout.Message, StringComparison.Ordinal);
        var repeated = Assert.Throws<ArgumentException>(() => new HyperparameterSearch(new SearchSpace { Lookbacks = [5, 5] }));
        Assert.Contains("repeats a value", repeated.Message, StringComparison.Ordinal);
        var budget = Assert.Throws<ArgumentOutOfRangeException>(() => new HyperparameterSearch(Space, new SearchOptions { MaxTrials = 0 }));
        Assert.Equal("MaxTrials", budget.ParamName);
        var monitor = Assert.Throws<ArgumentException>(() => new HyperparameterSearch(Space, new SearchOptions { Monitor = "loss" }));
        Assert.Contains("validation value", monitor.Message, StringComparison.Ordinal);

        var search = new HyperparameterSearch(new SearchSpace { HiddenSizes = [4], Lookbacks = [6] }, new SearchOptions { Training = Tiny });
        using var wrongWindows = SineData(10);
        var mismatch = Assert.Throws<ArgumentException>(() => search.Run(_ => wrongWindows with { Owner = null }));
        Assert.Contains("10 steps long but the configuration's lookback is 6", mismatch.Message, StringComparison.Ordinal);
    }
}
