using Microsoft.Data.Analysis;
using TorchLstm.Reporting;
using TorchLstm.Training;

namespace TorchLstm.Forecasting;

/// <summary>
/// What a backtest forecast: every run (trainer × seed) over every evaluated window, the observed values and the
/// folds, with per-fold and summary metrics, the paired test of each model against the best baseline, interval
/// coverage and a plot of errors per fold.
/// </summary>
public sealed class BacktestResult
{
    /// <summary>Wraps the runs of a backtest (see <see cref="Backtest.Run"/>).</summary>
    /// <exception cref="ArgumentException">A run's forecasts do not have the shape of <paramref name="actual"/>.</exception>
    public BacktestResult(IReadOnlyList<BacktestRun> runs, double[,] actual, IReadOnlyList<BacktestFold> folds, int horizon, string target)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(folds);
        var misshapen = runs.FirstOrDefault(r => r.Forecasts.GetLength(0) != actual.GetLength(0) || r.Forecasts.GetLength(1) != actual.GetLength(1));
        if (misshapen is not null)
            throw new ArgumentException($"the forecasts of '{misshapen.Model}' are not shaped like the {actual.GetLength(0)} × {actual.GetLength(1)} observed values", nameof(runs));
        Runs = runs;
        Actual = actual;
        Folds = folds;
        Horizon = horizon;
        Target = target;
    }

    /// <summary>Every run: one per deterministic trainer, one per seed for the others.</summary>
    public IReadOnlyList<BacktestRun> Runs { get; }

    /// <summary>Observed values, [window, horizon step], windows of all folds in time order.</summary>
    public double[,] Actual { get; }

    /// <summary>The folds in time order.</summary>
    public IReadOnlyList<BacktestFold> Folds { get; }

    /// <summary>Steps per forecast.</summary>
    public int Horizon { get; }

    /// <summary>Name of the forecast column.</summary>
    public string Target { get; }

    /// <summary>The models, in the order their runs first appear.</summary>
    public IReadOnlyList<string> Models => Runs.Select(r => r.Model).Distinct().ToList();

    /// <summary>The baseline of lowest mean RMSE over folds; null when no run is a baseline.</summary>
    public string? BestBaseline =>
        Runs.Where(r => r.IsBaseline).Select(r => r.Model).Distinct()
            .Select(m => (Model: m, Rmse: MeanFoldRmse(m))).OrderBy(x => x.Rmse).Select(x => x.Model).FirstOrDefault();

    /// <summary>The runs of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">No run has that name.</exception>
    public IReadOnlyList<BacktestRun> RunsOf(string model)
    {
        var runs = Runs.Where(r => r.Model == model).ToList();
        return runs.Count > 0 ? runs
            : throw new ArgumentException($"the backtest has no model named '{model}'; it has {string.Join(", ", Models)}", nameof(model));
    }

    /// <summary>Accuracy of one run on one fold (all its windows and steps).</summary>
    public ForecastAccuracy FoldAccuracy(BacktestRun run, BacktestFold fold)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(fold);
        var (predicted, actual) = (new List<double>(), new List<double>());
        for (int w = fold.FirstWindow; w < fold.FirstWindow + fold.WindowCount; w++)
            for (int h = 0; h < Horizon; h++)
            {
                predicted.Add(run.Forecasts[w, h]);
                actual.Add(Actual[w, h]);
            }
        return ForecastMetrics.Evaluate(predicted, actual, double.IsFinite(fold.MaseScale) && fold.MaseScale > 0 ? fold.MaseScale : null);
    }

    /// <summary>
    /// Empirical coverage of a run's central <paramref name="nominal"/> interval (between its (1 − nominal)/2 and
    /// (1 + nominal)/2 quantiles) over every window and step; NaN when the run has no such quantiles.
    /// </summary>
    public static double Coverage(BacktestRun run, double[,] actual, double nominal)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(actual);
        if (run.Quantiles is null || run.QuantileLevels is null || !PredictionIntervals.HasInterval(run.QuantileLevels, nominal)) return double.NaN;
        return PredictionIntervals.Coverage(run.Quantiles, run.QuantileLevels, actual, nominal).Coverage;
    }

    /// <summary>
    /// One row per run and fold: <c>model</c>, <c>seed</c> (−1 for a deterministic trainer), <c>fold</c> (1-based),
    /// <c>origin</c> (the fold's first target date, or row), <c>train_rows</c>, <c>windows</c>, and <c>rmse</c>, <c>mae</c>,
    /// <c>mape</c>, <c>smape</c>, <c>mase</c>.
    /// </summary>
    public DataFrame FoldMetrics()
    {
        var model = new StringDataFrameColumn("model");
        var seed = new Int32DataFrameColumn("seed");
        var fold = new Int32DataFrameColumn("fold");
        var origin = new StringDataFrameColumn("origin");
        var trainRows = new Int32DataFrameColumn("train_rows");
        var windows = new Int32DataFrameColumn("windows");
        var metrics = new[] { "rmse", "mae", "mape", "smape", "mase" }.Select(n => new DoubleDataFrameColumn(n)).ToArray();
        foreach (var run in Runs)
            foreach (var f in Folds)
            {
                var accuracy = FoldAccuracy(run, f);
                model.Append(run.Model);
                seed.Append(run.Seed ?? -1);
                fold.Append(f.Index + 1);
                origin.Append(f.OriginTimestamp?.ToString("yyyy-MM-dd") ?? f.FirstOrigin.ToString(System.Globalization.CultureInfo.InvariantCulture));
                trainRows.Append(f.TrainRows);
                windows.Append(f.WindowCount);
                double[] values = [accuracy.Rmse, accuracy.Mae, accuracy.Mape, accuracy.Smape, accuracy.Mase];
                for (int i = 0; i < metrics.Length; i++) metrics[i].Append(values[i]);
            }
        return new DataFrame([model, seed, fold, origin, trainRows, windows, .. metrics]);
    }

    /// <summary>
    /// One row per model: <c>model</c>, <c>baseline</c>, <c>runs</c>, the mean and standard deviation over folds and seeds of
    /// the per-fold <c>rmse</c> (<c>rmse_mean</c>, <c>rmse_std</c>), the standard deviation over seeds of each seed's mean
    /// (<c>rmse_seed_std</c>, 0 for one run), the means of <c>mae</c>, <c>mape</c>, <c>smape</c>, <c>mase</c>, the coverage of
    /// the 80 % and 95 % intervals over all windows and seeds (NaN without quantiles), the Diebold–Mariano test against the
    /// best baseline on the last horizon step over all folds (<c>dm_statistic</c>, <c>dm_pvalue</c>: of the seed with the
    /// largest p-value, so a small p holds for every seed; positive means larger errors than the best baseline) and the
    /// seconds spent fitting (<c>fit_seconds</c>, over seeds and refits).
    /// </summary>
    public DataFrame Summary()
    {
        string? best = BestBaseline;
        var bestRun = best is null ? null : RunsOf(best)[0];
        var model = new StringDataFrameColumn("model");
        var baseline = new BooleanDataFrameColumn("baseline");
        var runs = new Int32DataFrameColumn("runs");
        string[] names = ["rmse_mean", "rmse_std", "rmse_seed_std", "mae_mean", "mape_mean", "smape_mean", "mase_mean", "coverage_80", "coverage_95", "dm_statistic", "dm_pvalue", "fit_seconds"];
        var columns = names.Select(n => new DoubleDataFrameColumn(n)).ToArray();
        foreach (string name in Models)
        {
            var modelRuns = RunsOf(name);
            var byRun = modelRuns.Select(r => Folds.Select(f => FoldAccuracy(r, f)).ToList()).ToList();
            var perFold = byRun.SelectMany(accuracies => accuracies).ToList();
            var seedMeans = byRun.Select(accuracies => accuracies.Average(a => a.Rmse)).ToList();
            DieboldMarianoResult? dm = null;
            if (bestRun is not null && name != best)
                dm = modelRuns.Select(r => DieboldMariano.Test(LastStep(r.Forecasts), LastStep(bestRun.Forecasts), LastStep(Actual), Horizon))
                    .OrderByDescending(d => d.PValue).First();
            model.Append(name);
            baseline.Append(modelRuns[0].IsBaseline);
            runs.Append(modelRuns.Count);
            double[] row =
            [
                perFold.Average(a => a.Rmse), StandardDeviation(perFold.Select(a => a.Rmse)), StandardDeviation(seedMeans),
                perFold.Average(a => a.Mae), perFold.Average(a => a.Mape), perFold.Average(a => a.Smape), perFold.Average(a => a.Mase),
                PooledCoverage(modelRuns, 0.8), PooledCoverage(modelRuns, 0.95),
                dm?.Statistic ?? double.NaN, dm?.PValue ?? double.NaN, modelRuns.Sum(r => r.FitSeconds),
            ];
            for (int i = 0; i < columns.Length; i++) columns[i].Append(row[i]);
        }
        return new DataFrame([model, baseline, runs, .. columns]);
    }

    /// <summary>
    /// This result with one more model: the mean over seeds of <paramref name="model"/>'s forecasts (and quantiles), an
    /// ensemble over seeds that costs no training beyond the runs already made.
    /// </summary>
    /// <param name="model">A model with several runs.</param>
    /// <param name="name">The ensemble's name; <c>{model}_ensemble</c> by default.</param>
    /// <exception cref="ArgumentException">The model is unknown, or the name is taken.</exception>
    public BacktestResult WithEnsemble(string model, string? name = null)
    {
        var members = RunsOf(model);
        name ??= $"{model}_ensemble";
        if (Runs.Any(r => r.Model == name)) throw new ArgumentException($"the backtest already has a model named '{name}'", nameof(name));
        int windows = Actual.GetLength(0);
        var mean = new double[windows, Horizon];
        foreach (var run in members)
            for (int w = 0; w < windows; w++)
                for (int h = 0; h < Horizon; h++)
                    mean[w, h] += run.Forecasts[w, h] / members.Count;
        double[,,]? quantiles = null;
        var levels = members[0].QuantileLevels;
        if (levels is not null && members.All(r => r.Quantiles is not null && r.QuantileLevels!.SequenceEqual(levels)))
        {
            quantiles = new double[windows, Horizon, levels.Count];
            foreach (var run in members)
                for (int w = 0; w < windows; w++)
                    for (int h = 0; h < Horizon; h++)
                        for (int q = 0; q < levels.Count; q++)
                            quantiles[w, h, q] += run.Quantiles![w, h, q] / members.Count;
        }
        var ensemble = new BacktestRun(name, null, false, mean, quantiles is null ? null : levels, quantiles, members.Sum(r => r.FitSeconds));
        return new BacktestResult([.. Runs, ensemble], Actual, Folds, Horizon, Target);
    }

    /// <summary>Plots each model's RMSE per fold (mean over its seeds) to a PNG file, with the folds' origins in the title's axis.</summary>
    /// <param name="path">PNG file to write.</param>
    /// <param name="models">Models to draw; all by default.</param>
    public void PlotFoldErrors(string path, IReadOnlyList<string>? models = null)
    {
        var folds = Folds.Select(f => (double)(f.Index + 1)).ToArray();
        var series = (models ?? Models).Select(m =>
        {
            var runs = RunsOf(m);
            return new NamedSeries(m, Folds.Select(f => runs.Average(r => FoldAccuracy(r, f).Rmse)).ToArray());
        }).ToList();
        string first = Folds[0].OriginTimestamp?.ToString("yyyy-MM-dd") ?? $"row {Folds[0].FirstOrigin}";
        Plots.Lines(path, folds, series, new PlotOptions
        {
            Title = $"Backtest of {Target}: RMSE per fold (fold 1 starts {first})",
            XLabel = "fold",
            YLabel = "RMSE",
        });
    }

    private double MeanFoldRmse(string model) => RunsOf(model).Average(r => Folds.Average(f => FoldAccuracy(r, f).Rmse));

    private double PooledCoverage(IReadOnlyList<BacktestRun> runs, double nominal)
    {
        var values = runs.Select(r => Coverage(r, Actual, nominal)).ToList();
        return values.Any(double.IsNaN) ? double.NaN : values.Average();
    }

    private static double[] LastStep(double[,] values) =>
        Enumerable.Range(0, values.GetLength(0)).Select(i => values[i, values.GetLength(1) - 1]).ToArray();

    private static double StandardDeviation(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count < 2) return 0;
        double mean = list.Average();
        return Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
    }
}
