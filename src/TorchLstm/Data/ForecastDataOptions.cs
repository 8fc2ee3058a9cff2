namespace TorchLstm.Data;

/// <summary>How <see cref="ForecastData.Prepare"/> rescales the columns.</summary>
public enum ScalingKind
{
    /// <summary><see cref="MinMaxScaler"/> onto [<see cref="ForecastDataOptions.RangeMin"/>, <see cref="ForecastDataOptions.RangeMax"/>].</summary>
    MinMax,

    /// <summary><see cref="StandardScaler"/>: zero mean, unit variance.</summary>
    Standard,
}

/// <summary>
/// Options of <see cref="ForecastData.Prepare"/>. Defaults: windows of 30 steps (the main job's lookback)
/// predicting the next value, the last 20 % for testing, 20 % of the rest for validation, min-max scaling to (0, 1).
/// </summary>
public sealed record ForecastDataOptions
{
    /// <summary>Input window length W (time steps per sample; the lookback); at least 1. 30 by default, the main job's.</summary>
    public int Lookback { get; init; } = 30;

    /// <summary>Number of future target values H each sample predicts; at least 1.</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>Fraction of the rows left after the test block that become the validation block (taken from its end); in [0, 1), 0 for none.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Fraction of all rows, taken from the end, that become the test block; in [0, 1), 0 for none.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Which scaler is fitted on the training rows.</summary>
    public ScalingKind Scaling { get; init; } = ScalingKind.MinMax;

    /// <summary>Lower end of the min-max output range.</summary>
    public double RangeMin { get; init; }

    /// <summary>Upper end of the min-max output range.</summary>
    public double RangeMax { get; init; } = 1;

    /// <summary>Creates the (unfitted) scaler these options ask for.</summary>
    public Scaler CreateScaler() => Scaling switch
    {
        ScalingKind.MinMax => new MinMaxScaler(RangeMin, RangeMax),
        ScalingKind.Standard => new StandardScaler(),
        _ => throw new ArgumentOutOfRangeException(nameof(Scaling), Scaling, "scaling must be MinMax or Standard"),
    };
}
