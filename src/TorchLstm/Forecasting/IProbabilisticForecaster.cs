namespace TorchLstm.Forecasting;

/// <summary>
/// A forecaster that also gives quantiles of each forecast, so that prediction intervals (for example the
/// 10 %–90 % quantiles as an 80 % interval) can be read, checked for coverage in a backtest and used as
/// per-point anomaly thresholds.
/// </summary>
public interface IProbabilisticForecaster : IForecaster
{
    /// <summary>The quantile levels this forecaster gives, strictly increasing, each in (0, 1).</summary>
    IReadOnlyList<double> Quantiles { get; }

    /// <summary>Forecasts the quantiles of the next <see cref="IForecaster.Horizon"/> target values after every window.</summary>
    /// <param name="windows">Past rows on the original scale.</param>
    /// <returns>Quantiles on the original scale, [window, horizon step, quantile] in the order of <see cref="Quantiles"/>,
    /// non-decreasing along the last dimension.</returns>
    /// <exception cref="ArgumentException">The windows do not fit the forecaster (see <see cref="IForecaster.Predict"/>).</exception>
    double[,,] PredictQuantiles(ForecastWindows windows);
}
