using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Forecasting;

/// <summary>
/// Windows of past rows on the original scale, the input of <see cref="IForecaster.Predict"/>: a float
/// tensor (windows, time, features), the index of the target column and, when known, the timestamp of every
/// value to forecast (which <see cref="Climatology"/> needs).
/// </summary>
/// <remarks>Owns <see cref="Inputs"/>; dispose to free it.</remarks>
public sealed class ForecastWindows : IDisposable
{
    /// <summary>Wraps windows; the new object owns <paramref name="inputs"/>.</summary>
    /// <param name="inputs">Floating-point windows shaped (windows, time, features) on the original scale.</param>
    /// <param name="targetIndex">Index of the target among the features.</param>
    /// <param name="targetTimestamps">Timestamps of the values to forecast, [window, horizon step], or null.</param>
    /// <exception cref="ArgumentException">The inputs are not a rank-3 floating-point tensor with at least one time step.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetIndex"/> is not a feature index.</exception>
    public ForecastWindows(Tensor inputs, int targetIndex, DateTime[,]? targetTimestamps = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.dim() != 3 || inputs.shape[1] < 1 || !inputs.is_floating_point())
            throw new ArgumentException(
                $"windows must be a floating-point tensor shaped (windows, time, features) with at least one time step; got {inputs.dtype} [{string.Join(", ", inputs.shape)}]",
                nameof(inputs));
        if (targetIndex < 0 || targetIndex >= inputs.shape[2])
            throw new ArgumentOutOfRangeException(nameof(targetIndex), targetIndex, $"the windows have {inputs.shape[2]} features; the target index must be in [0, {inputs.shape[2] - 1}]");
        if (targetTimestamps is not null && targetTimestamps.GetLength(0) != inputs.shape[0])
            throw new ArgumentException($"{targetTimestamps.GetLength(0)} rows of target timestamps were given for {inputs.shape[0]} windows", nameof(targetTimestamps));
        Inputs = inputs;
        TargetIndex = targetIndex;
        TargetTimestamps = targetTimestamps;
    }

    /// <summary>The windows, (windows, time, features), original scale.</summary>
    public Tensor Inputs { get; }

    /// <summary>Index of the target column among the features.</summary>
    public int TargetIndex { get; }

    /// <summary>Timestamps of the values to forecast, [window, horizon step]; null when unknown.</summary>
    public DateTime[,]? TargetTimestamps { get; }

    /// <summary>Number of windows.</summary>
    public long Count => Inputs.shape[0];

    /// <summary>Rows per window.</summary>
    public long Length => Inputs.shape[1];

    /// <summary>Features per row.</summary>
    public long FeatureCount => Inputs.shape[2];

    /// <summary>
    /// The windows of <paramref name="set"/> (for example <see cref="ForecastData.Test"/>) mapped back to the
    /// original scale, with the test targets' timestamps when <paramref name="set"/> is the test set.
    /// </summary>
    /// <param name="data">The prepared data the set belongs to.</param>
    /// <param name="set">Scaled windows of <paramref name="data"/>.</param>
    public static ForecastWindows FromData(ForecastData data, SequenceDataset set)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(set);
        var stamps = ReferenceEquals(set, data.Test) ? data.TestTargetTimestamps : null;
        return new ForecastWindows(data.Scaler.InverseTransform(set.Inputs), data.TargetIndex, stamps);
    }

    /// <summary>The last <paramref name="rows"/> rows of every window's target column as float64, [window][row].</summary>
    internal double[][] TargetHistory(int rows)
    {
        using var scope = torch.NewDisposeScope();
        var target = Inputs.narrow(1, Length - rows, rows).select(2, TargetIndex).to(ScalarType.Float64).cpu().contiguous();
        var flat = target.data<double>().ToArray();
        var result = new double[Count][];
        for (int i = 0; i < result.Length; i++) result[i] = flat.AsSpan(i * rows, rows).ToArray();
        return result;
    }

    /// <summary>Fails unless every window holds at least <paramref name="lookback"/> rows.</summary>
    internal void RequireLength(int lookback, string forecaster)
    {
        if (Length < lookback)
            throw new ArgumentException($"{forecaster} needs windows of at least {lookback} rows; got {Length}", "windows");
    }

    /// <summary>Disposes <see cref="Inputs"/>.</summary>
    public void Dispose() => Inputs.Dispose();
}
