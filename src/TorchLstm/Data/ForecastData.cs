using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>
/// Scaled, windowed train / validation / test sets for forecasting one column, with what is needed to
/// read predictions on the original scale and to compare them with a naive persistence forecast.
/// </summary>
/// <remarks>
/// <para>The rows are split chronologically (<see cref="ChronologicalSplit"/>) and the scaler is fitted on the
/// training rows only, so no statistic of later data leaks into training.</para>
/// <para>Windows are built per block. Training windows lie wholly inside the training rows. A validation or
/// test window may take its lookback context from the W rows before its block (the end of the previous
/// block), but its targets always lie inside its own block. So no validation or test target is ever a
/// training target or a training input, and no target row of a block is lost to the lookback: a block of
/// n rows gives n − H + 1 windows, and training gives train − W − H + 1.</para>
/// </remarks>
public sealed class ForecastData : IDisposable
{
    private ForecastData(
        SequenceDataset train, SequenceDataset? validation, SequenceDataset? test, Scaler scaler,
        ChronologicalSplit split, ForecastDataOptions options, IReadOnlyList<string> columns, int targetIndex,
        DateTime[,]? testTargetTimestamps)
    {
        Train = train;
        Validation = validation;
        Test = test;
        Scaler = scaler;
        Split = split;
        Options = options;
        Columns = columns;
        TargetIndex = targetIndex;
        TestTargetTimestamps = testTargetTimestamps;
    }

    /// <summary>Training windows: inputs (N, W, F), targets (N, H), scaled.</summary>
    public SequenceDataset Train { get; }

    /// <summary>Validation windows, scaled; null when <see cref="ForecastDataOptions.ValidationFraction"/> is 0.</summary>
    public SequenceDataset? Validation { get; }

    /// <summary>Test windows, scaled; null when <see cref="ForecastDataOptions.TestFraction"/> is 0.</summary>
    public SequenceDataset? Test { get; }

    /// <summary>The scaler fitted on the training rows (all columns); save it next to the model.</summary>
    public Scaler Scaler { get; }

    /// <summary>The row blocks the windows were built from.</summary>
    public ChronologicalSplit Split { get; }

    /// <summary>The options used.</summary>
    public ForecastDataOptions Options { get; }

    /// <summary>Names of the input features, in the order of the last input dimension.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Index of the target column among <see cref="Columns"/>.</summary>
    public int TargetIndex { get; }

    /// <summary>Name of the target column.</summary>
    public string TargetColumn => Columns[TargetIndex];

    /// <summary>
    /// Timestamp of each test target, indexed [window, step] like <c>Test.Targets</c>; null when the table
    /// has no timestamps or there is no test set.
    /// </summary>
    public DateTime[,]? TestTargetTimestamps { get; }

    /// <summary>Splits, scales and windows <paramref name="table"/> to forecast its target column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Lookback or horizon below 1, or fractions outside [0, 1) or leaving a set empty.</exception>
    /// <exception cref="ArgumentException">A block is too short for its windows (the message gives the rows needed and available).</exception>
    public static ForecastData Prepare(TimeSeriesTable table, ForecastDataOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        options ??= new ForecastDataOptions();
        int lookback = options.Lookback, horizon = options.Horizon;
        if (lookback < 1)
            throw new ArgumentOutOfRangeException(nameof(options), lookback, $"{nameof(ForecastDataOptions.Lookback)} must be at least 1; got {lookback}");
        if (horizon < 1)
            throw new ArgumentOutOfRangeException(nameof(options), horizon, $"{nameof(ForecastDataOptions.Horizon)} must be at least 1; got {horizon}");
        var scaler = options.CreateScaler();
        var split = ChronologicalSplit.Create(table.Length, options.ValidationFraction, options.TestFraction);
        RequireRows("training", split.TrainCount, lookback + horizon, split, options);
        if (split.ValidationCount > 0) RequireRows("validation", split.ValidationCount, horizon, split, options);
        if (split.TestCount > 0) RequireRows("test", split.TestCount, horizon, split, options);

        using var scope = torch.NewDisposeScope();
        scaler.Fit(split.Train(table.Values));
        var scaled = scaler.Transform(table.Values);
        int target = table.TargetIndex;
        var train = Keep(SlidingWindows.Create(split.Train(scaled), lookback, horizon, target));
        var validation = split.ValidationCount == 0 ? null
            : Keep(SlidingWindows.Create(scaled.narrow(0, split.ValidationStart - lookback, split.ValidationCount + lookback), lookback, horizon, target));
        var test = split.TestCount == 0 ? null
            : Keep(SlidingWindows.Create(scaled.narrow(0, split.TestStart - lookback, split.TestCount + lookback), lookback, horizon, target));

        DateTime[,]? stamps = null;
        if (test is not null && table.Timestamps is { } timestamps)
        {
            stamps = new DateTime[test.Count, horizon];
            for (long i = 0; i < test.Count; i++)
                for (int h = 0; h < horizon; h++)
                    stamps[i, h] = timestamps[(int)(split.TestStart + i + h)];
        }
        return new ForecastData(train, validation, test, scaler, split, options, table.Columns, target, stamps);
    }

    /// <summary>Maps scaled target values (predictions or targets, any shape) back to the target's original scale.</summary>
    public Tensor InverseTarget(Tensor scaledTargetValues) => Scaler.InverseTransformColumn(scaledTargetValues, TargetIndex);

    /// <summary>The targets of <paramref name="data"/> (for example <see cref="Test"/>) on the original scale, shaped (N, H).</summary>
    public Tensor OriginalTargets(SequenceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return InverseTarget(data.Targets);
    }

    /// <summary>
    /// The naive persistence forecast ("tomorrow = today") for the windows of <paramref name="data"/>: the last
    /// observed target value of each window, repeated over the horizon, on the original scale, shaped (N, H).
    /// A model is only useful if it beats this baseline.
    /// </summary>
    /// <exception cref="ArgumentException">The inputs are not shaped (N, W, features) with this data's feature count.</exception>
    public Tensor NaivePersistence(SequenceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var inputs = data.Inputs;
        if (inputs.dim() != 3 || inputs.shape[2] != Columns.Count)
            throw new ArgumentException($"expected inputs shaped (samples, window, {Columns.Count}); got [{string.Join(", ", inputs.shape)}]", nameof(data));
        using var scope = torch.NewDisposeScope();
        var lastObserved = inputs.select(1, -1).select(1, TargetIndex).unsqueeze(1).expand(-1, Options.Horizon);
        return InverseTarget(lastObserved.contiguous()).MoveToOuterDisposeScope();
    }

    /// <summary>Disposes the window tensors.</summary>
    public void Dispose()
    {
        Train.Dispose();
        Validation?.Dispose();
        Test?.Dispose();
    }

    private static SequenceDataset Keep(SequenceDataset data)
    {
        data.Inputs.MoveToOuterDisposeScope();
        data.Targets.MoveToOuterDisposeScope();
        return data;
    }

    private static void RequireRows(string block, long rows, int needed, ChronologicalSplit split, ForecastDataOptions options)
    {
        if (rows < needed)
            throw new ArgumentException(
                $"the {block} block has {rows} rows but needs at least {needed} (lookback {options.Lookback}, horizon {options.Horizon}); " +
                $"the split of {split.Total} rows is train {split.TrainCount}, validation {split.ValidationCount}, test {split.TestCount}. " +
                "Use more data, a shorter lookback or horizon, or different fractions",
                nameof(options));
    }
}
