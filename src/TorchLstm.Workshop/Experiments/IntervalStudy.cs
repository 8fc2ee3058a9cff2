using TorchLstm.Data;
using TorchLstm.Forecasting;

namespace TorchLstm.Experiments;

/// <summary>
/// Trainers for measuring prediction intervals in a rolling-origin backtest (<c>experiments/intervals.cs --backtest</c>):
/// a quantile network as it trains, the same conformalized on the fold's validation windows, and persistence with
/// empirical error quantiles.
/// </summary>
public static class IntervalStudy
{
    /// <summary>
    /// A network trained with <see cref="ForecastExperimentOptions.Quantiles"/> on each fold's training rows (early stopping on
    /// their last <see cref="ForecastDataOptions.ValidationFraction"/>), its raw quantiles, or with <paramref name="conformalize"/>
    /// its quantiles moved by their misses on those validation windows (<see cref="EmpiricalIntervals.Conformalize"/>).
    /// </summary>
    public static ForecasterTrainer QuantileNetwork(ForecastExperimentOptions options, string name, bool conformalize = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Quantiles is null) throw new ArgumentException("the options need Quantiles", nameof(options));
        return new ForecasterTrainer(name, (history, seed) =>
        {
            var seeded = options with { Data = options.Data with { TestFraction = 0 }, Training = options.Training with { Seed = seed } };
            var data = ForecastData.Prepare(history, seeded.Data);
            try
            {
                var trained = ForecastExperiment.Train(data, history.FeatureCount, seeded, TextWriter.Null);
                var network = QuantileNetworkForecaster.FromScaled(trained.Forecaster, data.Scaler, data.TargetIndex,
                    seeded.Data.Lookback, seeded.Data.Horizon, options.Quantiles, name).Owning(trained.Forecaster, data);
                if (!conformalize || data.Validation is null) return network;
                using var windows = ForecastWindows.FromData(data, data.Validation);
                using var targets = data.OriginalTargets(data.Validation);
                return new OwningIntervals(EmpiricalIntervals.Conformalize(network, windows, ToMatrix(targets)), network);
            }
            catch
            {
                data.Dispose();
                throw;
            }
        });
    }

    /// <summary>
    /// Persistence with intervals from its error quantiles on the last <paramref name="calibrationFraction"/> of each
    /// fold's training rows (<see cref="EmpiricalIntervals.Fit"/>): the intervals every baseline can have.
    /// </summary>
    public static ForecasterTrainer EmpiricalPersistence(IReadOnlyList<double> quantiles, int lookback, int horizon = 1, double calibrationFraction = 0.2) =>
        new("persistence_empirical", (history, _) =>
        {
            using var data = ForecastData.Prepare(history, new ForecastDataOptions
            {
                Lookback = lookback, Horizon = horizon, ValidationFraction = calibrationFraction, TestFraction = 0,
            });
            using var windows = ForecastWindows.FromData(data, data.Validation!);
            using var targets = data.OriginalTargets(data.Validation!);
            return EmpiricalIntervals.Fit(new Persistence(horizon), windows, ToMatrix(targets), quantiles);
        }, isDeterministic: true);

    private static double[,] ToMatrix(TorchSharp.torch.Tensor values)
    {
        using var cpu = values.to(TorchSharp.torch.ScalarType.Float64).cpu().contiguous();
        var flat = cpu.data<double>().ToArray();
        var matrix = new double[cpu.shape[0], cpu.shape[1]];
        Buffer.BlockCopy(flat, 0, matrix, 0, flat.Length * sizeof(double));
        return matrix;
    }

    /// <summary>Conformalized intervals that free the network under them when the backtest is done with them.</summary>
    private sealed class OwningIntervals(EmpiricalIntervals intervals, IDisposable owned) : IProbabilisticForecaster, IDisposable
    {
        public string Name => intervals.Name;
        public int Lookback => intervals.Lookback;
        public int Horizon => intervals.Horizon;
        public IReadOnlyList<double> Quantiles => intervals.Quantiles;
        public double[,] Predict(ForecastWindows windows) => intervals.Predict(windows);
        public double[,,] PredictQuantiles(ForecastWindows windows) => intervals.PredictQuantiles(windows);
        public void Dispose() => owned.Dispose();
    }
}
