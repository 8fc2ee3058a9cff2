using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>
/// The tutorials' first example as ready-made data: the noisy sine of <see cref="BundledDatasets.NoisySine"/>,
/// cut into windows of <see cref="Lookback"/> steps that predict the next value, split in time order the way
/// the tutorial does with Keras — the last 20 % of windows for testing, then <c>validation_split=0.2</c> of the
/// rest for validation. With the defaults: 950 windows → 608 training, 152 validation, 190 test.
/// </summary>
/// <remarks>
/// The three datasets are views of one windows tensor that this object owns; dispose it once when done
/// (the datasets must not be disposed on their own). The noise has variance <c>noise²</c> (0.01 by default),
/// the lowest test MSE any model can expect.
/// </remarks>
public sealed class SineExample : IDisposable
{
    private readonly SequenceDataset windows;

    private SineExample(SequenceDataset windows, ChronologicalSplit split, int lookback, double noise)
    {
        this.windows = windows;
        Split = split;
        Lookback = lookback;
        Noise = noise;
        Train = Slice(windows, 0, split.TrainCount);
        Validation = Slice(windows, split.ValidationStart, split.ValidationCount);
        Test = Slice(windows, split.TestStart, split.TestCount);
    }

    /// <summary>The first windows, for fitting.</summary>
    public SequenceDataset Train { get; }

    /// <summary>The windows after the training ones, for early stopping and model selection.</summary>
    public SequenceDataset Validation { get; }

    /// <summary>The last windows, scored once at the end.</summary>
    public SequenceDataset Test { get; }

    /// <summary>How many windows each part has.</summary>
    public ChronologicalSplit Split { get; }

    /// <summary>Input steps per window.</summary>
    public int Lookback { get; }

    /// <summary>Standard deviation of the noise; its square is the noise floor of the test MSE.</summary>
    public double Noise { get; }

    /// <summary>Makes the example's series, windows and split.</summary>
    /// <param name="points">Samples of the series, <c>sin(linspace(0, end, points))</c> plus noise.</param>
    /// <param name="lookback">Input steps per window.</param>
    /// <param name="end">Last x value of the series.</param>
    /// <param name="noise">Standard deviation of the Gaussian noise.</param>
    /// <param name="seed">Seed of the noise.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is outside its range, or the series is too short for
    /// every part of the split to hold at least one window; the message gives the numbers.</exception>
    public static SineExample Create(int points = 1000, int lookback = 50, double end = 50, double noise = 0.1, long seed = 42)
    {
        if (lookback < 1)
            throw new ArgumentOutOfRangeException(nameof(lookback), lookback, "the lookback must be 1 or more steps");
        long windowCount = SlidingWindows.Count(points, lookback, horizon: 1);
        if (windowCount < 1)
            throw new ArgumentOutOfRangeException(nameof(points), points, $"{points} points give no window of {lookback} steps plus a target; use more points or a shorter lookback");
        var split = ChronologicalSplit.Create(windowCount, validationFraction: 0.2, testFraction: 0.2);
        return new SineExample(Windows(points, lookback, end, noise, seed), split, lookback, noise);
    }

    private static SequenceDataset Windows(int points, int lookback, double end, double noise, long seed)
    {
        using var scope = NewDisposeScope();
        using var series = BundledDatasets.NoisySine(points, end, noise, seed);
        var windows = SlidingWindows.Create(series.unsqueeze(1), lookback, horizon: 1, targetColumn: 0);
        return new SequenceDataset(windows.Inputs.MoveToOuterDisposeScope(), windows.Targets.MoveToOuterDisposeScope());
    }

    /// <summary>Disposes the windows and the three views of them.</summary>
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
        windows.Dispose();
    }

    private static SequenceDataset Slice(SequenceDataset data, long start, long count) =>
        new(data.Inputs.narrow(0, start, count), data.Targets.narrow(0, start, count));
}
