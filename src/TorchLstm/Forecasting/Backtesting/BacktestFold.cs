namespace TorchLstm.Forecasting;

/// <summary>One fold of a backtest: where its windows are and what its models were trained on.</summary>
/// <param name="Index">0-based fold number, in time order.</param>
/// <param name="FirstOrigin">Row of the first target of the fold's first window (its forecast origin).</param>
/// <param name="OriginTimestamp">Timestamp of that row, when the table has timestamps.</param>
/// <param name="TrainStart">First training row of the models that forecast this fold.</param>
/// <param name="TrainRows">Training rows of those models (they end where the fold, or the fold of the last refit, starts).</param>
/// <param name="FirstWindow">Index of the fold's first window among all evaluated windows.</param>
/// <param name="WindowCount">Windows in the fold.</param>
/// <param name="MaseScale">The MASE denominator: mean absolute naive (seasonal) change over the training rows.</param>
public sealed record BacktestFold(int Index, int FirstOrigin, DateTime? OriginTimestamp, int TrainStart, int TrainRows, int FirstWindow, int WindowCount, double MaseScale);

/// <summary>Every forecast one trainer made with one seed over all folds of a backtest.</summary>
/// <param name="Model">The trainer's name.</param>
/// <param name="Seed">The seed; null for a deterministic trainer (fitted once per fold).</param>
/// <param name="IsBaseline">Whether the trainer is a baseline.</param>
/// <param name="Forecasts">Forecasts, [window, horizon step], windows of all folds in time order.</param>
/// <param name="QuantileLevels">The quantile levels of a probabilistic forecaster; null otherwise.</param>
/// <param name="Quantiles">Its quantile forecasts, [window, horizon step, quantile]; null otherwise.</param>
/// <param name="FitSeconds">Seconds spent fitting, over all refits.</param>
public sealed record BacktestRun(
    string Model, int? Seed, bool IsBaseline, double[,] Forecasts, IReadOnlyList<double>? QuantileLevels, double[,,]? Quantiles, double FitSeconds);
