using System.Diagnostics;
using System.Globalization;
using TorchLstm.Data;
using TorchLstm.Reporting;
using TorchLstm.Training;
using static TorchSharp.torch;

namespace TorchLstm.Experiments;

/// <summary>
/// The tutorials' "LSTM vs RNN" comparison, measured: each <see cref="ComparedModel"/> is trained with the
/// same widths and budget on the noisy sine and on the weather forecast, and reported with its parameter
/// count, time per epoch, test error and the epochs it needed before early stopping.
/// </summary>
public static class ModelComparison
{
    /// <summary>Task name of the noisy-sine rows.</summary>
    public const string SineTask = "sine";

    /// <summary>Task name of the weather-forecast rows.</summary>
    public const string WeatherTask = "weather";

    /// <summary>Runs every selected task for every model, sine first.</summary>
    /// <param name="options">What to run.</param>
    /// <param name="log">Where summaries and progress go; the console when null.</param>
    /// <exception cref="ArgumentException">An option is out of range (see <see cref="ModelComparisonOptions.Validate"/>).</exception>
    public static ComparisonReport Run(ModelComparisonOptions options, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        log ??= Console.Out;
        var rows = new List<ComparisonRow>();
        if (options.RunSine) rows.AddRange(RunSine(options, log));
        if (options.RunWeather) rows.AddRange(RunWeather(options, log));
        return new ComparisonReport(options, rows);
    }

    /// <summary>
    /// The sine task: <c>sin(linspace(0, 50, n)) + 0.1·N(0, 1)</c>, windows of <see cref="ModelComparisonOptions.SineLookback"/>
    /// steps predicting the next value; the first 80 % of windows train (their last 20 % validate), the
    /// last 20 % test. The noise variance, 0.01, is the lowest test MSE a model can expect.
    /// </summary>
    public static IReadOnlyList<ComparisonRow> RunSine(ModelComparisonOptions options, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        log ??= Console.Out;

        using var example = SineExample.Create(points: options.SinePoints, lookback: options.SineLookback, seed: options.Training.Seed);
        var (trainSet, validationSet, testSet) = (example.Train, example.Validation, example.Test);
        double persistenceRmse = Math.Sqrt(PersistenceMse(testSet));
        log.WriteLine($"sine: {trainSet.Count} training, {validationSet.Count} validation and {testSet.Count} test windows of {options.SineLookback} steps");

        var training = options.Training;
        var rows = new List<ComparisonRow>();
        foreach (var contestant in options.Models)
        {
            Seeding.SeedEverything(options.Training.Seed);
            using var model = RecurrentModelFactory.Create(contestant.Cell, contestant.Bidirectional, inputSize: 1, [.. options.HiddenSizes], outputSize: 1);
            var summary = ModelSummary.Create(model, [1, options.SineLookback, 1]);
            log.WriteLine($"sine / {contestant.Name}: {summary.TotalParameters} parameters");

            using var stopping = new EarlyStopping(LogNames.ValidationLoss, patience: options.SinePatience, restoreBestWeights: true);
            var cpu = CpuClock.Start();
            var modelTraining = training with { CheckpointDirectory = CheckpointFolders.For(training.CheckpointDirectory, SineTask, contestant.Name) };
            var history = new ExperimentRunner(log).Fit(model, trainSet, validationSet, modelTraining, [stopping]);
            double cpuSeconds = cpu.Seconds;
            double testMse;
            using (var scope = NewDisposeScope())
            {
                var predictions = new ExperimentRunner(TextWriter.Null).Predict(model, testSet.Inputs);
                testMse = Metrics.Mse(predictions, testSet.Targets).item<float>();
            }
            rows.Add(ComparisonRow.From(SineTask, contestant, summary.TotalParameters, history, cpuSeconds, testMse, persistenceRmse));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sine / {contestant.Name}: test MSE {testMse:F5} after {history.Count} epochs"));
        }
        return rows;
    }

    /// <summary>
    /// The weather task: <see cref="ForecastExperiment.Run"/> on <see cref="ModelComparisonOptions.Weather"/>
    /// with each model's cell and direction, the shared hidden sizes and the comparison's seed;
    /// errors are on the original scale (°C for the default target) next to the persistence forecast.
    /// </summary>
    public static IReadOnlyList<ComparisonRow> RunWeather(ModelComparisonOptions options, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        log ??= Console.Out;

        var rows = new List<ComparisonRow>();
        foreach (var contestant in options.Models)
        {
            var forecast = options.Weather with
            {
                Cell = contestant.Cell,
                Bidirectional = contestant.Bidirectional,
                HiddenSizes = [.. options.HiddenSizes],
                OutputDirectory = null,
                Training = options.Weather.Training with
                {
                    Seed = options.Training.Seed,
                    Progress = options.Training.Progress,
                    CheckpointDirectory = CheckpointFolders.For(options.Training.CheckpointDirectory, WeatherTask, contestant.Name),
                    Resume = options.Training.Resume,
                },
            };
            log.WriteLine($"weather / {contestant.Name}:");
            var cpu = CpuClock.Start();
            using var result = ForecastExperiment.Run(forecast, log);
            double cpuSeconds = cpu.Seconds;
            rows.Add(ComparisonRow.From(WeatherTask, contestant, result.Summary.TotalParameters, result.History, cpuSeconds,
                result.Rmse * result.Rmse, result.BaselineRmse));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"weather / {contestant.Name}: test RMSE {result.Rmse:F3} vs persistence {result.BaselineRmse:F3} after {result.History.Count} epochs"));
        }
        return rows;
    }

    /// <summary>MSE of predicting each window's last input value (the first feature) for its target.</summary>
    internal static double PersistenceMse(SequenceDataset windows)
    {
        using var scope = NewDisposeScope();
        var last = windows.Inputs.select(1, -1).narrow(1, 0, 1);
        return Metrics.Mse(last, windows.Targets).to(ScalarType.Float64).item<double>();
    }

    /// <summary>
    /// CPU time the process spends from <see cref="Start"/> on: on a shared machine wall-clock time mostly
    /// measures the neighbours, while CPU time measures the model.
    /// </summary>
    private readonly struct CpuClock
    {
        private readonly TimeSpan start;

        private CpuClock(TimeSpan start) => this.start = start;

        public static CpuClock Start() => new(Process.GetCurrentProcess().TotalProcessorTime);

        public double Seconds => (Process.GetCurrentProcess().TotalProcessorTime - start).TotalSeconds;
    }
}
