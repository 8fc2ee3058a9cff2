using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;
using TorchLstm.Data;
using TorchLstm.Forecasting;
using TorchLstm.Models;
using TorchLstm.Reporting;
using TorchLstm.Training;

namespace TorchLstm.Experiments;

/// <summary>
/// The backtest of <c>experiments/backtest.cs</c>: the library's networks against every baseline on one series,
/// over rolling-origin folds and several seeds, reported as the network against the best baseline with a paired test.
/// </summary>
public static class BacktestStudy
{
    /// <summary>The baselines for a series of this frequency: persistence, seasonal naive (7 days or 12 months), drift, climatology (when there are dates) and ridge autoregression.</summary>
    public static IReadOnlyList<ForecasterTrainer> Baselines(SeriesFrequency? frequency, int lookback, int horizon) =>
        [.. ForecasterTrainer.StandardBaselines(frequency, lookback, horizon), ForecasterTrainer.Ridge(lookback, horizon)];

    /// <summary>The window length the study uses for a series: the option, else 30 for daily series and 24 otherwise.</summary>
    public static int LookbackFor(SeriesFrequency? frequency, BacktestStudyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Lookback ?? (frequency == SeriesFrequency.Daily ? 30 : 24);
    }

    /// <summary>Runs the baselines and one network per cell over the folds of <paramref name="table"/>.</summary>
    /// <param name="table">The series (original scale, target and features).</param>
    /// <param name="options">Folds, seeds and networks.</param>
    /// <param name="log">Where a line per fit goes; nowhere when null.</param>
    public static BacktestResult Run(TimeSeriesTable table, BacktestStudyOptions options, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var frequency = table.Timestamps is { Count: >= 2 } stamps ? SeriesFrequency.Infer(stamps) : null;
        int lookback = LookbackFor(frequency, options);
        using var inputs = table.WithCalendar(options.Calendar);
        var trainers = new List<ForecasterTrainer>(Baselines(frequency, lookback, options.Horizon));
        foreach (var cell in options.Cells)
        {
            string name = cell.ToString().ToLowerInvariant();
            trainers.Add(options.Differenced
                ? ForecasterTrainer.Differenced(ForecasterTrainer.Network(NetworkOptions(cell, lookback, options) with { PredictChange = false }), name)
                : ForecasterTrainer.Network(NetworkOptions(cell, lookback, options), name));
        }
        var result = Backtest.Run(inputs, trainers, options.Horizon, new BacktestOptions
        {
            Folds = options.Folds,
            Seeds = options.Seeds,
            RefitEvery = options.RefitEvery,
            EvaluationFraction = options.EvaluationFraction,
        }, log);
        if (options.Ensembles && options.Seeds.Count > 1)
            foreach (var cell in options.Cells)
                result = result.WithEnsemble(cell.ToString().ToLowerInvariant());
        return result;
    }

    /// <summary>How a network of the study is built and trained: the main job's recipe (predict the change, early stopping, LR-on-plateau) at the study's size and budget.</summary>
    public static ForecastExperimentOptions NetworkOptions(RecurrentCell cell, int lookback, BacktestStudyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var defaults = new ForecastExperimentOptions();
        return defaults with
        {
            Cell = cell,
            HiddenSizes = options.HiddenSizes,
            Data = defaults.Data with { Lookback = lookback, Horizon = options.Horizon, TestFraction = 0 },
            Quantiles = options.Quantiles,
            EarlyStoppingPatience = options.Patience,
            ReduceLrPatience = Math.Max(1, options.Patience / 2),
            Training = defaults.Training with { Epochs = options.Epochs, LearningRate = options.LearningRate ?? defaults.Training.LearningRate },
        };
    }

    /// <summary>
    /// The study's figures for one series: per model the summary row, and <c>best_baseline</c>, <c>best_baseline_rmse</c>,
    /// <c>lstm_rmse</c> (mean RMSE over folds and seeds), <c>dm_pvalue</c> (LSTM against the best baseline, the largest over
    /// seeds), <c>coverage_80</c> and <c>coverage_95</c> (the LSTM's intervals; null without quantiles). Non-finite numbers are null.
    /// </summary>
    public static JsonObject Metrics(BacktestResult result, string network = "lstm")
    {
        ArgumentNullException.ThrowIfNull(result);
        var summary = result.Summary();
        var rows = SummaryRows(summary);
        string? best = result.BestBaseline;
        var models = new JsonObject();
        foreach (var (model, values) in rows)
            models[model] = new JsonObject(values.Select(kv => KeyValuePair.Create(kv.Key, Number(kv.Value))));
        var networkRow = rows.GetValueOrDefault(network);
        return new JsonObject
        {
            ["target"] = result.Target,
            ["folds"] = result.Folds.Count,
            ["windows"] = result.Actual.GetLength(0),
            ["horizon"] = result.Horizon,
            ["seeds"] = result.Runs.Where(r => r.Seed is not null).Select(r => r.Seed!.Value).Distinct().Count(),
            ["first_origin"] = result.Folds[0].OriginTimestamp?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["best_baseline"] = best,
            ["best_baseline_rmse"] = best is null ? null : Number(rows[best]["rmse_mean"]),
            ["lstm_rmse"] = Number(networkRow?["rmse_mean"]),
            ["lstm_rmse_std"] = Number(networkRow?["rmse_std"]),
            ["dm_pvalue"] = Number(networkRow?["dm_pvalue"]),
            ["coverage_80"] = Number(networkRow?["coverage_80"]),
            ["coverage_95"] = Number(networkRow?["coverage_95"]),
            ["models"] = models,
        };
    }

    /// <summary>The summary as a Markdown table: model, RMSE mean ± std, MAE, sMAPE, MASE, coverage, and the paired test against the best baseline.</summary>
    public static MarkdownTable Table(BacktestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string best = result.BestBaseline ?? "—";
        var table = new MarkdownTable(["model", "RMSE mean ± std", "MAE", "sMAPE %", "MASE", "cover 80 %", "cover 95 %", $"DM vs {best}", "p", "fit s"], precision: 3);
        foreach (var (model, v) in SummaryRows(result.Summary()))
            table.AddRow(model + (model == best ? " (best baseline)" : ""),
                string.Create(CultureInfo.InvariantCulture, $"{v["rmse_mean"]:F3} ± {v["rmse_std"]:F3}"),
                v["mae_mean"], v["smape_mean"], v["mase_mean"], Percent(v["coverage_80"]), Percent(v["coverage_95"]),
                Blank(v["dm_statistic"]), Blank(v["dm_pvalue"]), v["fit_seconds"]);
        return table;
    }

    private static Dictionary<string, Dictionary<string, double>> SummaryRows(DataFrame summary)
    {
        var rows = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        for (long r = 0; r < summary.Rows.Count; r++)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var column in summary.Columns.OfType<DoubleDataFrameColumn>())
                values[column.Name] = column[r] ?? double.NaN;
            rows[(string)summary.Columns["model"][r]] = values;
        }
        return rows;
    }

    private static JsonNode? Number(double? value) => value is { } v && double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 6)) : null;

    private static object Percent(double value) => double.IsFinite(value) ? string.Create(CultureInfo.InvariantCulture, $"{100 * value:F1}") : "";

    private static object Blank(double value) => double.IsFinite(value) ? value : "";
}
