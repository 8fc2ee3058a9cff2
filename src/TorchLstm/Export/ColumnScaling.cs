using TorchLstm.Data;

namespace TorchLstm.Export;

/// <summary>
/// A fitted scaler's per-column affine map <c>scaled = (raw − Center) · Factor + Shift</c>, read from the
/// scaler's public statistics (min/max and feature range, or mean and standard deviation) with the same
/// rules for constant columns, so <see cref="ScaledForecaster"/> can bundle it with a model.
/// </summary>
public sealed class ColumnScaling
{
    private readonly double[] _center;
    private readonly double[] _factor;

    private ColumnScaling(double[] center, double[] factor, double shift)
    {
        _center = center;
        _factor = factor;
        Shift = shift;
    }

    /// <summary>Per-column value subtracted first (the data minimum or mean).</summary>
    public IReadOnlyList<double> Center => _center;

    /// <summary>Per-column multiplier applied after centring (finite, non-zero).</summary>
    public IReadOnlyList<double> Factor => _factor;

    /// <summary>Value added last (the lower end of a min-max range; 0 for standardisation).</summary>
    public double Shift { get; }

    /// <summary>Number of columns.</summary>
    public int ColumnCount => _center.Length;

    /// <summary>
    /// Min-max scaling onto [<paramref name="rangeMin"/>, <paramref name="rangeMax"/>]; a constant column
    /// (min = max) counts as spanning 1 and maps to <paramref name="rangeMin"/>, as <see cref="MinMaxScaler"/> does.
    /// </summary>
    /// <exception cref="ArgumentException">The lists are empty, differ in length, hold non-finite values, or a min exceeds its max.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is not finite or not increasing.</exception>
    public static ColumnScaling MinMax(IReadOnlyList<double> dataMin, IReadOnlyList<double> dataMax, double rangeMin = 0, double rangeMax = 1)
    {
        ArgumentNullException.ThrowIfNull(dataMin);
        ArgumentNullException.ThrowIfNull(dataMax);
        SameNonEmptyLength(dataMin, dataMax, nameof(dataMax), "dataMin", "dataMax");
        if (!double.IsFinite(rangeMin) || !double.IsFinite(rangeMax) || rangeMin >= rangeMax)
            throw new ArgumentOutOfRangeException(nameof(rangeMin), (rangeMin, rangeMax),
                $"the feature range must be two finite numbers with min < max; got ({rangeMin}, {rangeMax})");
        var factor = new double[dataMin.Count];
        for (int i = 0; i < factor.Length; i++)
        {
            if (!double.IsFinite(dataMin[i]) || !double.IsFinite(dataMax[i]) || dataMin[i] > dataMax[i])
                throw new ArgumentException($"column {i} has min {dataMin[i]} and max {dataMax[i]}; expected finite numbers with min ≤ max", nameof(dataMin));
            double span = dataMax[i] - dataMin[i];
            factor[i] = (rangeMax - rangeMin) / (span > 0 ? span : 1.0);
        }
        return new ColumnScaling([.. dataMin], factor, rangeMin);
    }

    /// <summary>
    /// Standardisation with per-column mean and population standard deviation; a deviation that is
    /// rounding noise of a constant column counts as 1, as <see cref="StandardScaler"/> does.
    /// </summary>
    /// <exception cref="ArgumentException">The lists are empty, differ in length, hold non-finite values, or a deviation is negative.</exception>
    public static ColumnScaling Standard(IReadOnlyList<double> mean, IReadOnlyList<double> standardDeviation)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(standardDeviation);
        SameNonEmptyLength(mean, standardDeviation, nameof(standardDeviation), "mean", "standardDeviation");
        var factor = new double[mean.Count];
        for (int i = 0; i < factor.Length; i++)
        {
            double std = standardDeviation[i];
            if (!double.IsFinite(mean[i]) || !double.IsFinite(std) || std < 0)
                throw new ArgumentException($"column {i} has mean {mean[i]} and standard deviation {std}; expected finite numbers with deviation ≥ 0", nameof(standardDeviation));
            factor[i] = 1.0 / (std > 1e-12 * Math.Max(1.0, Math.Abs(mean[i])) ? std : 1.0);
        }
        return new ColumnScaling([.. mean], factor, 0);
    }

    /// <summary>Reads a fitted <see cref="MinMaxScaler"/> or <see cref="StandardScaler"/>.</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted.</exception>
    /// <exception cref="NotSupportedException">The scaler is of another kind.</exception>
    public static ColumnScaling FromScaler(Scaler scaler)
    {
        ArgumentNullException.ThrowIfNull(scaler);
        if (!scaler.IsFitted)
            throw new InvalidOperationException($"the {scaler.GetType().Name} is not fitted: fit it on the training data (or load it) before bundling it with a model");
        return scaler switch
        {
            MinMaxScaler minMax => MinMax(minMax.DataMin!, minMax.DataMax!, minMax.RangeMin, minMax.RangeMax),
            StandardScaler standard => Standard(standard.Mean!, standard.StandardDeviation!),
            _ => throw new NotSupportedException(
                $"cannot read the statistics of a {scaler.GetType().Name}; supported: {nameof(MinMaxScaler)}, {nameof(StandardScaler)} (or build a {nameof(ColumnScaling)} with {nameof(MinMax)}/{nameof(Standard)})"),
        };
    }

    private static void SameNonEmptyLength(IReadOnlyList<double> first, IReadOnlyList<double> second, string paramName, string firstName, string secondName)
    {
        if (first.Count == 0 || first.Count != second.Count)
            throw new ArgumentException($"{firstName} and {secondName} must list the same non-zero number of columns; got {first.Count} and {second.Count}", paramName);
    }
}
