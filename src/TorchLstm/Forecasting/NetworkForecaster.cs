using TorchLstm.Data;
using TorchLstm.Experiments;
using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Forecasting;

/// <summary>
/// A trained network as an <see cref="IForecaster"/>: windows on the original scale are cut to the
/// network's lookback, scaled with the scaler fitted on the training rows, run through the network in
/// eval mode, and its outputs mapped back to the target's original scale.
/// </summary>
/// <remarks>The network and scaler stay owned by the caller, except for a forecaster a backtest's
/// <see cref="ForecasterTrainer.Network"/> made, which owns what it was trained with and frees it when disposed.</remarks>
public sealed class NetworkForecaster : IForecaster, IDisposable
{
    private IDisposable[] owned = [];
    private readonly Func<Tensor, Tensor> run;
    private readonly ScalarType dtype;
    private readonly Scaler? scaler;
    private readonly int targetIndex;

    private NetworkForecaster(nn.Module<Tensor, Tensor> model, Scaler? scaler, int targetIndex, int lookback, int horizon, string name)
        : this(inputs => new ExperimentRunner(TextWriter.Null).Predict(model, inputs), DtypeOf(model), scaler, targetIndex, lookback, horizon, name)
    {
    }

    private NetworkForecaster(Func<Tensor, Tensor> run, ScalarType dtype, Scaler? scaler, int targetIndex, int lookback, int horizon, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        this.run = run;
        this.dtype = dtype;
        this.scaler = scaler;
        this.targetIndex = targetIndex;
        Lookback = lookback;
        Horizon = horizon;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Lookback { get; }

    /// <inheritdoc />
    public int Horizon { get; }

    /// <summary>Wraps a network trained on scaled windows.</summary>
    /// <param name="model">Maps scaled windows (batch, <paramref name="lookback"/>, features) to scaled forecasts (batch, <paramref name="horizon"/>).</param>
    /// <param name="scaler">The scaler fitted on the training rows (all columns).</param>
    /// <param name="targetIndex">Index of the target column.</param>
    /// <param name="lookback">Rows the network was trained on.</param>
    /// <param name="horizon">Steps the network forecasts.</param>
    /// <param name="name">Name in reports.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 or the target index is not a fitted column.</exception>
    /// <exception cref="InvalidOperationException">The scaler is not fitted.</exception>
    public static NetworkForecaster FromScaled(nn.Module<Tensor, Tensor> model, Scaler scaler, int targetIndex, int lookback, int horizon, string name = "network")
    {
        ArgumentNullException.ThrowIfNull(scaler);
        if (targetIndex < 0 || targetIndex >= scaler.ColumnCount)
            throw new ArgumentOutOfRangeException(nameof(targetIndex), targetIndex, $"the scaler has {scaler.ColumnCount} columns; the target index must be in [0, {scaler.ColumnCount - 1}]");
        return new NetworkForecaster(model, scaler, targetIndex, lookback, horizon, name);
    }

    /// <summary>
    /// Wraps a network that already works on the original scale, such as an exported
    /// <see cref="Export.ScaledForecaster"/> or a TorchScript file of one loaded back.
    /// </summary>
    /// <param name="model">Maps raw windows (batch, <paramref name="lookback"/>, features) to raw forecasts (batch, <paramref name="horizon"/>).</param>
    /// <param name="lookback">Rows the network reads.</param>
    /// <param name="horizon">Steps the network forecasts.</param>
    /// <param name="name">Name in reports.</param>
    public static NetworkForecaster OnOriginalScale(nn.Module<Tensor, Tensor> model, int lookback, int horizon, string name = "network")
    {
        ArgumentNullException.ThrowIfNull(model);
        return new(model, null, 0, lookback, horizon, name);
    }

    /// <summary>
    /// Wraps a TorchScript module that works on the original scale, such as a <see cref="Export.ScaledForecaster"/>
    /// saved with <see cref="Export.TorchScript.Save"/> and read back with <see cref="Export.TorchScript.Load"/>.
    /// </summary>
    /// <param name="module">Maps raw windows (batch, <paramref name="lookback"/>, features) to raw forecasts (batch, <paramref name="horizon"/>); put in eval mode.</param>
    /// <param name="lookback">Rows the network reads.</param>
    /// <param name="horizon">Steps the network forecasts.</param>
    /// <param name="name">Name in reports.</param>
    public static NetworkForecaster OnOriginalScale(jit.ScriptModule<Tensor, Tensor> module, int lookback, int horizon, string name = "network")
    {
        ArgumentNullException.ThrowIfNull(module);
        module.eval();
        var dtype = module.parameters().FirstOrDefault()?.dtype ?? ScalarType.Float32;
        return new(inputs =>
        {
            using var noGrad = torch.no_grad();
            return module.call(inputs);
        }, dtype, null, 0, lookback, horizon, name);
    }

    /// <summary>The trained forecaster of a finished experiment (its residual wrapper included), with its scaler and window.</summary>
    /// <param name="result">The experiment's result; it keeps owning the model.</param>
    /// <param name="name">Name in reports; the cell's name (e.g. <c>lstm</c>) by default.</param>
    /// <exception cref="ArgumentException">The network was trained with quantile outputs (use <see cref="QuantileNetworkForecaster.FromResult"/>).</exception>
    public static NetworkForecaster FromResult(ForecastResult result, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Quantiles is not null)
            throw new ArgumentException("the experiment trained quantile outputs beside the point forecast; read it with QuantileNetworkForecaster.FromResult", nameof(result));
        var data = result.Data;
        return FromScaled(result.Forecaster, data.Scaler, data.TargetIndex, data.Options.Lookback, data.Options.Horizon,
            name ?? result.Model.Cell.ToString().ToLowerInvariant());
    }

    /// <inheritdoc />
    public double[,] Predict(ForecastWindows windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        windows.RequireLength(Lookback, Name);
        if (scaler is not null && windows.FeatureCount != scaler.ColumnCount)
            throw new ArgumentException($"{Name} was trained on {scaler.ColumnCount} features per row; the windows have {windows.FeatureCount}", nameof(windows));
        using var scope = torch.NewDisposeScope();
        var raw = windows.Inputs.narrow(1, windows.Length - Lookback, Lookback).to(dtype);
        var inputs = scaler is null ? raw : scaler.Transform(raw);
        var output = run(inputs);
        if (scaler is not null) output = scaler.InverseTransformColumn(output, targetIndex);
        if (output.dim() != 2 || output.shape[0] != windows.Count || output.shape[1] != Horizon)
            throw new InvalidOperationException(
                $"{Name} returned [{string.Join(", ", output.shape)}] for {windows.Count} windows; a forecaster of horizon {Horizon} must return ({windows.Count}, {Horizon})");
        var flat = output.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        var forecasts = new double[windows.Count, Horizon];
        Buffer.BlockCopy(flat, 0, forecasts, 0, flat.Length * sizeof(double));
        return forecasts;
    }

    /// <summary>Frees what this forecaster owns (nothing unless a backtest trained it).</summary>
    public void Dispose()
    {
        foreach (var resource in owned) resource.Dispose();
        owned = [];
    }

    /// <summary>Makes this forecaster free <paramref name="resources"/> when it is disposed.</summary>
    internal NetworkForecaster Owning(params IDisposable[] resources)
    {
        owned = [.. owned, .. resources];
        return this;
    }

    private static ScalarType DtypeOf(nn.Module<Tensor, Tensor> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.parameters().FirstOrDefault()?.dtype ?? ScalarType.Float32;
    }
}
