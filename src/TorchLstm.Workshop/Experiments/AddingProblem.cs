using System.Diagnostics;
using System.Globalization;
using TorchLstm.Data;
using TorchLstm.Models;
using TorchLstm.Training;
using static TorchSharp.torch;

namespace TorchLstm.Experiments;

/// <summary>
/// The adding problem (Hochreiter and Schmidhuber 1997; set up as in Le, Jaitly and Hinton 2015): can a
/// recurrent cell carry a value across <see cref="AddingProblemOptions.Length"/> steps? Trains one model
/// per cell under the same budget and scores each, and the constant prediction 1, on a held-out test set.
/// </summary>
/// <remarks>
/// The expected outcome at T = 100: the gated cells (LSTM, GRU) learn the task (test MSE far below the
/// ≈ 0.167 baseline) while the tanh RNN, whose gradients vanish over that distance, stays near the baseline.
/// Training, validation and test sequences come from three generators whose seeds are derived from
/// <see cref="TrainingOptions.Seed"/>, so they never share a random stream.
/// </remarks>
public static class AddingProblem
{
    /// <summary>Runs the experiment.</summary>
    /// <param name="options">What to run.</param>
    /// <param name="log">Where progress goes; the console when null.</param>
    /// <returns>Per-model test MSE, epochs and times, and the baseline.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its accepted range.</exception>
    public static AddingProblemResult Run(AddingProblemOptions options, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        log ??= Console.Out;

        using var train = AddingProblemData.Generate(options.TrainSamples, options.Length, StreamSeed(options.Training.Seed, 0));
        using var validation = AddingProblemData.Generate(options.ValidationSamples, options.Length, StreamSeed(options.Training.Seed, 1));
        using var test = AddingProblemData.Generate(options.TestSamples, options.Length, StreamSeed(options.Training.Seed, 2));
        double baseline = AddingProblemData.ConstantPredictionMse(test);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"adding problem T={options.Length}: {options.TrainSamples} train / {options.ValidationSamples} validation / {options.TestSamples} test sequences, seed {options.Training.Seed}; baseline (always 1) test MSE {baseline:F4}"));

        var results = new List<AddingModelResult>();
        foreach (var cell in options.Cells)
            results.Add(TrainOne(cell, options, train, validation, test, log));
        return new AddingProblemResult(options, results, baseline);
    }

    /// <summary>
    /// The seed of one data stream (0 train, 1 validation, 2 test): a SplitMix64 mix of the experiment's seed
    /// and the stream number, so neighbouring experiment seeds do not share streams either.
    /// </summary>
    public static long StreamSeed(long seed, int stream)
    {
        ulong z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL * (ulong)(stream + 1));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return unchecked((long)((z ^ (z >> 31)) & long.MaxValue));
    }

    private static AddingModelResult TrainOne(
        RecurrentCell cell, AddingProblemOptions options, SequenceDataset train, SequenceDataset validation, SequenceDataset test, TextWriter log)
    {
        // Every model starts from the same seed, so differences come from the cell, not the draw.
        Seeding.SeedEverything(options.Training.Seed);
        using var model = RecurrentModelFactory.Create(cell, bidirectional: false, inputSize: 2, [options.HiddenSize], outputSize: 1, weightInit: options.WeightInit);
        long parameters = RecurrentModelFactory.CountParameters(model);
        log.WriteLine($"{Name(cell)}: {parameters} parameters");

        var training = options.Training with { CheckpointDirectory = CheckpointFolders.For(options.Training.CheckpointDirectory, Name(cell)) };
        var stop = new BudgetStop(options.SolvedValidationMse, options.TimeBudgetPerModel);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var history = new ExperimentRunner(log).Fit(model, train, validation, training, [stop]);
        wall.Stop();
        process.Refresh();
        double cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;

        double testMse;
        using (var scope = NewDisposeScope())
        {
            var predictions = new ExperimentRunner(TextWriter.Null).Predict(model, test.Inputs, batchSize: 1024);
            testMse = Metrics.Mse(predictions, test.Targets).item<float>();
        }
        var result = new AddingModelResult(cell, parameters, testMse, history.Count, stop.Solved, stop.OutOfTime,
            wall.Elapsed.TotalSeconds, cpuSeconds, history);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Name(cell)}: test MSE {testMse:F5} after {history.Count} epochs, {result.WallSeconds:F1} s wall, {cpuSeconds:F1} s CPU{(history.StopMessage is { } m ? " (" + m + ")" : "")}"));
        return result;
    }

    /// <summary>The key of a cell in reports and <c>metrics.json</c>: <c>lstm</c>, <c>gru</c>, <c>rnn</c>.</summary>
    public static string Name(RecurrentCell cell) => cell.ToString().ToLowerInvariant();
}
