using TorchLstm.Data;
using TorchLstm.Forecasting;
using TorchLstm.Models;

namespace TorchLstm.Experiments;

/// <summary>
/// Setup of <see cref="BacktestStudy"/>: rolling-origin folds, seeds, and the networks' size and training budget.
/// The defaults are the README's backtest: 8 folds over the last 20 % of each series, refits every 2nd fold,
/// 3 seeds, LSTM and GRU of the main job's size ([64, 32]) trained as the main job trains them (at most 100 epochs,
/// early-stopping patience 10). On the weather that network is 4.7 % better than one layer of 32 units trained for
/// at most 40 epochs with patience 5 (RMSE 2.749 against 2.885 °C), for 1.4–2.6 times the fitting time.
/// </summary>
public sealed record BacktestStudyOptions
{
    /// <summary>Folds of the rolling-origin evaluation.</summary>
    public int Folds { get; init; } = 8;

    /// <summary>Seeds of the networks (the baselines are deterministic).</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];

    /// <summary>Refit every k-th fold.</summary>
    public int RefitEvery { get; init; } = 2;

    /// <summary>Fraction of each series' rows evaluated, spread over the folds.</summary>
    public double EvaluationFraction { get; init; } = 0.2;

    /// <summary>Window length; null uses 30 rows for daily series and 24 for monthly or others.</summary>
    public int? Lookback { get; init; }

    /// <summary>Steps forecast at once.</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>The recurrent cells trained, one network each.</summary>
    public IReadOnlyList<RecurrentCell> Cells { get; init; } = [RecurrentCell.Lstm, RecurrentCell.Gru];

    /// <summary>Hidden units of each stacked layer.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [64, 32];

    /// <summary>Most epochs per fit (early stopping usually ends sooner).</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Adam's learning rate; null keeps <see cref="Training.TrainingOptions.LearningRate"/>'s default.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Early-stopping patience in epochs.</summary>
    public int Patience { get; init; } = 10;

    /// <summary>Whether to add an ensemble over seeds of every network (the mean of its runs' forecasts).</summary>
    public bool Ensembles { get; init; } = true;

    /// <summary>
    /// Quantiles the networks learn beside their point forecast (<see cref="ForecastExperimentOptions.Quantiles"/>), for the
    /// coverage of their 80 % and 95 % intervals; null for point forecasts only.
    /// </summary>
    public IReadOnlyList<double>? Quantiles { get; init; } = [0.025, 0.1, 0.5, 0.9, 0.975];

    /// <summary>Calendar columns added to the inputs of every model before the backtest (none by default).</summary>
    public CalendarFeatures Calendar { get; init; } = CalendarFeatures.None;

    /// <summary>
    /// Whether the networks learn the first differences of the target (<see cref="ForecasterTrainer.Differenced"/>) rather than
    /// the change from the last level (<see cref="Models.ResidualForecaster"/>) on level inputs.
    /// </summary>
    public bool Differenced { get; init; }

    /// <summary>Checks the options; returns this record.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public BacktestStudyOptions Validate()
    {
        if (Cells is null || Cells.Count == 0) throw new ArgumentOutOfRangeException(nameof(Cells), "give at least one cell");
        if (HiddenSizes is null || HiddenSizes.Count == 0 || HiddenSizes.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(HiddenSizes), "give at least one layer, each of at least 1 unit");
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(Patience, 0, nameof(Patience));
        ArgumentOutOfRangeException.ThrowIfLessThan(Horizon, 1, nameof(Horizon));
        if (Lookback is < 1) throw new ArgumentOutOfRangeException(nameof(Lookback), Lookback, "the lookback must be at least 1");
        new BacktestOptions { Folds = Folds, Seeds = Seeds, RefitEvery = RefitEvery, EvaluationFraction = EvaluationFraction }.Validate();
        return this;
    }
}
