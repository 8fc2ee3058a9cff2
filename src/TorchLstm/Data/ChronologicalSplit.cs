using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>
/// Row ranges of a chronological train | validation | test split: three consecutive blocks, in time order.
/// </summary>
/// <param name="TrainCount">Rows [0, TrainCount) are for training.</param>
/// <param name="ValidationCount">The next rows, [TrainCount, TrainCount + ValidationCount), are for validation (may be 0).</param>
/// <param name="TestCount">The last rows are for testing (may be 0).</param>
public sealed record ChronologicalSplit(long TrainCount, long ValidationCount, long TestCount)
{
    /// <summary>Total number of rows.</summary>
    public long Total => TrainCount + ValidationCount + TestCount;

    /// <summary>First validation row.</summary>
    public long ValidationStart => TrainCount;

    /// <summary>First test row.</summary>
    public long TestStart => TrainCount + ValidationCount;

    /// <summary>
    /// Splits <paramref name="count"/> rows: the test block is the last <paramref name="testFraction"/> of
    /// all rows, then the validation block is the last <paramref name="validationFraction"/> of what remains
    /// (Keras <c>validation_split</c> semantics). Nothing is shuffled.
    /// </summary>
    /// <remarks>
    /// Like Keras, the kept part is rounded down (<c>floor(n · (1 − fraction))</c>), so a 0.2 split of 1000 rows
    /// leaves 800 and takes 200.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A fraction is outside [0, 1), or the split leaves the
    /// training set empty or a requested (non-zero) validation or test set empty; the message gives the numbers.</exception>
    public static ChronologicalSplit Create(long count, double validationFraction, double testFraction)
    {
        CheckFraction(validationFraction, nameof(validationFraction));
        CheckFraction(testFraction, nameof(testFraction));
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, "there must be at least one row to split");

        long trainAndValidation = Keep(count, testFraction);
        long train = Keep(trainAndValidation, validationFraction);
        var split = new ChronologicalSplit(train, trainAndValidation - train, count - trainAndValidation);
        string numbers = $"{count} rows with validation fraction {validationFraction} and test fraction {testFraction} give " +
                         $"train {split.TrainCount}, validation {split.ValidationCount}, test {split.TestCount}";
        if (split.TrainCount == 0)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{numbers}: the training set would be empty; use smaller fractions or more rows");
        if (testFraction > 0 && split.TestCount == 0)
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, $"{numbers}: the test set would be empty; use a larger fraction, more rows, or 0 for no test set");
        if (validationFraction > 0 && split.ValidationCount == 0)
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, $"{numbers}: the validation set would be empty; use a larger fraction, more rows, or 0 for no validation set");
        return split;
    }

    /// <summary>The training rows of <paramref name="series"/> (a view along dimension 0).</summary>
    public Tensor Train(Tensor series) => Slice(series, 0, TrainCount);

    /// <summary>The validation rows of <paramref name="series"/> (a view along dimension 0).</summary>
    public Tensor Validation(Tensor series) => Slice(series, ValidationStart, ValidationCount);

    /// <summary>The test rows of <paramref name="series"/> (a view along dimension 0).</summary>
    public Tensor Test(Tensor series) => Slice(series, TestStart, TestCount);

    private Tensor Slice(Tensor series, long start, long length)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.dim() == 0 || series.shape[0] != Total)
            throw new ArgumentException($"the split covers {Total} rows but the tensor is shaped [{string.Join(", ", series.shape)}]", nameof(series));
        return series.narrow(0, start, length);
    }

    private static long Keep(long count, double fraction) =>
        // The small epsilon keeps 1000 · (1 − 0.2) from rounding down to 799 through binary error.
        (long)Math.Floor(count * (1.0 - fraction) + 1e-9);

    private static void CheckFraction(double fraction, string name)
    {
        if (!(fraction >= 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(name, fraction, $"{name} must be in [0, 1); got {fraction}");
    }
}
