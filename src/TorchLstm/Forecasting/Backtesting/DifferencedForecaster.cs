using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Forecasting;

/// <summary>
/// A forecaster fitted on the first differences of the target (Δy(t) = y(t) − y(t − 1)) whose forecasts are
/// summed back onto the last observed value: the classic cure for a trending series, where a model fitted on
/// levels meets levels it never saw in training (a network's scaled inputs leave the range its scaler was fitted on).
/// </summary>
/// <remarks>
/// The other feature columns are kept as they are. The inner forecaster reads windows one row shorter than this
/// one: a window of W + 1 levels gives W differences. Quantiles are carried over for one-step forecasts only (a
/// quantile of a sum of several steps is not the sum of their quantiles), so a multi-step differenced forecaster
/// gives points only.
/// </remarks>
public class DifferencedForecaster : IForecaster, IDisposable
{
    private protected DifferencedForecaster(IForecaster inner, string name)
    {
        Inner = inner;
        Name = name;
    }

    /// <summary>The forecaster of the differences.</summary>
    public IForecaster Inner { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Lookback => Inner.Lookback + 1;

    /// <inheritdoc />
    public int Horizon => Inner.Horizon;

    /// <summary>Wraps a forecaster fitted on <see cref="Difference"/>d data; the result gives quantiles when the inner one does and forecasts one step.</summary>
    /// <param name="inner">Forecasts the next difference(s) from windows of differences.</param>
    /// <param name="name">Name in reports; the inner name with <c>_diff</c> by default.</param>
    public static DifferencedForecaster Wrap(IForecaster inner, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        name ??= $"{inner.Name}_diff";
        return inner is IProbabilisticForecaster probabilistic && inner.Horizon == 1
            ? new DifferencedProbabilisticForecaster(probabilistic, name)
            : new DifferencedForecaster(inner, name);
    }

    /// <summary>The table with its target column replaced by its first differences, one row shorter (the first row has no predecessor).</summary>
    /// <exception cref="ArgumentException">The table has fewer than 2 rows.</exception>
    public static TimeSeriesTable Difference(TimeSeriesTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Length < 2) throw new ArgumentException($"differencing needs at least 2 rows; the table has {table.Length}", nameof(table));
        using var differenced = DifferenceTarget(table.Values.unsqueeze(0), table.TargetIndex).squeeze(0);
        return TimeSeriesTable.FromTensor(differenced, table.Columns, table.TargetIndex, table.Timestamps?.Skip(1).ToArray());
    }

    /// <inheritdoc />
    public double[,] Predict(ForecastWindows windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        windows.RequireLength(Lookback, Name);
        using var differences = Differences(windows);
        var changes = Inner.Predict(differences);
        var last = windows.TargetHistory(1);
        var forecasts = new double[windows.Count, Horizon];
        for (int w = 0; w < forecasts.GetLength(0); w++)
        {
            double level = last[w][0];
            for (int h = 0; h < Horizon; h++) forecasts[w, h] = level += changes[w, h];
        }
        return forecasts;
    }

    /// <summary>Disposes the inner forecaster when it is disposable.</summary>
    public void Dispose()
    {
        (Inner as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The windows' last <see cref="Lookback"/> rows as differences, for the inner forecaster.</summary>
    private protected ForecastWindows Differences(ForecastWindows windows)
    {
        using var scope = torch.NewDisposeScope();
        var recent = windows.Inputs.narrow(1, windows.Length - Lookback, Lookback);
        var differenced = DifferenceTarget(recent, windows.TargetIndex);
        return new ForecastWindows(differenced.MoveToOuterDisposeScope(), windows.TargetIndex, windows.TargetTimestamps);
    }

    private static Tensor DifferenceTarget(Tensor windows, int target)
    {
        using var scope = torch.NewDisposeScope();
        long length = windows.shape[1];
        var later = windows.narrow(1, 1, length - 1).clone();
        var change = later.select(2, target) - windows.narrow(1, 0, length - 1).select(2, target);
        later.select(2, target).copy_(change);
        return later.MoveToOuterDisposeScope();
    }
}

/// <summary>A one-step <see cref="DifferencedForecaster"/> whose inner forecaster gives quantiles: they are shifted by the last observed value.</summary>
public sealed class DifferencedProbabilisticForecaster : DifferencedForecaster, IProbabilisticForecaster
{
    private readonly IProbabilisticForecaster probabilistic;

    internal DifferencedProbabilisticForecaster(IProbabilisticForecaster inner, string name) : base(inner, name) => probabilistic = inner;

    /// <inheritdoc />
    public IReadOnlyList<double> Quantiles => probabilistic.Quantiles;

    /// <inheritdoc />
    public double[,,] PredictQuantiles(ForecastWindows windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        windows.RequireLength(Lookback, Name);
        using var differences = Differences(windows);
        var quantiles = probabilistic.PredictQuantiles(differences);
        var last = windows.TargetHistory(1);
        for (int w = 0; w < quantiles.GetLength(0); w++)
            for (int q = 0; q < quantiles.GetLength(2); q++)
                quantiles[w, 0, q] += last[w][0];
        return quantiles;
    }
}
