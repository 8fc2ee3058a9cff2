using TorchLstm.Data;
using TorchLstm.Experiments;
using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Forecasting;

/// <summary>
/// A network trained with <see cref="Loss.Quantile"/> (a point output and one output per quantile level for
/// every horizon step, as <see cref="ForecastExperimentOptions.Quantiles"/> builds it) as an
/// <see cref="IProbabilisticForecaster"/>: <see cref="Predict"/> gives the point outputs and
/// <see cref="PredictQuantiles"/> the quantiles, both on the original scale.
/// </summary>
/// <remarks>
/// Quantile outputs are trained separately and can cross; <see cref="PredictQuantiles"/> sorts each step's
/// values (monotone rearrangement), so an interval's width is never negative. The network and scaler stay
/// owned by the caller, except for a forecaster a backtest trained, which frees them when disposed.
/// </remarks>
public sealed class QuantileNetworkForecaster : IProbabilisticForecaster, IDisposable
{
    private readonly NetworkForecaster raw;
    private readonly double[] levels;

    private QuantileNetworkForecaster(NetworkForecaster raw, int horizon, double[] levels)
    {
        this.raw = raw;
        this.levels = levels;
        Horizon = horizon;
    }

    /// <inheritdoc />
    public string Name => raw.Name;

    /// <inheritdoc />
    public int Lookback => raw.Lookback;

    /// <inheritdoc />
    public int Horizon { get; }

    /// <inheritdoc />
    public IReadOnlyList<double> Quantiles => levels;

    /// <summary>Wraps a quantile network trained on scaled windows.</summary>
    /// <param name="model">Maps scaled windows (batch, <paramref name="lookback"/>, features) to scaled outputs
    /// (batch, <paramref name="horizon"/> × (1 + quantiles)): per step the point forecast, then each quantile.</param>
    /// <param name="scaler">The scaler fitted on the training rows (all columns).</param>
    /// <param name="targetIndex">Index of the target column.</param>
    /// <param name="lookback">Rows the network was trained on.</param>
    /// <param name="horizon">Steps the network forecasts.</param>
    /// <param name="quantiles">The levels the network was trained for, in its output order.</param>
    /// <param name="name">Name in reports.</param>
    /// <exception cref="ArgumentException">A quantile level is bad (the message names it).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 or the target index is not a fitted column.</exception>
    public static QuantileNetworkForecaster FromScaled(
        nn.Module<Tensor, Tensor> model, Scaler scaler, int targetIndex, int lookback, int horizon, IReadOnlyList<double> quantiles, string name = "network")
    {
        var levels = QuantileLoss.ValidateLevels(quantiles, nameof(quantiles));
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        return new(NetworkForecaster.FromScaled(model, scaler, targetIndex, lookback, horizon * (levels.Length + 1), name), horizon, levels);
    }

    /// <summary>Wraps a quantile network that works on the original scale (for example an exported <see cref="Export.ScaledForecaster"/> around one).</summary>
    /// <param name="model">Maps raw windows to raw outputs (batch, <paramref name="horizon"/> × (1 + quantiles)).</param>
    /// <param name="lookback">Rows the network reads.</param>
    /// <param name="horizon">Steps the network forecasts.</param>
    /// <param name="quantiles">The levels the network was trained for, in its output order.</param>
    /// <param name="name">Name in reports.</param>
    /// <exception cref="ArgumentException">A quantile level is bad (the message names it).</exception>
    public static QuantileNetworkForecaster OnOriginalScale(nn.Module<Tensor, Tensor> model, int lookback, int horizon, IReadOnlyList<double> quantiles, string name = "network")
    {
        var levels = QuantileLoss.ValidateLevels(quantiles, nameof(quantiles));
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        return new(NetworkForecaster.OnOriginalScale(model, lookback, horizon * (levels.Length + 1), name), horizon, levels);
    }

    /// <summary>
    /// Wraps a TorchScript file of a quantile network on the original scale — a <see cref="Export.ScaledForecaster"/> around one,
    /// saved with <see cref="Export.TorchScript.Save"/> and read back with <see cref="Export.TorchScript.Load"/> — so that a
    /// deployed model gives intervals too.
    /// </summary>
    /// <param name="module">Maps raw windows to raw outputs (batch, <paramref name="horizon"/> × (1 + quantiles)); put in eval mode.</param>
    /// <param name="lookback">Rows the network reads.</param>
    /// <param name="horizon">Steps the network forecasts.</param>
    /// <param name="quantiles">The levels the network was trained for, in its output order.</param>
    /// <param name="name">Name in reports.</param>
    /// <exception cref="ArgumentException">A quantile level is bad (the message names it).</exception>
    public static QuantileNetworkForecaster OnOriginalScale(jit.ScriptModule<Tensor, Tensor> module, int lookback, int horizon, IReadOnlyList<double> quantiles, string name = "network")
    {
        var levels = QuantileLoss.ValidateLevels(quantiles, nameof(quantiles));
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        return new(NetworkForecaster.OnOriginalScale(module, lookback, horizon * (levels.Length + 1), name), horizon, levels);
    }

    /// <summary>The trained forecaster of an experiment run with <see cref="ForecastExperimentOptions.Quantiles"/>.</summary>
    /// <param name="result">The experiment's result; it keeps owning the model.</param>
    /// <param name="name">Name in reports; the cell's name (e.g. <c>lstm</c>) by default.</param>
    /// <exception cref="ArgumentException">The network was trained without quantiles.</exception>
    public static QuantileNetworkForecaster FromResult(ForecastResult result, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Quantiles is null)
            throw new ArgumentException("the experiment trained a point forecaster; set ForecastExperimentOptions.Quantiles to train quantiles", nameof(result));
        var data = result.Data;
        return FromScaled(result.Forecaster, data.Scaler, data.TargetIndex, data.Options.Lookback, data.Options.Horizon, result.Quantiles,
            name ?? result.Model.Cell.ToString().ToLowerInvariant());
    }

    /// <summary>The point forecasts (the network's MSE-trained outputs), [window, horizon step], original scale.</summary>
    /// <exception cref="ArgumentException">The windows are shorter than <see cref="Lookback"/> or have another feature count.</exception>
    public double[,] Predict(ForecastWindows windows) => Run(windows).Point;

    /// <inheritdoc />
    public double[,,] PredictQuantiles(ForecastWindows windows) => Run(windows).Quantiles;

    /// <summary>Point forecasts and quantiles of the same windows from one run of the network.</summary>
    /// <exception cref="ArgumentException">The windows are shorter than <see cref="Lookback"/> or have another feature count.</exception>
    public (double[,] Point, double[,,] Quantiles) PredictBoth(ForecastWindows windows) => Run(windows);

    /// <summary>Frees what this forecaster owns (nothing unless a backtest trained it).</summary>
    public void Dispose() => raw.Dispose();

    /// <summary>Makes this forecaster free <paramref name="resources"/> when it is disposed.</summary>
    internal QuantileNetworkForecaster Owning(params IDisposable[] resources)
    {
        raw.Owning(resources);
        return this;
    }

    private (double[,] Point, double[,,] Quantiles) Run(ForecastWindows windows)
    {
        var outputs = raw.Predict(windows);
        var flat = new double[outputs.Length];
        Buffer.BlockCopy(outputs, 0, flat, 0, flat.Length * sizeof(double));
        return QuantileOutputs.Split(flat, outputs.GetLength(0), Horizon, levels.Length);
    }
}
