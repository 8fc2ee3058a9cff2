#:project ../src/TorchLstm/TorchLstm.csproj
// The "LSTM vs RNN" comparison table of the tutorials, measured instead of invented: SimpleRNN, LSTM,
// GRU (2 × 50 units each) and a bidirectional LSTM on the noisy sine (windows of 50 → next value,
// 80/20 split, 20 % of training validates, Adam, MSE, batch 32, up to 20 epochs, early stopping) and on
// the Seattle weather forecast (the main job with each cell, early stopping against persistence).
//   dotnet run experiments/compare_rnn_lstm_gru.cs -- [--seed 42] [--epochs N] [--quick] [--out DIR]
//       [--checkpoint-dir DIR [--resume]]   (one checkpoint subfolder per task and model)
// --epochs caps both tasks (default: 20 on the sine, 100 on the weather); --quick runs 2 epochs of each.
using System.Text.Json;
using TorchLstm.Cli;
using TorchLstm.Experiments;
using TorchLstm.Training;
using TorchSharp;
using TorchLstm.IO;

return ExperimentHost.Run(args, cli =>
{
    var defaults = new ModelComparisonOptions();
    long seed = cli.Long("seed", defaults.Seed);
    bool quick = cli.Flag("quick");
    int? epochs = cli.Optional("epochs") is null ? null : cli.Int("epochs", 0, min: 1);
    string output = cli.String("out", Path.Combine("experiments", "results", "compare"));
    var (checkpoints, resume) = cli.Checkpoints();
    cli.RejectUnknown();

    int sineEpochs = epochs ?? (quick ? 2 : defaults.SineEpochs);
    int weatherEpochs = epochs ?? (quick ? 2 : defaults.WeatherEpochs);
    var options = defaults with { Seed = seed, SineEpochs = sineEpochs, WeatherEpochs = weatherEpochs, CheckpointDirectory = checkpoints, Resume = resume };

    var report = ModelComparison.Run(options);
    Directory.CreateDirectory(output);
    string markdown = report.ToMarkdown();
    AtomicFile.WriteAllText(Path.Combine(output, "results.md"), markdown);
    AtomicFile.WriteAllText(Path.Combine(output, "metrics.json"),
        report.MetricsJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    Console.WriteLine();
    Console.WriteLine(markdown);
    Console.WriteLine($"wrote results.md and metrics.json to {output}");
    return 0;
});
