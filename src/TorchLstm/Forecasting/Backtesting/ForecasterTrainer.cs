using TorchLstm.Data;
using TorchLstm.Experiments;

namespace TorchLstm.Forecasting;

/// <summary>
/// How a backtest gets a forecaster for each fold: a name and a function that fits one on the fold's
/// training rows. The factories give the library's baselines and networks; any other model fits in through
/// the constructor.
/// </summary>
/// <remarks>A fitted forecaster that is <see cref="IDisposable"/> is disposed by the backtest when it is no longer used.</remarks>
public sealed class ForecasterTrainer
{
    private readonly Func<TimeSeriesTable, int, IForecaster> fit;

    /// <summary>Wraps a fitting function.</summary>
    /// <param name="name">Name in reports; the fitted forecasters' own names are not used.</param>
    /// <param name="fit">Fits a forecaster on the training rows (original scale) with the given seed.</param>
    /// <param name="isBaseline">Whether the model is a baseline the others are measured against.</param>
    /// <param name="isDeterministic">Whether the seed makes no difference (then it is fitted once per fold, not once per seed).</param>
    public ForecasterTrainer(string name, Func<TimeSeriesTable, int, IForecaster> fit, bool isBaseline = false, bool isDeterministic = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(fit);
        Name = name;
        this.fit = fit;
        IsBaseline = isBaseline;
        IsDeterministic = isDeterministic;
    }

    /// <summary>Name in reports.</summary>
    public string Name { get; }

    /// <summary>Whether this is a baseline; the best baseline is the reference of every paired test.</summary>
    public bool IsBaseline { get; }

    /// <summary>Whether the seed makes no difference to the fit.</summary>
    public bool IsDeterministic { get; }

    /// <summary>Fits a forecaster on <paramref name="history"/>.</summary>
    /// <param name="history">The training rows, original scale.</param>
    /// <param name="seed">The seed of this run.</param>
    public IForecaster Fit(TimeSeriesTable history, int seed)
    {
        ArgumentNullException.ThrowIfNull(history);
        return fit(history, seed) ?? throw new InvalidOperationException($"the trainer '{Name}' returned no forecaster");
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>
    /// The simple baselines a series of this frequency is measured against, ridge aside: persistence, the seasonal naive
    /// forecast (7 days for a daily series, 12 months for a monthly one, when the window holds a season), drift over the
    /// window, and climatology (by day of year for a daily series, by month otherwise; only when the frequency is known).
    /// </summary>
    /// <param name="frequency">The series' frequency; null when it has no timestamps.</param>
    /// <param name="lookback">The window the models read.</param>
    /// <param name="horizon">Steps forecast.</param>
    public static IReadOnlyList<ForecasterTrainer> StandardBaselines(SeriesFrequency? frequency, int lookback, int horizon = 1)
    {
        bool daily = frequency == SeriesFrequency.Daily;
        int? season = daily ? 7 : frequency is { Months: 1 } ? 12 : null;
        var baselines = new List<ForecasterTrainer> { Persistence(horizon) };
        if (season is { } period && lookback >= period) baselines.Add(SeasonalNaive(period, horizon));
        if (lookback >= 2) baselines.Add(Drift(lookback, horizon));
        if (frequency is not null) baselines.Add(Climatology(daily ? ClimatologyPeriod.DayOfYear : ClimatologyPeriod.MonthOfYear, horizon));
        return baselines;
    }

    /// <summary>The last observed value, repeated (<see cref="Forecasting.Persistence"/>).</summary>
    public static ForecasterTrainer Persistence(int horizon = 1) =>
        Baseline(new Forecasting.Persistence(horizon).Name, _ => new Forecasting.Persistence(horizon));

    /// <summary>The value one season earlier (<see cref="Forecasting.SeasonalNaive"/>).</summary>
    public static ForecasterTrainer SeasonalNaive(int period, int horizon = 1) =>
        Baseline(new Forecasting.SeasonalNaive(period, horizon).Name, _ => new Forecasting.SeasonalNaive(period, horizon));

    /// <summary>The straight line through the first and last value of the window (<see cref="Forecasting.Drift"/>).</summary>
    public static ForecasterTrainer Drift(int lookback, int horizon = 1) =>
        Baseline("drift", _ => new Forecasting.Drift(lookback, horizon));

    /// <summary>The training rows' mean by day of year or month (<see cref="Forecasting.Climatology"/>); the table needs timestamps.</summary>
    public static ForecasterTrainer Climatology(ClimatologyPeriod period, int horizon = 1) =>
        Baseline(period == ClimatologyPeriod.DayOfYear ? "climatology_day" : "climatology_month",
            history => Forecasting.Climatology.Fit(history, period, horizon));

    /// <summary>
    /// Ridge autoregression on the same windows and features a network reads (<see cref="RidgeAutoregression"/>), its penalty
    /// chosen on the last <paramref name="validationFraction"/> of the training rows as a network's early stopping would be.
    /// </summary>
    public static ForecasterTrainer Ridge(int lookback, int horizon = 1, double validationFraction = 0.2) =>
        Baseline("ridge_ar", history =>
        {
            using var data = ForecastData.Prepare(history, new ForecastDataOptions
            {
                Lookback = lookback, Horizon = horizon, ValidationFraction = validationFraction, TestFraction = 0,
            });
            return RidgeAutoregression.FitSelectingPenalty(data);
        });

    /// <summary>
    /// A network trained as <see cref="ForecastExperiment"/> trains it (the options' model, windows, scaling, early stopping
    /// on the last <see cref="ForecastDataOptions.ValidationFraction"/> of the fold's training rows), with the run's seed.
    /// The options' test fraction is ignored: the fold's evaluation windows are the test. With
    /// <see cref="ForecastExperimentOptions.Quantiles"/> the fitted forecaster is a <see cref="QuantileNetworkForecaster"/>, so
    /// the backtest measures its interval coverage too.
    /// </summary>
    /// <param name="options">Model and training; <see cref="ForecastExperimentOptions.CsvPath"/> and the column names are not used.</param>
    /// <param name="name">Name in reports; the cell's name (<c>lstm</c>, <c>gru</c>, <c>rnn</c>) by default.</param>
    /// <param name="log">Where each fit's summary and progress go; nowhere by default.</param>
    public static ForecasterTrainer Network(ForecastExperimentOptions options, string? name = null, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Training.Validate();
        name ??= options.Cell.ToString().ToLowerInvariant();
        string reportName = name;
        return new ForecasterTrainer(name, (history, seed) =>
        {
            var seeded = options with { Data = options.Data with { TestFraction = 0 }, Training = options.Training with { Seed = seed } };
            var data = ForecastData.Prepare(history, seeded.Data);
            try
            {
                var trained = ForecastExperiment.Train(data, history.FeatureCount, seeded, log ?? TextWriter.Null);
                int lookback = seeded.Data.Lookback, horizon = seeded.Data.Horizon;
                return seeded.Quantiles is { } quantiles
                    ? QuantileNetworkForecaster.FromScaled(trained.Forecaster, data.Scaler, data.TargetIndex, lookback, horizon, quantiles, reportName).Owning(trained.Forecaster, data)
                    : NetworkForecaster.FromScaled(trained.Forecaster, data.Scaler, data.TargetIndex, lookback, horizon, reportName).Owning(trained.Forecaster, data);
            }
            catch
            {
                data.Dispose();
                throw;
            }
        });
    }

    /// <summary>
    /// <paramref name="inner"/> fitted on the first differences of the target and summed back onto the last observed value
    /// (<see cref="DifferencedForecaster"/>), for trending series.
    /// </summary>
    /// <param name="inner">The trainer of the differences' forecaster.</param>
    /// <param name="name">Name in reports; the inner name with <c>_diff</c> by default.</param>
    public static ForecasterTrainer Differenced(ForecasterTrainer inner, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        name ??= $"{inner.Name}_diff";
        string reportName = name;
        return new ForecasterTrainer(name, (history, seed) =>
        {
            using var differences = DifferencedForecaster.Difference(history);
            return DifferencedForecaster.Wrap(inner.Fit(differences, seed), reportName);
        }, inner.IsBaseline, inner.IsDeterministic);
    }

    private static ForecasterTrainer Baseline(string name, Func<TimeSeriesTable, IForecaster> fit) =>
        new(name, (history, _) => fit(history), isBaseline: true, isDeterministic: true);
}
