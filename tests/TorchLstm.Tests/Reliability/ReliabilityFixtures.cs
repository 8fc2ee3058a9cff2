using TorchLstm.Data;
using TorchLstm.Models;
using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Reliability;

/// <summary>A temporary folder removed when the test ends.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "torchlstm-rel-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}

/// <summary>A tiny stacked LSTM with dropout on a noisy sine: randomness in weights, shuffling and dropout.</summary>
internal static class TinySine
{
    public static (SequenceDataset Train, SequenceDataset Validation) Data()
    {
        using var series = BundledDatasets.NoisySine(points: 200, end: 20, noise: 0.1, seed: 11);
        using var windows = SlidingWindows.Create(series.unsqueeze(1), lookback: 8, horizon: 1, targetColumn: 0);
        long n = windows.Count, cut = n * 4 / 5;
        var train = new SequenceDataset(windows.Inputs[..(int)cut].clone().DetachFromDisposeScope(), windows.Targets[..(int)cut].clone().DetachFromDisposeScope());
        var validation = new SequenceDataset(windows.Inputs[(int)cut..].clone().DetachFromDisposeScope(), windows.Targets[(int)cut..].clone().DetachFromDisposeScope());
        return (train, validation);
    }

    public static StackedLstm Model(long seed = 5)
    {
        Seeding.SeedEverything(seed);
        return new StackedLstm(inputSize: 1, hiddenSizes: [6, 4], outputSize: 1, dropout: 0.2);
    }

    public static TrainingOptions Options(int epochs, string? checkpoints = null, bool resume = false) => new()
    {
        Epochs = epochs,
        BatchSize = 16,
        LearningRate = 0.01,
        Seed = 9,
        Progress = ProgressMode.None,
        CheckpointDirectory = checkpoints,
        Resume = resume,
    };

    /// <summary>Epoch records without the wall-clock seconds, which legitimately differ between runs.</summary>
    public static string Fingerprint(History history) => string.Join("\n", history.Epochs.Select(e =>
        $"{e.Epoch} {e.Loss:R} {e.ValidationLoss:R} {e.LearningRate:R} " +
        string.Join(" ", e.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value:R}"))))
        + $"\nstop={history.StopReason} best={history.BestEpoch} lr_changes=" +
        string.Join(",", history.LearningRateChanges.Select(c => $"{c.Epoch}:{c.OldLearningRate:R}->{c.NewLearningRate:R}"));
}

/// <summary>Throws from <see cref="OnEpochEnd"/> of one epoch, as a crash in the middle of training would interrupt it.</summary>
internal sealed class CrashAtEpoch(int epoch) : Callback
{
    public override void OnEpochEnd(TrainingContext context)
    {
        if (context.Epoch == epoch) throw new SimulatedCrashException();
    }
}

internal sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException() : base("simulated crash") { }
}

/// <summary>
/// Torch's global generator is process-wide: a test that needs bit-identical runs must not share the
/// process with tests drawing random numbers at the same time, so these run alone.
/// </summary>
[CollectionDefinition(nameof(GlobalRandomStateCollection), DisableParallelization = true)]
public sealed class GlobalRandomStateCollection;
