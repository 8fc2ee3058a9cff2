using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Benchmarks;

/// <summary>Training speed of one configuration of a one-layer LSTM (input 1, hidden H) with a Linear(H → 1) head.</summary>
/// <param name="Steps">Time steps per window (T).</param>
/// <param name="HiddenSize">Hidden units (H).</param>
/// <param name="BatchSize">Windows per batch (B).</param>
/// <param name="Samples">Windows per epoch.</param>
/// <param name="MillisecondsPerEpoch">Median wall-clock ms of the timed epochs.</param>
/// <param name="SamplesPerSecond">Windows trained per second at the median.</param>
/// <param name="Gflops">Matrix-product GFLOP/s (forward and backward, see <see cref="LstmFlops"/>) at the median.</param>
public sealed record ScalingPoint(int Steps, int HiddenSize, int BatchSize, int Samples, double MillisecondsPerEpoch, double SamplesPerSecond, double Gflops);

/// <summary>Times training epochs of a one-layer LSTM regressor for the scaling curves (time steps, hidden size, batch size).</summary>
public static class ScalingRun
{
    /// <summary>
    /// Trains one untimed warm-up batch, then <paramref name="repeats"/> timed epochs of
    /// <paramref name="samples"/> windows with the bare loop and Adam; reports the median.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size, <paramref name="samples"/> or <paramref name="repeats"/> is below 1.</exception>
    public static ScalingPoint Measure(int steps, int hiddenSize, int batchSize, int samples, int repeats, long seed = 42)
    {
        if (hiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "hiddenSize must be 1 or more");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be 1 or more");
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "repeats must be 1 or more");
        using var data = SeedWorkload.SyntheticWindows(samples, steps, seed);
        torch.random.manual_seed(seed);
        using var model = new BenchmarkLstm(1, [hiddenSize], 1);
        using var optimizer = optim.Adam(model.parameters(), SeedWorkload.LearningRate);
        using var generator = new Generator((ulong)seed);
        var warmup = new SequenceDataset(data.Inputs.narrow(0, 0, Math.Min(batchSize, samples)), data.Targets.narrow(0, 0, Math.Min(batchSize, samples)));
        BareLoop.TrainEpoch(model, optimizer, warmup, batchSize, generator);
        warmup.Dispose();

        var times = new double[repeats];
        for (int r = 0; r < repeats; r++)
            times[r] = MachineProbe.TimeMs(() => BareLoop.TrainEpoch(model, optimizer, data, batchSize, generator));
        double ms = BenchmarkStatistics.Median(times);
        double flops = EpochTrainingFlops(steps, hiddenSize, batchSize, samples);
        return new ScalingPoint(steps, hiddenSize, batchSize, samples, ms, samples / (ms / 1000), flops / (ms / 1000) / 1e9);
    }

    /// <summary>Matrix-product operations of one training epoch: full batches plus the smaller last one.</summary>
    public static double EpochTrainingFlops(int steps, int hiddenSize, int batchSize, int samples)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "samples must be 1 or more");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be 1 or more");
        int[] hidden = [hiddenSize];
        long full = samples / batchSize, rest = samples % batchSize;
        double flops = full * LstmFlops.NetworkTrainingStep(batchSize, steps, 1, hidden, 1);
        if (rest > 0) flops += LstmFlops.NetworkTrainingStep(rest, steps, 1, hidden, 1);
        return flops;
    }
}
