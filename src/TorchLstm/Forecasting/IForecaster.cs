namespace TorchLstm.Forecasting;

/// <summary>
/// Anything that forecasts a target from windows of past rows on the original scale: the baselines
/// (<see cref="Persistence"/>, <see cref="SeasonalNaive"/>, <see cref="Drift"/>, <see cref="Climatology"/>,
/// <see cref="RidgeAutoregression"/>) and a trained network (<see cref="NetworkForecaster"/>), so that they
/// can be compared, tested against each other and run past the end of the data the same way.
/// </summary>
/// <remarks>
/// A forecaster is fitted when it is made (from the training rows only); <see cref="Predict"/> never
/// learns from the windows it is given.
/// </remarks>
public interface IForecaster
{
    /// <summary>A short name for reports, e.g. <c>persistence</c> or <c>seasonal_naive_7</c>.</summary>
    string Name { get; }

    /// <summary>How many past rows each window must hold at least; longer windows are read from their end.</summary>
    int Lookback { get; }

    /// <summary>How many future target values each forecast holds (1 for a one-step model).</summary>
    int Horizon { get; }

    /// <summary>Forecasts the next <see cref="Horizon"/> target values after every window.</summary>
    /// <param name="windows">Past rows on the original scale.</param>
    /// <returns>Forecasts on the original scale, [window, horizon step].</returns>
    /// <exception cref="ArgumentException">The windows are shorter than <see cref="Lookback"/>, have another
    /// feature count than the forecaster was fitted on, or lack timestamps a forecaster needs.</exception>
    double[,] Predict(ForecastWindows windows);
}
