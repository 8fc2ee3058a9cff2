using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>
/// Rescales each column linearly so that its training minimum maps to <see cref="RangeMin"/> and its
/// maximum to <see cref="RangeMax"/> (Keras/scikit-learn <c>MinMaxScaler</c>, default range (0, 1)).
/// </summary>
/// <remarks>A constant column maps to <see cref="RangeMin"/> (its span counts as 1, as in scikit-learn), never NaN.</remarks>
public sealed class MinMaxScaler : Scaler
{
    internal const string KindName = "minmax";
    private double[]? _dataMin, _dataMax;

    /// <summary>Creates an unfitted scaler mapping onto [<paramref name="rangeMin"/>, <paramref name="rangeMax"/>].</summary>
    /// <exception cref="ArgumentOutOfRangeException">The bounds are not finite or <paramref name="rangeMin"/> ≥ <paramref name="rangeMax"/>.</exception>
    public MinMaxScaler(double rangeMin = 0, double rangeMax = 1)
    {
        if (!double.IsFinite(rangeMin) || !double.IsFinite(rangeMax) || rangeMin >= rangeMax)
            throw new ArgumentOutOfRangeException(nameof(rangeMin), (rangeMin, rangeMax),
                $"the feature range must be two finite numbers with min < max; got ({rangeMin}, {rangeMax})");
        RangeMin = rangeMin;
        RangeMax = rangeMax;
    }

    /// <summary>Lower end of the output range.</summary>
    public double RangeMin { get; }

    /// <summary>Upper end of the output range.</summary>
    public double RangeMax { get; }

    /// <summary>Per-column minimum seen in the training data (null before fitting).</summary>
    public IReadOnlyList<double>? DataMin => _dataMin;

    /// <summary>Per-column maximum seen in the training data (null before fitting).</summary>
    public IReadOnlyList<double>? DataMax => _dataMax;

    private protected override void FitColumns(Tensor rows)
    {
        using var min = rows.amin([0]);
        using var max = rows.amax([0]);
        SetStatistics(min.data<double>().ToArray(), max.data<double>().ToArray());
    }

    private void SetStatistics(double[] min, double[] max)
    {
        _dataMin = min;
        _dataMax = max;
        var factor = new double[min.Length];
        for (int i = 0; i < factor.Length; i++)
        {
            double span = max[i] - min[i];
            factor[i] = (RangeMax - RangeMin) / (span > 0 ? span : 1.0);
        }
        SetAffine(min, factor, RangeMin);
    }

    private protected override ScalerState ToState() =>
        new() { Kind = KindName, FeatureRange = [RangeMin, RangeMax], Min = _dataMin, Max = _dataMax };

    internal static MinMaxScaler FromState(ScalerState state)
    {
        if (state.FeatureRange is not { Length: 2 } range || state.Min is null || state.Max is null || state.Min.Length != state.Max.Length || state.Min.Length == 0)
            throw new DataValidationException("min-max scaler JSON needs 'featureRange' (two numbers) and 'min'/'max' arrays of the same non-zero length");
        for (int i = 0; i < state.Min.Length; i++)
            if (!double.IsFinite(state.Min[i]) || !double.IsFinite(state.Max[i]) || state.Min[i] > state.Max[i])
                throw new DataValidationException($"min-max scaler JSON: column {i} has min {state.Min[i]} and max {state.Max[i]}; expected finite numbers with min ≤ max");
        var scaler = new MinMaxScaler(range[0], range[1]);
        scaler.SetStatistics(state.Min, state.Max);
        return scaler;
    }
}
