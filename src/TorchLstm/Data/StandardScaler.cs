using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>
/// Standardises each column to zero mean and unit variance using the training mean and population
/// standard deviation (scikit-learn <c>StandardScaler</c>).
/// </summary>
/// <remarks>A constant column maps to 0 (its deviation counts as 1, as in scikit-learn), never NaN.</remarks>
public sealed class StandardScaler : Scaler
{
    internal const string KindName = "standard";
    private double[]? _mean, _std;

    /// <summary>Per-column training mean (null before fitting).</summary>
    public IReadOnlyList<double>? Mean => _mean;

    /// <summary>Per-column training population standard deviation (null before fitting).</summary>
    public IReadOnlyList<double>? StandardDeviation => _std;

    private protected override void FitColumns(Tensor rows)
    {
        using var mean = rows.mean([0]);
        using var std = rows.std(0, unbiased: false);
        SetStatistics(mean.data<double>().ToArray(), std.data<double>().ToArray());
    }

    private void SetStatistics(double[] mean, double[] std)
    {
        _mean = mean;
        _std = std;
        // Below this relative size a deviation is rounding noise of a constant column, not spread.
        var factor = new double[mean.Length];
        for (int i = 0; i < factor.Length; i++)
            factor[i] = 1.0 / (std[i] > 1e-12 * Math.Max(1.0, Math.Abs(mean[i])) ? std[i] : 1.0);
        SetAffine(mean, factor, 0);
    }

    private protected override ScalerState ToState() => new() { Kind = KindName, Mean = _mean, Std = _std };

    internal static StandardScaler FromState(ScalerState state)
    {
        if (state.Mean is null || state.Std is null || state.Mean.Length != state.Std.Length || state.Mean.Length == 0)
            throw new DataValidationException("standard scaler JSON needs 'mean' and 'std' arrays of the same non-zero length");
        for (int i = 0; i < state.Mean.Length; i++)
            if (!double.IsFinite(state.Mean[i]) || !double.IsFinite(state.Std[i]) || state.Std[i] < 0)
                throw new DataValidationException($"standard scaler JSON: column {i} has mean {state.Mean[i]} and std {state.Std[i]}; expected finite numbers with std ≥ 0");
        var scaler = new StandardScaler();
        scaler.SetStatistics(state.Mean, state.Std);
        return scaler;
    }
}
