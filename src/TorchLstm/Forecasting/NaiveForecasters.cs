namespace TorchLstm.Forecasting;

/// <summary>
/// The baselines that read only each window's own past target values. Each forecast step h = 1 … H is
/// computed from the window alone, so they need no fitting.
/// </summary>
public abstract class WindowBaseline : IForecaster
{
    /// <summary>Sets the horizon and the rows each window must hold.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> or <paramref name="lookback"/> is below 1.</exception>
    private protected WindowBaseline(int lookback, int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        Lookback = lookback;
        Horizon = horizon;
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public int Lookback { get; }

    /// <inheritdoc />
    public int Horizon { get; }

    /// <inheritdoc />
    public double[,] Predict(ForecastWindows windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        windows.RequireLength(Lookback, Name);
        var history = windows.TargetHistory(Lookback);
        var forecasts = new double[history.Length, Horizon];
        for (int i = 0; i < history.Length; i++)
            for (int h = 1; h <= Horizon; h++)
                forecasts[i, h - 1] = Forecast(history[i], h);
        return forecasts;
    }

    /// <summary>The forecast <paramref name="step"/> steps (1-based) after <paramref name="past"/>, the window's last <see cref="Lookback"/> target values.</summary>
    private protected abstract double Forecast(double[] past, int step);
}

/// <summary>Persistence (the naive forecast): every future value equals the last observed one.</summary>
/// <param name="horizon">Number of steps forecast.</param>
public sealed class Persistence(int horizon = 1) : WindowBaseline(1, horizon)
{
    /// <inheritdoc />
    public override string Name => "persistence";

    private protected override double Forecast(double[] past, int step) => past[^1];
}

/// <summary>
/// Seasonal naive: each future value equals the value one season earlier, ŷ(T+h) = y(T+h−m·⌈h/m⌉), so
/// beyond one season the last season repeats.
/// </summary>
public sealed class SeasonalNaive : WindowBaseline
{
    /// <summary>Creates the forecaster for seasons of <paramref name="period"/> steps.</summary>
    /// <param name="period">Steps per season (7 for a weekly cycle in daily data, 12 for monthly data); at least 1.</param>
    /// <param name="horizon">Number of steps forecast.</param>
    /// <exception cref="ArgumentOutOfRangeException">The period or horizon is below 1.</exception>
    public SeasonalNaive(int period, int horizon = 1) : base(period, horizon) => Period = period;

    /// <summary>Steps per season.</summary>
    public int Period { get; }

    /// <inheritdoc />
    public override string Name => $"seasonal_naive_{Period}";

    private protected override double Forecast(double[] past, int step)
    {
        int seasonsBack = (step + Period - 1) / Period;
        return past[past.Length - 1 + step - Period * seasonsBack];
    }
}

/// <summary>
/// Drift: the line through the first and last of the window's last <see cref="IForecaster.Lookback"/> target
/// values, extended, ŷ(T+h) = y(T) + h·(y(T) − y(T−L+1)) / (L − 1).
/// </summary>
public sealed class Drift : WindowBaseline
{
    /// <summary>Creates the forecaster.</summary>
    /// <param name="lookback">Values the slope is measured over; at least 2 (the whole window the network sees is a natural choice).</param>
    /// <param name="horizon">Number of steps forecast.</param>
    /// <exception cref="ArgumentOutOfRangeException">The lookback is below 2 or the horizon below 1.</exception>
    public Drift(int lookback, int horizon = 1) : base(lookback, horizon) =>
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 2);

    /// <inheritdoc />
    public override string Name => "drift";

    private protected override double Forecast(double[] past, int step) =>
        past[^1] + step * (past[^1] - past[0]) / (past.Length - 1);
}
