using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Benchmarks;

/// <summary>
/// The tutorials' first example as a benchmark workload: <c>sin(linspace(0, 50, 1000)) + 0.1·N(0, 1)</c>,
/// windows of 50 steps predicting the next value, the first 80 % of windows for fitting and Keras's
/// <c>validation_split=0.2</c> of those held out, leaving 608 training windows; <c>LSTM(60) → LSTM(50) → Dense(1)</c>, batch 32, Adam.
/// </summary>
public static class SeedWorkload
{
    /// <summary>Input steps per window.</summary>
    public const int Lookback = 50;

    /// <summary>Samples per mini-batch.</summary>
    public const int BatchSize = 32;

    /// <summary>Adam's learning rate.</summary>
    public const double LearningRate = 1e-3;

    /// <summary>Hidden sizes of the two LSTM layers.</summary>
    public static IReadOnlyList<int> HiddenSizes { get; } = [60, 50];

    /// <summary>The 608 training windows: inputs (608, 50, 1), targets (608, 1).</summary>
    /// <param name="seed">Seed of the noise.</param>
    public static SequenceDataset TrainingWindows(long seed = 42)
    {
        using var example = SineExample.Create(points: 1000, lookback: Lookback, seed: seed);
        return new SequenceDataset(example.Train.Inputs.clone(), example.Train.Targets.clone());
    }

    /// <summary>
    /// <paramref name="samples"/> windows of <paramref name="steps"/> steps from a longer noisy sine with
    /// the seed's spacing (0.05 per step), for scaling runs.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> or <paramref name="steps"/> is below 1.</exception>
    public static SequenceDataset SyntheticWindows(int samples, int steps, long seed = 42)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "samples must be 1 or more");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be 1 or more");
        using var scope = NewDisposeScope();
        int points = samples + steps;
        var series = BundledDatasets.NoisySine(points, end: 0.05 * points, noise: 0.1, seed: seed);
        var windows = SlidingWindows.Create(series.unsqueeze(1), steps, horizon: 1, targetColumn: 0);
        return new SequenceDataset(windows.Inputs.MoveToOuterDisposeScope(), windows.Targets.MoveToOuterDisposeScope());
    }

    /// <summary>The seed network with the given implementation, weights drawn after seeding torch with <paramref name="seed"/>.</summary>
    public static BenchmarkLstm CreateModel(LstmImplementation implementation = LstmImplementation.Builtin, long seed = 42)
    {
        torch.random.manual_seed(seed);
        return new BenchmarkLstm(1, HiddenSizes, 1, implementation);
    }
}
