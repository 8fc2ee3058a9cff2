using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>
/// Cuts a series into supervised samples: each input is <c>lookback</c> consecutive rows, each target the
/// <c>horizon</c> rows that follow (Keras tutorials' <c>create_dataset</c>, built with tensor strides).
/// </summary>
public static class SlidingWindows
{
    /// <summary>Number of windows a series of <paramref name="rows"/> rows yields: <c>rows − lookback − horizon + 1</c> (0 when too short).</summary>
    public static long Count(long rows, int lookback, int horizon) => Math.Max(0, rows - lookback - horizon + 1);

    /// <summary>
    /// Builds windows from <paramref name="series"/> shaped [time, features] (or [time] for one feature).
    /// Window i has inputs <c>series[i .. i+lookback)</c>, shaped (lookback, features), and targets
    /// <c>series[i+lookback .. i+lookback+horizon)</c>.
    /// </summary>
    /// <param name="series">Floating-point series, rows in time order.</param>
    /// <param name="lookback">Input length W ≥ 1.</param>
    /// <param name="horizon">Number of future steps H ≥ 1 to predict.</param>
    /// <param name="targetColumn">The column whose future values are the targets, giving targets shaped (N, H);
    /// null keeps every column, giving targets shaped (N, H, features).</param>
    /// <param name="copy">True (default) returns contiguous copies, independent of <paramref name="series"/>; false returns
    /// strided views that share its storage (no memory is copied, which matters for long series: 1,000,000 rows with
    /// W = 50 take 200 MB per feature as copies), but that change if the series is modified in place and are not contiguous.</param>
    /// <returns>Inputs (N, W, F) and targets, N = time − W − H + 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lookback"/> or <paramref name="horizon"/> is below 1, or <paramref name="targetColumn"/> is not a column.</exception>
    /// <exception cref="ArgumentException">The series has the wrong rank or dtype, or fewer than <c>lookback + horizon</c> rows (the message gives the numbers).</exception>
    public static SequenceDataset Create(Tensor series, int lookback, int horizon = 1, int? targetColumn = null, bool copy = true)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (lookback < 1)
            throw new ArgumentOutOfRangeException(nameof(lookback), lookback, "the lookback (window length) must be at least 1");
        if (horizon < 1)
            throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "the horizon (steps to predict) must be at least 1");
        if (series.dim() is not (1 or 2) || !series.is_floating_point())
            throw new ArgumentException($"the series must be a floating-point tensor shaped [time] or [time, features]; got {series.dtype} [{string.Join(", ", series.shape)}]", nameof(series));

        long rows = series.shape[0];
        long features = series.dim() == 2 ? series.shape[1] : 1;
        if (targetColumn is int column && (column < 0 || column >= features))
            throw new ArgumentOutOfRangeException(nameof(targetColumn), column, $"the series has {features} columns; the target column must be in [0, {features - 1}]");
        long count = Count(rows, lookback, horizon);
        if (count == 0)
            throw new ArgumentException(
                $"a window needs lookback + horizon = {lookback} + {horizon} = {lookback + horizon} rows but the series has {rows}; use a shorter lookback or horizon, or more data",
                nameof(series));

        using var scope = torch.NewDisposeScope();
        var matrix = series.dim() == 2 ? series : series.unsqueeze(1);
        // unfold turns rows [t, t+W) into one sample without copying; contiguous() then copies once.
        var inputs = matrix.narrow(0, 0, count + lookback - 1).unfold(0, lookback, 1).permute(0, 2, 1);
        var future = matrix.narrow(0, lookback, count + horizon - 1);
        var targets = targetColumn is int target
            ? future.select(1, target).unfold(0, horizon, 1)
            : future.unfold(0, horizon, 1).permute(0, 2, 1);
        if (copy)
        {
            inputs = inputs.contiguous();
            targets = targets.contiguous();
        }
        return new SequenceDataset(inputs.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope());
    }
}
