#:project ../src/TorchLstm.Workshop/TorchLstm.Workshop.csproj
// Random (or grid) search over stacked-LSTM hyper-parameters on the tutorials' noisy sine: hidden size,
// layers, dropout, learning rate and window length. Every trial trains from the same seed through the
// experiment runner with early stopping and is ranked by its best validation loss; the best
// configuration is then re-trained and scored on the untouched test windows against persistence.
//   dotnet run experiments/hparam_search.cs -- [--trials 8] [--epochs 15] [--seed 42] [--strategy random|grid] [--out DIR]
//       [--checkpoint-dir DIR [--resume]]   (one checkpoint subfolder per trial)
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;
using TorchLstm.Cli;
using TorchLstm.Data;
using TorchLstm.Reporting;
using TorchLstm.Training;
using TorchLstm.Training.Search;

return ExperimentHost.Run(args, cli =>
{
    int trials = cli.Int("trials", 8, min: 1);
    int epochs = cli.Int("epochs", 15, min: 1);
    long seed = cli.Long("seed", 42);
    string strategyName = cli.String("strategy", "random");
    string output = cli.String("out", Path.Combine("experiments", "results", "hparam_search"));
    var (checkpoints, resume) = cli.Checkpoints();
    cli.RejectUnknown();
    var strategy = strategyName switch
    {
        "random" => SearchStrategy.Random,
        "grid" => SearchStrategy.Grid,
        _ => throw new UsageException($"--strategy must be random or grid, got '{strategyName}'"),
    };

    using var series = BundledDatasets.NoisySine(points: 1000, end: 50, noise: 0.1, seed: seed);
    using var table = TimeSeriesTable.FromTensor(series);
    ForecastData Prepare(int lookback) => ForecastData.Prepare(table, new ForecastDataOptions { Lookback = lookback });

    var space = new SearchSpace
    {
        HiddenSizes = [16, 32, 64],
        Layers = [1, 2],
        Dropouts = [0.0, 0.2],
        LearningRates = [1e-3, 3e-3, 1e-2],
        Lookbacks = [20, 50],
    };
    // With --checkpoint-dir each trial checkpoints into its own subfolder; --resume replays finished trials and continues the interrupted one.
    var training = new TrainingOptions { Epochs = epochs, BatchSize = 32, Progress = ProgressMode.None, CheckpointDirectory = checkpoints, Resume = resume };
    var search = new HyperparameterSearch(space, new SearchOptions { Strategy = strategy, MaxTrials = trials, Seed = seed, Training = training, Patience = 5 });
    Console.WriteLine($"{strategyName} search: {Math.Min(trials, space.Size)} of {space.Size} configurations, {epochs} epochs each, seed {seed}");
    var result = search.Run(lookback => TrialData.From(Prepare(lookback)), Console.Out);

    Directory.CreateDirectory(output);
    ResultFiles.WriteAllText(Path.Combine(output, "results.md"), result.ToMarkdown());
    using (var csv = new MemoryStream())
    {
        DataFrame.SaveCsv(result.ToDataFrame(), csv, cultureInfo: CultureInfo.InvariantCulture);
        ResultFiles.WriteAllText(Path.Combine(output, "results.csv"), System.Text.Encoding.UTF8.GetString(csv.ToArray()));
    }

    // Re-train the winner (same seed, early stopping restoring its best weights) and test it once.
    var best = result.Best.Config;
    using var data = Prepare(best.Lookback);
    using var stopping = new EarlyStopping(patience: 5, restoreBestWeights: true);
    var retrained = search.Retrain(best, data.Train, data.Validation, training: null, [stopping]);
    using var model = retrained.Model;
    using var predictions = new ExperimentRunner().Predict(model, data.Test!.Inputs);
    using var predicted = data.InverseTarget(predictions);
    using var truth = data.OriginalTargets(data.Test);
    using var persistence = data.NaivePersistence(data.Test);
    double testMse = Metrics.Mse(predicted, truth).item<float>();
    double persistenceMse = Metrics.Mse(persistence, truth).item<float>();

    Plots.LossCurves(Path.Combine(output, "best_loss.png"), retrained.History.Series("loss"), retrained.History.Series("val_loss"),
        options: new PlotOptions { Title = $"Best configuration: {best}" });
    var summary = new JsonObject
    {
        ["strategy"] = strategyName,
        ["trials"] = result.Trials.Count,
        ["space_size"] = space.Size,
        ["seed"] = seed,
        ["best"] = new JsonObject
        {
            ["hidden_size"] = best.HiddenSize, ["layers"] = best.Layers, ["dropout"] = best.Dropout,
            ["learning_rate"] = best.LearningRate, ["lookback"] = best.Lookback,
            ["val_loss"] = result.Best.ValidationMetric,
        },
        ["test_mse"] = testMse,
        ["persistence_test_mse"] = persistenceMse,
    };
    ResultFiles.WriteAllText(Path.Combine(output, "best.json"), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    Console.WriteLine();
    Console.WriteLine(result.ToMarkdown());
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"best: {best}; test MSE {testMse:F5} vs persistence {persistenceMse:F5}; wrote results.md, results.csv, best.json, best_loss.png to {output}"));
    return 0;
});
