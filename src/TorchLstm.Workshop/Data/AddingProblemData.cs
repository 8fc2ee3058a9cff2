using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>
/// Samples of the adding problem (Hochreiter and Schmidhuber 1997), in the form used by Le, Jaitly and
/// Hinton (2015): each sequence has <c>length</c> steps and two channels. Channel 0 holds values drawn
/// uniformly from [0, 1); channel 1 is a marker that is 1 at exactly two steps — one drawn uniformly from
/// the first half (steps 0 .. length/2 − 1), one from the second half (steps length/2 .. length − 1) —
/// and 0 elsewhere. The target is the sum of the two marked values.
/// </summary>
/// <remarks>
/// The task is a memory test: the first marked value can sit up to <c>length</c> steps before the end,
/// and a model that cannot carry it that far does no better than predicting the mean. The sum of two
/// independent U[0, 1) values has mean 1 and variance 1/6, so always answering 1 scores an MSE of about
/// 0.167 (<see cref="ConstantPredictionMse"/>): the baseline a model must beat.
/// </remarks>
public static class AddingProblemData
{
    /// <summary>Index of the value channel in the last input dimension.</summary>
    public const int ValueChannel = 0;

    /// <summary>Index of the marker channel in the last input dimension.</summary>
    public const int MarkerChannel = 1;

    /// <summary>Expected MSE of the constant prediction 1: the variance of the sum of two U[0, 1) values.</summary>
    public const double ExpectedBaselineMse = 1.0 / 6.0;

    /// <summary>
    /// Draws <paramref name="count"/> sequences of <paramref name="length"/> steps from a generator
    /// seeded with <paramref name="seed"/> (the same seed gives the same samples; torch's global generator
    /// is not touched).
    /// </summary>
    /// <param name="count">Number of sequences (≥ 1).</param>
    /// <param name="length">Steps per sequence (≥ 2, so that each half holds a step).</param>
    /// <param name="seed">Seed of the dedicated generator.</param>
    /// <returns>Float32 inputs shaped (count, length, 2) and targets shaped (count, 1), on the CPU.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> or <paramref name="length"/> is too small.</exception>
    public static SequenceDataset Generate(int count, int length, long seed)
    {
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, "the adding problem needs at least 1 sequence");
        if (length < 2)
            throw new ArgumentOutOfRangeException(nameof(length), length, "adding-problem sequences need at least 2 steps: one marker in each half");

        Native.NativeLoader.EnsureLoaded();
        using var scope = NewDisposeScope();
        using var generator = new Generator(unchecked((ulong)seed));
        int half = length / 2;
        var values = rand([count, length], ScalarType.Float32, generator: generator);
        var first = randint(0, half, [count, 1], ScalarType.Int64, generator: generator);
        var second = randint(half, length, [count, 1], ScalarType.Int64, generator: generator);

        var steps = arange(length, ScalarType.Int64).unsqueeze(0);
        var markers = steps.eq(first).logical_or(steps.eq(second)).to(ScalarType.Float32);
        var inputs = stack([values, markers], dim: 2);
        var targets = values.gather(1, first) + values.gather(1, second);
        return new SequenceDataset(inputs.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// MSE of predicting <paramref name="constant"/> for every target of <paramref name="data"/>; with the
    /// default 1 (the mean of the target) this is the baseline of the task, ≈ <see cref="ExpectedBaselineMse"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The data have no targets.</exception>
    public static double ConstantPredictionMse(SequenceDataset data, double constant = 1.0)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Targets.numel() == 0)
            throw new ArgumentException("the data hold no targets to score", nameof(data));
        if (!double.IsFinite(constant))
            throw new ArgumentOutOfRangeException(nameof(constant), constant, "the constant prediction must be a finite number");
        using var scope = NewDisposeScope();
        return (data.Targets.to(ScalarType.Float64) - constant).square().mean().item<double>();
    }
}
