using TorchLstm.Data;
using TorchLstm.Models;
using TorchLstm.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Forecasting;

/// <summary>
/// Forecasts from a stream: takes one new observation at a time, advances the recurrent state of a
/// stacked LSTM/GRU/RNN forecaster by that one step, and returns the next forecast, without running a
/// window again (Keras's <c>stateful=True</c> at inference).
/// </summary>
/// <remarks>
/// <para>What it equals: after observations x₁ … xₜ the forecast is exactly the model's output on the
/// whole sequence x₁ … xₜ run from a zero state, i.e. <c>model(x[1..t])</c> — the network sees all of the
/// history, not a window of the last W steps. (A window model restarts from a zero state at every window,
/// so no carried state can reproduce it; the two agree only while t ≤ W.) Every step costs one time step of
/// every layer instead of a whole window.</para>
/// <para>Works for <see cref="StackedLstm"/>, <see cref="StackedGru"/> and <see cref="StackedRnn"/> (one direction,
/// one output per sequence), alone or inside a <see cref="ResidualForecaster"/>, as <see cref="Experiments.ForecastExperiment"/>
/// trains them. The model is put in eval mode; dropout does nothing at inference.</para>
/// <para>A network trained with quantile outputs (<see cref="Experiments.ForecastExperimentOptions.Quantiles"/>) streams
/// too: give its levels, and every update also yields the quantiles of the next values (<see cref="LastQuantiles"/>);
/// <see cref="StreamingMonitor"/> turns them into per-point anomaly flags.</para>
/// </remarks>
public sealed class StreamingPredictor : IDisposable
{
    private readonly StackedRecurrent network;
    private readonly int? residualTarget;
    private readonly nn.Module[] layers;
    private readonly nn.Module<Tensor, Tensor> head;
    private readonly Scaler? scaler;
    private readonly int targetIndex;
    private readonly ScalarType dtype;
    private readonly Device device;
    private readonly double[] levels;
    private Tensor?[] hidden;
    private Tensor?[] cells;

    /// <summary>Creates a predictor starting from a zero state.</summary>
    /// <param name="forecaster">A unidirectional <see cref="StackedRecurrent"/> without return sequences, or a
    /// <see cref="ResidualForecaster"/> around one (for example <see cref="Experiments.ForecastResult.Forecaster"/>).</param>
    /// <param name="scaler">The scaler fitted on the training rows, so that observations and forecasts are on the
    /// original scale; null when the model works on raw values.</param>
    /// <param name="targetIndex">Index of the forecast column among the features (for the scaler).</param>
    /// <param name="quantiles">The quantile levels of a network trained with quantile outputs (a point forecast and one
    /// output per level for every horizon step); null for a point forecaster.</param>
    /// <exception cref="ArgumentException">The model is bidirectional, returns sequences, or is not a stacked recurrent forecaster;
    /// the scaler's columns differ from the model's inputs; a quantile level is bad; or the model's output size is not a
    /// multiple of 1 + the number of levels.</exception>
    public StreamingPredictor(nn.Module<Tensor, Tensor> forecaster, Scaler? scaler = null, int targetIndex = 0, IReadOnlyList<double>? quantiles = null)
    {
        ArgumentNullException.ThrowIfNull(forecaster);
        (network, residualTarget) = forecaster switch
        {
            StackedRecurrent stacked => (stacked, (int?)null),
            ResidualForecaster { Model: StackedRecurrent inner } residual => (inner, residual.TargetColumn),
            _ => throw new ArgumentException(
                $"streaming needs a StackedLstm, StackedGru or StackedRnn (or a ResidualForecaster around one); got {forecaster.GetType().Name}", nameof(forecaster)),
        };
        if (network.Bidirectional || network.ReturnSequences)
            throw new ArgumentException(
                "a bidirectional model reads the future of the sequence and a return-sequences model has no single next forecast; streaming needs neither", nameof(forecaster));
        if (scaler is not null && scaler.ColumnCount != network.InputSize)
            throw new ArgumentException($"the scaler was fitted on {scaler.ColumnCount} columns but the model reads {network.InputSize} features", nameof(scaler));
        if (targetIndex < 0 || targetIndex >= network.InputSize)
            throw new ArgumentOutOfRangeException(nameof(targetIndex), targetIndex, $"the model reads {network.InputSize} features; the target index must be in [0, {network.InputSize - 1}]");

        levels = quantiles is null ? [] : Training.QuantileLoss.ValidateLevels(quantiles, nameof(quantiles));
        if (network.OutputSize % (levels.Length + 1) != 0)
            throw new ArgumentException(
                $"the model outputs {network.OutputSize} values per forecast, which is not a point and {levels.Length} quantiles for each of a whole number of horizon steps", nameof(quantiles));
        var children = network.named_modules().ToDictionary(m => m.name, m => m.module);
        layers = Enumerable.Range(0, network.NumLayers).Select(k => children[$"layers.{k}"]).ToArray();
        head = (nn.Module<Tensor, Tensor>)children["head"];
        this.scaler = scaler;
        this.targetIndex = targetIndex;
        var reference = network.parameters().First();
        dtype = reference.dtype;
        device = reference.device;
        forecaster.eval();
        hidden = new Tensor?[layers.Length];
        cells = new Tensor?[layers.Length];
    }

    /// <summary>
    /// A predictor for the trained network of an experiment (its residual wrapper, scaler, target and quantile
    /// levels included), starting from a zero state.
    /// </summary>
    /// <param name="result">The experiment's result; it keeps owning the model.</param>
    /// <exception cref="ArgumentException">The network is bidirectional.</exception>
    public static StreamingPredictor FromResult(Experiments.ForecastResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new StreamingPredictor(result.Forecaster, result.Data.Scaler, result.Data.TargetIndex, result.Quantiles);
    }

    /// <summary>Observations seen since the start (or the restored state's).</summary>
    public long Steps { get; private set; }

    /// <summary>Features per observation.</summary>
    public int FeatureCount => network.InputSize;

    /// <summary>Index of the forecast column among the features.</summary>
    public int TargetIndex => targetIndex;

    /// <summary>Values per forecast (the model's horizon).</summary>
    public int Horizon => network.OutputSize / (levels.Length + 1);

    /// <summary>The quantile levels of each forecast; empty for a point forecaster.</summary>
    public IReadOnlyList<double> Quantiles => levels;

    /// <summary>The point forecast after the last observation; null before the first.</summary>
    public double[]? LastForecast { get; private set; }

    /// <summary>
    /// The quantiles of the next values after the last observation, [horizon step, level] in the order of
    /// <see cref="Quantiles"/>, sorted along the levels; null before the first observation and for a point forecaster.
    /// </summary>
    public double[,]? LastQuantiles => lastQuantiles is null ? null : Unflatten(lastQuantiles);

    private double[]? lastQuantiles;

    /// <summary>
    /// Takes one observation (one value per feature, original scale) and returns the point forecast of the next
    /// <see cref="Horizon"/> target values (their quantiles are in <see cref="LastQuantiles"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The observation has the wrong number of values or a non-finite one.</exception>
    public double[] Update(params double[] observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (observation.Length != FeatureCount)
            throw new ArgumentException($"an observation needs {FeatureCount} values (one per feature); got {observation.Length}", nameof(observation));
        using var row = torch.tensor(observation, [1, FeatureCount], ScalarType.Float64);
        return UpdateMany(row);
    }

    /// <summary>
    /// Takes several observations at once, rows (time, features) on the original scale, in one call per layer
    /// (to warm the state up on a history), and returns the forecast after the last.
    /// </summary>
    /// <exception cref="ArgumentException">The rows are not shaped (time ≥ 1, features) or hold a non-finite value.</exception>
    public double[] UpdateMany(Tensor observations)
    {
        ArgumentNullException.ThrowIfNull(observations);
        if (observations.dim() != 2 || observations.shape[0] < 1 || observations.shape[1] != FeatureCount || !observations.is_floating_point())
            throw new ArgumentException(
                $"observations must be floating-point rows shaped (time, {FeatureCount}); got {observations.dtype} [{string.Join(", ", observations.shape)}]", nameof(observations));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        if (!observations.isfinite().all().item<bool>())
            throw new ArgumentException("observations must be finite; clean missing or infinite values first", nameof(observations));
        var sequence = (scaler is null ? observations : scaler.Transform(observations.to(ScalarType.Float64))).to(dtype, device).unsqueeze(0);
        var lastScaledTarget = sequence[0, -1, targetIndex];
        for (int k = 0; k < layers.Length; k++)
        {
            Tensor output, h;
            Tensor? c = null;
            switch (layers[k])
            {
                case LSTM lstm:
                    (output, h, c) = LstmInferenceFix.Forward(lstm, sequence, hidden[k] is null ? null : (hidden[k]!, cells[k]!));
                    break;
                case GRU gru:
                    (output, h) = gru.call(sequence, hidden[k]);
                    break;
                case RNN rnn:
                    (output, h) = rnn.call(sequence, hidden[k]);
                    break;
                default:
                    throw new InvalidOperationException($"{layers[k].GetType().Name} is not a torch recurrent layer");
            }
            Replace(ref hidden[k], h);
            if (c is not null) Replace(ref cells[k], c);
            sequence = output;
        }
        var forecast = head.call(sequence.select(1, -1));
        if (residualTarget is not null) forecast = forecast + lastScaledTarget;
        if (scaler is not null) forecast = scaler.InverseTransformColumn(forecast.to(ScalarType.Float64), targetIndex);
        Steps += observations.shape[0];
        var outputs = forecast.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        if (levels.Length == 0)
        {
            LastForecast = outputs;
        }
        else
        {
            var (point, quantiles) = QuantileOutputs.Split(outputs, 1, Horizon, levels.Length);
            LastForecast = Enumerable.Range(0, Horizon).Select(h => point[0, h]).ToArray();
            lastQuantiles = new double[quantiles.Length];
            Buffer.BlockCopy(quantiles, 0, lastQuantiles, 0, lastQuantiles.Length * sizeof(double));
        }
        return LastForecast;
    }

    /// <summary>A copy of the current state.</summary>
    public StreamingState SaveState() => new(
        Steps,
        hidden.TakeWhile(h => h is not null).Select(h => ToArray(h!)).ToArray(),
        cells.TakeWhile(c => c is not null).Select(c => ToArray(c!)).ToArray(),
        LastForecast?.ToArray())
    {
        LastQuantiles = lastQuantiles?.ToArray(),
    };

    /// <summary>Continues from <paramref name="state"/> (saved from a predictor of the same model).</summary>
    /// <exception cref="ArgumentException">The state's layer count or sizes do not fit this model.</exception>
    public void RestoreState(StreamingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        bool lstm = network.Cell == RecurrentCell.Lstm;
        bool empty = state.Hidden.Count == 0 && state.Cells.Count == 0;
        if (!empty && (state.Hidden.Count != layers.Length || state.Cells.Count != (lstm ? layers.Length : 0)
            || state.Hidden.Where((h, k) => h.Length != network.HiddenSizes[k]).Any()
            || state.Cells.Where((c, k) => c.Length != network.HiddenSizes[k]).Any()))
            throw new ArgumentException(
                $"the state does not fit this {network.GetType().Name} with hidden sizes [{string.Join(", ", network.HiddenSizes)}]: it has {state.Hidden.Count} hidden and {state.Cells.Count} cell vectors of sizes [{string.Join(", ", state.Hidden.Select(h => h.Length))}]",
                nameof(state));
        if (state.LastQuantiles is { } stored && levels.Length > 0 && stored.Length != Horizon * levels.Length)
            throw new ArgumentException(
                $"the state holds {stored.Length} quantile values but this predictor forecasts {Horizon} steps × {levels.Length} levels", nameof(state));
        Reset();
        if (!empty)
        {
            for (int k = 0; k < layers.Length; k++)
            {
                hidden[k] = FromArray(state.Hidden[k]);
                if (lstm) cells[k] = FromArray(state.Cells[k]);
            }
        }
        Steps = state.Steps;
        LastForecast = state.LastForecast?.ToArray();
        lastQuantiles = levels.Length == 0 ? null : state.LastQuantiles?.ToArray();
    }

    /// <summary>Forgets everything seen: back to a zero state.</summary>
    public void Reset()
    {
        for (int k = 0; k < layers.Length; k++)
        {
            hidden[k]?.Dispose();
            cells[k]?.Dispose();
            hidden[k] = cells[k] = null;
        }
        Steps = 0;
        LastForecast = null;
        lastQuantiles = null;
    }

    /// <summary>Frees the carried state (the model stays the caller's).</summary>
    public void Dispose() => Reset();

    private static void Replace(ref Tensor? slot, Tensor value)
    {
        slot?.Dispose();
        slot = value.detach().clone().DetachFromDisposeScope();
    }

    private double[,] Unflatten(double[] flat)
    {
        var result = new double[Horizon, levels.Length];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(double));
        return result;
    }

    private static double[] ToArray(Tensor state)
    {
        using var values = state.to(ScalarType.Float64).cpu().contiguous();
        return values.data<double>().ToArray();
    }

    private Tensor FromArray(double[] values)
    {
        using var scope = torch.NewDisposeScope();
        return torch.tensor(values, ScalarType.Float64).to(dtype, device).reshape(1, 1, values.Length).contiguous().DetachFromDisposeScope();
    }
}
