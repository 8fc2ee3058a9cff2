#:project ../src/TorchLstm.Workshop/TorchLstm.Workshop.csproj
#:property PublishAot=false
// The main job: forecast a column of a CSV (by default the bundled Seattle weather's next-day
// temp_max) with a stacked LSTM trained under early stopping and LR-on-plateau, and report it
// against every baseline (persistence, seasonal naive, drift, climatology, ridge autoregression on the
// same windows) with the Diebold–Mariano test against the best of them.
//   dotnet run experiments/forecast.cs -- [--csv FILE] [--target COL] [--features A,B] [--lookback 30]
//       [--horizon 1] [--epochs 100] [--batch-size 32] [--lr 0.001] [--hidden 64,32] [--dropout 0]
//       [--patience 10] [--predict-level] [--seed 42] [--out DIR] [--checkpoint-dir DIR [--resume]]
//       [--export FILE] [--quantiles 0.025,0.1,0.5,0.9,0.975]
// --export writes a TorchScript file that takes raw windows (batch, window, features) and returns the
// target on its original scale: the fitted scaler travels inside it (see the README for the Python side).
// By default the network learns the change from the last observed value (ResidualForecaster);
// --predict-level trains it on the value itself. --quantiles adds quantile outputs (pinball loss) and reports the
// test coverage of the 80 % and 95 % intervals when their levels are given.
// With --checkpoint-dir the full training state is saved after every epoch; after a crash, the same
// command plus --resume continues from the last complete checkpoint and ends with bit-identical weights
// (compare weights_sha256 in metrics.json).
using System.Globalization;
using System.Text.Json.Nodes;
using TorchLstm.Cli;
using TorchLstm.Data;
using TorchLstm.Experiments;
using TorchLstm.Export;
using TorchLstm.Forecasting;
using TorchLstm.Reporting;
using TorchLstm.Training;

return ExperimentHost.Run(args, cli =>
{
    var defaults = new ForecastExperimentOptions();
    var (checkpoints, resume) = cli.Checkpoints();
    string output = cli.String("out", Path.Combine("experiments", "results", "forecast"));
    string? export = cli.Optional("export");
    var options = defaults with
    {
        CsvPath = cli.Optional("csv"),
        Target = cli.String("target", defaults.Target),
        Features = cli.List("features"),
        DateColumn = cli.Optional("date-column"),
        Data = defaults.Data with
        {
            Lookback = cli.Int("lookback", defaults.Data.Lookback, min: 1),
            Horizon = cli.Int("horizon", defaults.Data.Horizon, min: 1),
        },
        HiddenSizes = cli.IntList("hidden", [.. defaults.HiddenSizes]),
        Dropout = cli.Double("dropout", defaults.Dropout),
        PredictChange = !cli.Flag("predict-level"),
        EarlyStoppingPatience = cli.Int("patience", defaults.EarlyStoppingPatience ?? 10, min: 0),
        Training = defaults.Training with
        {
            Epochs = cli.Int("epochs", defaults.Training.Epochs, min: 1),
            BatchSize = cli.Int("batch-size", defaults.Training.BatchSize, min: 1),
            LearningRate = cli.Double("lr", defaults.Training.LearningRate, exclusiveMin: 0),
            Seed = cli.Long("seed", defaults.Training.Seed),
            CheckpointDirectory = checkpoints,
            Resume = resume,
        },
        OutputDirectory = output,
        Quantiles = cli.List("quantiles")?.Select(ParseLevel).ToArray(),
    };
    cli.RejectUnknown();

    using var result = ForecastExperiment.Run(options);
    result.WriteArtifacts(output);

    // The network against every baseline on the same test windows, each tested against the best baseline.
    using var series = ForecastExperiment.LoadTable(options);
    var (comparison, best) = BaselineReport.Compare(result, series);
    var table = new MarkdownTable(["model", "test RMSE", "MAE", "sMAPE %", "MASE", $"DM vs {best}", "p"], precision: 3);
    var metrics = result.MetricsJson();
    var baselines = new JsonObject();
    for (int r = 0; r < comparison.Rows.Count; r++)
    {
        string name = (string)comparison.Columns["model"][r];
        double Value(string column) => (double)comparison.Columns[column][r]!;
        table.AddRow(name + (r == 0 && options.PredictChange ? " (predicts the change)" : "") + (name == best ? " (best baseline)" : ""),
            Value("rmse"), Value("mae"), Value("smape"), Value("mase"),
            double.IsNaN(Value("dm_statistic")) ? "" : Value("dm_statistic"), double.IsNaN(Value("dm_pvalue")) ? "" : Value("dm_pvalue"));
        if (r > 0) baselines[name] = Math.Round(Value("rmse"), 6);
        if (r == 0) metrics["dm_pvalue_vs_best_baseline"] = Math.Round(Value("dm_pvalue"), 6);
    }
    metrics["best_baseline"] = best;
    metrics["best_baseline_rmse"] = baselines[best]!.DeepClone();
    metrics["baselines_rmse"] = baselines;
    ResultFiles.WriteJson(Path.Combine(output, "metrics.json"), metrics);
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{result.Data.TargetColumn}, {result.Truth.GetLength(0)} test windows, {result.History.Count} epochs (best {result.History.BestEpoch}), {result.TrainSeconds:F1} s"));
    Console.WriteLine(table);
    if (result.Quantiles is { } levels)
    {
        foreach (double nominal in PredictionIntervals.ReportedIntervals.Where(n => PredictionIntervals.HasInterval(levels, n)))
            Console.WriteLine(PredictionIntervals.Coverage(result.PredictedQuantiles!, levels, result.Truth, nominal));
    }
    Console.WriteLine("One split and one seed; experiments/backtest.cs repeats the comparison over rolling folds and seeds.");
    if (result.History.ResumedFrom is { } resumed) Console.WriteLine($"resumed from {resumed}");
    Console.WriteLine($"weights sha256 {result.MetricsJson()["weights_sha256"]}");
    Console.WriteLine($"wrote metrics.json, history.csv, loss.png, predictions.png, model.pt, scaler.json to {output}");
    if (export is not null)
    {
        // The wrapper shares the trained modules with the result, which disposes them.
        var deployable = ScaledForecaster.FromScaler(result.Forecaster, result.Data.Scaler, result.Data.TargetIndex);
        TorchScript.Save(deployable, export);
        Console.WriteLine($"exported TorchScript (raw windows in, {result.Data.TargetColumn} out) to {export}");
    }
    return 0;
});

static double ParseLevel(string text) =>
    double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double level)
        ? level
        : throw new ArgumentException($"--quantiles: '{text}' is not a number; give levels such as 0.1,0.5,0.9");
