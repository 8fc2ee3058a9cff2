using System.Globalization;
using Microsoft.Data.Analysis;
using TorchLstm.Reporting;

namespace TorchLstm.Training.Search;

/// <summary>What one trial achieved.</summary>
/// <param name="Trial">1-based order in which it ran.</param>
/// <param name="Config">Its configuration.</param>
/// <param name="ValidationMetric">Best value of the monitored validation metric over its epochs (NaN if it diverged from the start).</param>
/// <param name="BestEpoch">1-based epoch of that value (0 when there is none).</param>
/// <param name="EpochsRun">Epochs trained (fewer than asked when early stopping fired).</param>
/// <param name="Seconds">Wall-clock time of the trial.</param>
/// <param name="Parameters">Number of trainable values of its model.</param>
public sealed record TrialResult(int Trial, TrialConfig Config, double ValidationMetric, int BestEpoch, int EpochsRun, double Seconds, long Parameters);

/// <summary>The trials of a search, best first, as a data frame or a markdown table.</summary>
public sealed class SearchResult
{
    internal SearchResult(IReadOnlyList<TrialResult> trials, string monitor, bool maximize, long spaceSize, SearchStrategy strategy)
    {
        Trials = trials;
        Monitor = monitor;
        SpaceSize = spaceSize;
        Strategy = strategy;
        // NaN (a diverged trial) ranks last; ties keep the order in which trials ran.
        Ranked = trials
            .OrderBy(t => double.IsNaN(t.ValidationMetric))
            .ThenBy(t => maximize ? -t.ValidationMetric : t.ValidationMetric)
            .ThenBy(t => t.Trial)
            .ToArray();
    }

    /// <summary>The trials in the order they ran.</summary>
    public IReadOnlyList<TrialResult> Trials { get; }

    /// <summary>The trials best first.</summary>
    public IReadOnlyList<TrialResult> Ranked { get; }

    /// <summary>The best trial.</summary>
    /// <exception cref="InvalidOperationException">No trial ran.</exception>
    public TrialResult Best => Ranked.Count > 0 ? Ranked[0] : throw new InvalidOperationException("The search ran no trials.");

    /// <summary>The metric trials are ranked by.</summary>
    public string Monitor { get; }

    /// <summary>Number of combinations in the search space.</summary>
    public long SpaceSize { get; }

    /// <summary>How the trials were chosen.</summary>
    public SearchStrategy Strategy { get; }

    /// <summary>The ranked trials, one row each: rank, trial, the configuration, the metric, best epoch, epochs, parameters, seconds.</summary>
    public DataFrame ToDataFrame()
    {
        var rows = Ranked;
        return new DataFrame(
            new PrimitiveDataFrameColumn<int>("rank", Enumerable.Range(1, rows.Count)),
            new PrimitiveDataFrameColumn<int>("trial", rows.Select(t => t.Trial)),
            new PrimitiveDataFrameColumn<int>("hidden_size", rows.Select(t => t.Config.HiddenSize)),
            new PrimitiveDataFrameColumn<int>("layers", rows.Select(t => t.Config.Layers)),
            new PrimitiveDataFrameColumn<double>("dropout", rows.Select(t => t.Config.Dropout)),
            new PrimitiveDataFrameColumn<double>("learning_rate", rows.Select(t => t.Config.LearningRate)),
            new PrimitiveDataFrameColumn<int>("lookback", rows.Select(t => t.Config.Lookback)),
            new PrimitiveDataFrameColumn<double>(Monitor, rows.Select(t => t.ValidationMetric)),
            new PrimitiveDataFrameColumn<int>("best_epoch", rows.Select(t => t.BestEpoch)),
            new PrimitiveDataFrameColumn<int>("epochs", rows.Select(t => t.EpochsRun)),
            new PrimitiveDataFrameColumn<long>("parameters", rows.Select(t => t.Parameters)),
            new PrimitiveDataFrameColumn<double>("seconds", rows.Select(t => t.Seconds)));
    }

    /// <summary>The ranked trials as a markdown table, best first.</summary>
    public MarkdownTable ToMarkdownTable()
    {
        var table = new MarkdownTable(["rank", "trial", "hidden", "layers", "dropout", "learning rate", "lookback", Monitor, "best epoch", "epochs", "parameters", "seconds"], precision: 5)
            .SetColumnPrecision("dropout", 2)
            .SetColumnPrecision("seconds", 1);
        int rank = 1;
        foreach (var t in Ranked)
            table.AddRow(rank++, t.Trial, t.Config.HiddenSize, t.Config.Layers, t.Config.Dropout,
                t.Config.LearningRate.ToString("0.#####", CultureInfo.InvariantCulture), t.Config.Lookback,
                t.ValidationMetric, t.BestEpoch, t.EpochsRun, t.Parameters, t.Seconds);
        return table;
    }

    /// <summary>The markdown table's text.</summary>
    public string ToMarkdown() => ToMarkdownTable().ToString();

    /// <summary>e.g. "random search: 4 of 16 configurations; best val_loss 0.0123 with hidden 32×1, …".</summary>
    public override string ToString() => Ranked.Count == 0
        ? $"{Strategy.ToString().ToLowerInvariant()} search: no trials"
        : string.Create(CultureInfo.InvariantCulture,
            $"{Strategy.ToString().ToLowerInvariant()} search: {Trials.Count} of {SpaceSize} configurations; best {Monitor} {Best.ValidationMetric:G5} with {Best.Config}");
}
