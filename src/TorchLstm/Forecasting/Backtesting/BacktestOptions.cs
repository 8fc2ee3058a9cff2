namespace TorchLstm.Forecasting;

/// <summary>Which rows a backtest fold trains on.</summary>
public enum TrainingWindow
{
    /// <summary>Every row before the fold's origin: the history grows fold by fold.</summary>
    Expanding,

    /// <summary>The last <see cref="BacktestOptions.SlidingLength"/> rows before the fold's origin.</summary>
    Sliding,
}

/// <summary>
/// How <see cref="Backtest.Run"/> cuts a series into rolling-origin folds. Defaults: 8 folds over the last
/// 20 % of the rows, an expanding training window, a refit at every fold, one seed.
/// </summary>
/// <remarks>
/// <para>The forecast origins of the evaluated windows are the last <see cref="Folds"/> × step rows that
/// still have a whole horizon of targets after them; fold k holds the k-th run of step of them. A fold's
/// models are trained on rows before its first origin only, so no target of a fold (or any later row) is seen
/// in training; inside a fold the models read each window's actual past rows, as they would in use.</para>
/// </remarks>
public sealed record BacktestOptions
{
    /// <summary>Number of folds (origins where the models are evaluated in turn); at least 1.</summary>
    public int Folds { get; init; } = 8;

    /// <summary>
    /// Windows per fold, which is also the distance in rows between two folds' origins; null spreads the last
    /// <see cref="EvaluationFraction"/> of the rows over the folds.
    /// </summary>
    public int? Step { get; init; }

    /// <summary>Fraction of the rows evaluated when <see cref="Step"/> is null; in (0, 1).</summary>
    public double EvaluationFraction { get; init; } = 0.2;

    /// <summary>Expanding (all past rows) or sliding (a fixed number of the latest) training window.</summary>
    public TrainingWindow Window { get; init; } = TrainingWindow.Expanding;

    /// <summary>Rows of history a <see cref="TrainingWindow.Sliding"/> window keeps; ignored when expanding.</summary>
    public int? SlidingLength { get; init; }

    /// <summary>
    /// Refit the models at every k-th fold (1: every fold); between refits the last fitted models forecast
    /// the later folds from their actual past rows, without learning from them.
    /// </summary>
    public int RefitEvery { get; init; } = 1;

    /// <summary>Seeds for the trainers that are not deterministic (the networks); each gives one run per fold.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [0];

    /// <summary>Seasonal period of the naive forecast that scales MASE (1: the one-step naive forecast).</summary>
    public int MaseSeasonalPeriod { get; init; } = 1;

    /// <summary>Checks every option and returns this record.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it and the value.</exception>
    public BacktestOptions Validate()
    {
        if (Folds < 1) throw new ArgumentOutOfRangeException(nameof(Folds), Folds, $"{nameof(Folds)} must be at least 1; got {Folds}");
        if (Step is < 1) throw new ArgumentOutOfRangeException(nameof(Step), Step, $"{nameof(Step)} must be at least 1 (or null to spread {nameof(EvaluationFraction)} over the folds); got {Step}");
        if (!(EvaluationFraction > 0 && EvaluationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(EvaluationFraction), EvaluationFraction, $"{nameof(EvaluationFraction)} must be in (0, 1); got {EvaluationFraction}");
        if (Window == TrainingWindow.Sliding && SlidingLength is null or < 1)
            throw new ArgumentOutOfRangeException(nameof(SlidingLength), SlidingLength, $"a sliding training window needs {nameof(SlidingLength)} ≥ 1 rows; got {SlidingLength?.ToString() ?? "null"}");
        if (RefitEvery < 1) throw new ArgumentOutOfRangeException(nameof(RefitEvery), RefitEvery, $"{nameof(RefitEvery)} must be at least 1; got {RefitEvery}");
        if (Seeds is null || Seeds.Count == 0) throw new ArgumentOutOfRangeException(nameof(Seeds), "give at least one seed");
        if (Seeds.Distinct().Count() != Seeds.Count) throw new ArgumentOutOfRangeException(nameof(Seeds), $"the seeds must differ; got {string.Join(", ", Seeds)}");
        if (MaseSeasonalPeriod < 1) throw new ArgumentOutOfRangeException(nameof(MaseSeasonalPeriod), MaseSeasonalPeriod, $"{nameof(MaseSeasonalPeriod)} must be at least 1; got {MaseSeasonalPeriod}");
        return this;
    }
}
