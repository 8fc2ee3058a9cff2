#:project ../src/TorchLstm.Workshop/TorchLstm.Workshop.csproj
#:property PublishAot=false
// The tutorials' first example, exactly: y = sin(linspace(0, 50, 1000)) + 0.1·N(0, 1); windows of 50
// steps predict the next value; the first 80 % of windows train (the last 20 % of those validate,
// like Keras's validation_split=0.2), the last 20 % test; LSTM(60) → LSTM(50) → Dense(1), Adam, MSE,
// 20 epochs, batch 32. The noise variance (0.01) is the floor a perfect model reaches.
//   dotnet run experiments/sine.cs -- [--epochs 20] [--seed 42] [--out DIR] [--checkpoint-dir DIR [--resume]]
// With --checkpoint-dir the training state is saved every epoch; --resume continues a killed run to
// the same final weights (weights_sha256 in metrics.json).
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchLstm.Cli;
using TorchLstm.Data;
using TorchLstm.Models;
using TorchLstm.Reporting;
using TorchLstm.Training;
using TorchSharp;

return ExperimentHost.Run(args, cli =>
{
    int epochs = cli.Int("epochs", 20, min: 1);
    long seed = cli.Long("seed", 42);
    string output = cli.String("out", Path.Combine("experiments", "results", "sine"));
    var (checkpoints, resume) = cli.Checkpoints();
    cli.RejectUnknown();

    using var example = SineExample.Create(points: 1000, lookback: 50, seed: seed);
    var (trainSet, validationSet, testSet) = (example.Train, example.Validation, example.Test);

    Seeding.SeedEverything(seed);
    using var model = new StackedLstm(inputSize: 1, hiddenSizes: [60, 50], outputSize: 1);
    Console.WriteLine(ModelSummary.Create(model, [1, 50, 1]));
    Console.WriteLine($"{trainSet.Count} training, {validationSet.Count} validation and {testSet.Count} test windows");

    var options = new TrainingOptions
    {
        Epochs = epochs, BatchSize = 32, LearningRate = 1e-3, Seed = seed, CheckpointDirectory = checkpoints, Resume = resume,
    };
    var runner = new ExperimentRunner();
    var history = runner.Fit(model, trainSet, validationSet, options, [new CsvLogger(Path.Combine(output, "history.csv"))]);

    using var predictions = runner.Predict(model, testSet.Inputs);
    double testMse = Metrics.Mse(predictions, testSet.Targets).item<float>();
    double[] truth = testSet.Targets.squeeze(1).to(torch.float64).data<double>().ToArray();
    double[] predicted = predictions.squeeze(1).to(torch.float64).data<double>().ToArray();

    Directory.CreateDirectory(output);
    var metrics = new JsonObject
    {
        ["test_mse"] = testMse,
        ["noise_variance"] = 0.01,
        ["test_mse_over_noise"] = testMse / 0.01,
        ["final_loss"] = history.Last!.Loss,
        ["final_val_loss"] = history.Last!.ValidationLoss,
        ["epochs"] = history.Count,
        ["train_seconds"] = Math.Round(history.Epochs.Sum(e => e.Seconds), 3),
        ["resumed_from"] = history.ResumedFrom,
        ["weights_sha256"] = ResultFiles.WeightsSha256(model),
    };
    ResultFiles.WriteAllText(Path.Combine(output, "metrics.json"), metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    Plots.LossCurves(Path.Combine(output, "loss.png"), history.Series("loss"), history.Series("val_loss"),
        options: new PlotOptions { Title = "Training and validation loss (MSE)" });
    Plots.Predictions(Path.Combine(output, "predictions.png"), truth, predicted, firstIndex: (int)(example.Split.TestStart + example.Lookback),
        options: new PlotOptions { Title = "True values vs predictions on the test windows", XLabel = "time step", YLabel = "value" });

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test MSE {testMse:F5} (noise floor 0.01000); wrote metrics.json, history.csv, loss.png, predictions.png to {output}"));
    return 0;
});
