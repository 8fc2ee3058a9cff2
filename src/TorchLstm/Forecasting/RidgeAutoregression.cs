using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Forecasting;

/// <summary>
/// A linear autoregression on the same window and features a network sees: every horizon step is a
/// linear function of all W × F values of the window, fitted by ridge regression in closed form.
/// </summary>
/// <remarks>
/// Each of the W × F inputs is standardised with the training windows' mean and standard deviation
/// before the penalty applies, so the penalty does not depend on the units of the columns; the
/// intercept is not penalised. The coefficients solve (ZᵀZ + λI) B = Zᵀ(Y − ȳ) in float64, one column
/// per horizon step (a direct multi-horizon forecast).
/// </remarks>
public sealed class RidgeAutoregression : IForecaster
{
    private readonly double[] inputMean, inputScale, targetMean;
    private readonly double[,] coefficients;

    private RidgeAutoregression(int lookback, int horizon, int features, double penalty, double[] inputMean, double[] inputScale, double[] targetMean, double[,] coefficients)
    {
        Lookback = lookback;
        Horizon = horizon;
        FeatureCount = features;
        Penalty = penalty;
        this.inputMean = inputMean;
        this.inputScale = inputScale;
        this.targetMean = targetMean;
        this.coefficients = coefficients;
    }

    /// <inheritdoc />
    public string Name => "ridge_ar";

    /// <inheritdoc />
    public int Lookback { get; }

    /// <inheritdoc />
    public int Horizon { get; }

    /// <summary>Features per row the model was fitted on.</summary>
    public int FeatureCount { get; }

    /// <summary>The ridge penalty λ on the standardised inputs.</summary>
    public double Penalty { get; }

    /// <summary>Fits on the training windows of <paramref name="data"/>: the very windows, features and targets the network trained on.</summary>
    /// <param name="data">Prepared data; its training windows are mapped back to the original scale.</param>
    /// <param name="penalty">Ridge penalty λ ≥ 0 on standardised inputs.</param>
    /// <exception cref="ArgumentOutOfRangeException">The penalty is negative or not finite.</exception>
    public static RidgeAutoregression Fit(ForecastData data, double penalty = 1.0)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var scope = torch.NewDisposeScope();
        return Fit(data.Scaler.InverseTransform(data.Train.Inputs), data.OriginalTargets(data.Train), penalty);
    }

    /// <summary>The penalties <see cref="FitSelectingPenalty"/> tries by default: 0.01 to 1000 in steps of about ×3.</summary>
    public static IReadOnlyList<double> DefaultPenalties { get; } = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000];

    /// <summary>
    /// Fits on the training windows of <paramref name="data"/> once per penalty and keeps the one with the
    /// lowest RMSE on its validation windows, as the network's early stopping does: the test windows are never read.
    /// </summary>
    /// <param name="data">Prepared data with a validation set.</param>
    /// <param name="penalties">Candidate penalties; <see cref="DefaultPenalties"/> when null.</param>
    /// <exception cref="ArgumentException"><paramref name="data"/> has no validation set, or no penalty was given.</exception>
    public static RidgeAutoregression FitSelectingPenalty(ForecastData data, IEnumerable<double>? penalties = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Validation is null)
            throw new ArgumentException("choosing the ridge penalty needs validation windows; prepare the data with a ValidationFraction above 0", nameof(data));
        var candidates = (penalties ?? DefaultPenalties).ToList();
        if (candidates.Count == 0) throw new ArgumentException("give at least one penalty", nameof(penalties));
        using var validation = ForecastWindows.FromData(data, data.Validation);
        using var truthTensor = data.OriginalTargets(data.Validation);
        using var truth64 = truthTensor.to(ScalarType.Float64).contiguous();
        var truth = truth64.data<double>().ToArray();
        RidgeAutoregression? best = null;
        double bestRmse = double.PositiveInfinity;
        foreach (double penalty in candidates)
        {
            var candidate = Fit(data, penalty);
            double rmse = Training.Metrics.Rmse(ForecastMetrics.Flatten(candidate.Predict(validation)), truth);
            if (rmse < bestRmse) (best, bestRmse) = (candidate, rmse);
        }
        return best!;
    }

    /// <summary>Fits on the windows of <paramref name="training"/> (the training part only): inputs of <paramref name="lookback"/> rows, the next <paramref name="horizon"/> target values.</summary>
    /// <param name="training">The training rows.</param>
    /// <param name="lookback">Rows per window W ≥ 1.</param>
    /// <param name="horizon">Target steps H ≥ 1.</param>
    /// <param name="penalty">Ridge penalty λ ≥ 0 on standardised inputs.</param>
    /// <exception cref="ArgumentException">The table is too short for one window.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 or the penalty is negative or not finite.</exception>
    public static RidgeAutoregression Fit(TimeSeriesTable training, int lookback, int horizon = 1, double penalty = 1.0)
    {
        ArgumentNullException.ThrowIfNull(training);
        using var windows = SlidingWindows.Create(training.Values, lookback, horizon, training.TargetIndex);
        return Fit(windows.Inputs, windows.Targets, penalty);
    }

    /// <summary>Fits on windows (N, W, F) and targets (N, H), both on the original scale.</summary>
    /// <exception cref="ArgumentException">The shapes do not correspond, or there are no windows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The penalty is negative or not finite.</exception>
    public static RidgeAutoregression Fit(Tensor inputs, Tensor targets, double penalty = 1.0)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (!double.IsFinite(penalty) || penalty < 0)
            throw new ArgumentOutOfRangeException(nameof(penalty), penalty, "the ridge penalty must be a finite number ≥ 0");
        if (inputs.dim() != 3 || targets.dim() != 2 || inputs.shape[0] != targets.shape[0] || inputs.shape[0] == 0)
            throw new ArgumentException(
                $"ridge regression needs inputs (N, W, F) and targets (N, H) with the same N ≥ 1; got [{string.Join(", ", inputs.shape)}] and [{string.Join(", ", targets.shape)}]",
                nameof(targets));
        using var scope = torch.NewDisposeScope();
        int lookback = (int)inputs.shape[1], features = (int)inputs.shape[2], horizon = (int)targets.shape[1];
        var x = inputs.to(ScalarType.Float64).reshape(inputs.shape[0], -1);
        var y = targets.to(ScalarType.Float64);
        var mean = x.mean([0]);
        // A constant input (std 0) gets scale 1: after centring it is all zeros and the penalty keeps it out.
        var scale = x.std(0, unbiased: false);
        scale = torch.where(scale.gt(1e-12), scale, torch.ones_like(scale));
        var z = (x - mean) / scale;
        var yMean = y.mean([0]);
        var gram = z.t().matmul(z) + penalty * torch.eye(z.shape[1], dtype: ScalarType.Float64);
        var solution = torch.linalg.solve(gram, z.t().matmul(y - yMean));
        var b = solution.contiguous().data<double>().ToArray();
        var matrix = new double[solution.shape[0], horizon];
        Buffer.BlockCopy(b, 0, matrix, 0, b.Length * sizeof(double));
        return new RidgeAutoregression(lookback, horizon, features, penalty,
            mean.data<double>().ToArray(), scale.data<double>().ToArray(), yMean.data<double>().ToArray(), matrix);
    }

    /// <inheritdoc />
    public double[,] Predict(ForecastWindows windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        windows.RequireLength(Lookback, Name);
        if (windows.FeatureCount != FeatureCount)
            throw new ArgumentException($"{Name} was fitted on {FeatureCount} features per row; the windows have {windows.FeatureCount}", nameof(windows));
        using var scope = torch.NewDisposeScope();
        var x = windows.Inputs.narrow(1, windows.Length - Lookback, Lookback).to(ScalarType.Float64).reshape(windows.Count, -1).cpu().contiguous();
        var flat = x.data<double>().ToArray();
        int width = inputMean.Length;
        var forecasts = new double[windows.Count, Horizon];
        for (int i = 0; i < forecasts.GetLength(0); i++)
        {
            for (int h = 0; h < Horizon; h++) forecasts[i, h] = targetMean[h];
            for (int j = 0; j < width; j++)
            {
                double standardised = (flat[i * width + j] - inputMean[j]) / inputScale[j];
                for (int h = 0; h < Horizon; h++) forecasts[i, h] += standardised * coefficients[j, h];
            }
        }
        return forecasts;
    }
}
