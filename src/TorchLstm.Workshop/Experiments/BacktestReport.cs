using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using TorchLstm.Cli;
using TorchLstm.Data;

namespace TorchLstm.Experiments;

/// <summary>A named series the backtest runs on.</summary>
/// <param name="Name">Folder and heading name, e.g. <c>weather</c> or <c>stocks_MSFT</c>.</param>
/// <param name="Table">The series; disposed by its owner.</param>
/// <param name="Note">What the data are and how they were cleaned, for the report.</param>
/// <param name="Options">This series' own recipe (calendar columns, differencing); the report's options when null.</param>
public sealed record BacktestSeries(string Name, TimeSeriesTable Table, string Note, BacktestStudyOptions? Options = null);

/// <summary>Runs <see cref="BacktestStudy"/> on several series and writes the report files of <c>experiments/backtest.cs</c>.</summary>
public static class BacktestReport
{
    /// <summary>
    /// Backtests every series and writes, per series, <c>NAME/metrics.json</c>, <c>NAME/folds.csv</c> and
    /// <c>NAME/fold_errors.png</c>, and for all of them <c>results.md</c> and <c>metrics.json</c> (the series' metrics under
    /// <c>datasets</c>; with one series its keys are also at the top level).
    /// </summary>
    /// <returns>The combined metrics.</returns>
    public static JsonObject Run(IReadOnlyList<BacktestSeries> series, BacktestStudyOptions options, string outputDirectory, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        log ??= Console.Out;
        var datasets = new JsonObject();
        var markdown = new StringBuilder();
        markdown.AppendLine("# Backtest").AppendLine();
        markdown.AppendLine(
            FormattableString.Invariant($"{options.Folds} rolling-origin folds over the last {100 * options.EvaluationFraction:F0} % of each series, expanding training window, refit every {options.RefitEvery} fold(s), ") +
            FormattableString.Invariant($"seeds {string.Join(", ", options.Seeds)}; networks of [{string.Join(", ", options.HiddenSizes)}] units, at most {options.Epochs} epochs, early-stopping patience {options.Patience}, ") +
            "each series' recipe (calendar columns, differencing) is given under its heading. RMSE is the mean over folds (and seeds) ± its standard deviation; DM is the Diebold–Mariano statistic against the best baseline " +
            "(positive: larger squared errors than it) and p its p-value, for the seed with the largest p.");
        markdown.AppendLine();
        foreach (var item in series)
        {
            log.WriteLine($"== {item.Name}: {item.Table.TargetColumn}, {item.Table.Length} rows — {item.Note}");
            var recipe = item.Options ?? options;
            var result = BacktestStudy.Run(item.Table, recipe, log);
            var metrics = BacktestStudy.Metrics(result);
            metrics["note"] = item.Note;
            metrics["calendar"] = recipe.Calendar.ToString();
            metrics["differenced"] = recipe.Differenced;
            string folder = Path.Combine(outputDirectory, item.Name);
            Directory.CreateDirectory(folder);
            ResultFiles.WriteJson(Path.Combine(folder, "metrics.json"), metrics.DeepClone());
            var folds = result.FoldMetrics();
            ResultFiles.Write(Path.Combine(folder, "folds.csv"), stream => Microsoft.Data.Analysis.DataFrame.SaveCsv(folds, stream, cultureInfo: CultureInfo.InvariantCulture));
            result.PlotFoldErrors(Path.Combine(folder, "fold_errors.png"));
            var table = BacktestStudy.Table(result);
            log.WriteLine(table);
            log.WriteLine(Verdict(item.Name, metrics));
            string how = $"Calendar columns: {recipe.Calendar}; the networks learn {(recipe.Differenced ? "the first differences of the target" : "the change from the last level")}.";
            markdown.AppendLine($"## {item.Name}").AppendLine().AppendLine($"{item.Note}. {how}").AppendLine().AppendLine(table.ToString()).AppendLine(Verdict(item.Name, metrics)).AppendLine();
            datasets[item.Name] = metrics;
        }
        var combined = new JsonObject();
        if (series.Count == 1)
            foreach (var (key, value) in (JsonObject)datasets[series[0].Name]!) combined[key] = value?.DeepClone();
        combined["datasets"] = datasets;
        ResultFiles.WriteJson(Path.Combine(outputDirectory, "metrics.json"), combined);
        ResultFiles.WriteAllText(Path.Combine(outputDirectory, "results.md"), markdown.ToString());
        return combined;
    }

    /// <summary>One sentence: does the LSTM beat the best baseline, by how much, and how sure is the paired test.</summary>
    public static string Verdict(string name, JsonObject metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        double? lstm = (double?)metrics["lstm_rmse"], best = (double?)metrics["best_baseline_rmse"], p = (double?)metrics["dm_pvalue"];
        if (lstm is null || best is null) return $"{name}: no LSTM or no baseline ran.";
        // + 0.0 turns a negative zero into 0, so a tie never reads "-0.00 %".
        double change = Math.Round(100 * (lstm.Value - best.Value) / best.Value, 2) + 0.0;
        string direction = change < 0 ? "beats" : "does not beat";
        string test = p is null ? "" : string.Create(CultureInfo.InvariantCulture, $" (Diebold–Mariano p = {(p < 0.001 ? "< 0.001" : p.Value.ToString("0.###", CultureInfo.InvariantCulture))}{(p < 0.05 ? ", significant at 5 %" : ", not significant at 5 %")})");
        return string.Create(CultureInfo.InvariantCulture,
            $"{name}: the LSTM {direction} the best baseline ({metrics["best_baseline"]}): RMSE {lstm:F3} against {best:F3}, {(change > 0 ? "+" : "")}{change:0.00} %{test}.");
    }
}
