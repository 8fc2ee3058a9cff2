using System.Diagnostics;
using System.Globalization;
using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Forecasting;

/// <summary>
/// Rolling-origin evaluation (a backtest): every model and baseline is fitted on the rows before each fold's
/// origin and forecasts the fold's windows from their actual past rows, fold after fold, over several seeds —
/// as Darts' <c>historical_forecasts</c>/<c>backtest</c> and the forecasting literature's time-series
/// cross-validation do. One chronological split says little; the spread over folds and seeds says how much.
/// </summary>
public static class Backtest
{
    /// <summary>Runs every trainer over the folds of <paramref name="table"/>.</summary>
    /// <param name="table">The whole series, original scale; its target is forecast.</param>
    /// <param name="trainers">The models and baselines; names must differ.</param>
    /// <param name="horizon">Steps each forecaster forecasts (they must all have this horizon).</param>
    /// <param name="options">Folds, step, window, refits and seeds; the defaults of <see cref="BacktestOptions"/> when null.</param>
    /// <param name="log">Where a line per fitted model and fold goes; nowhere when null.</param>
    /// <returns>Every run's forecasts of every evaluated window, with the folds, for metrics, tests and plots.</returns>
    /// <exception cref="ArgumentException">No trainer, names repeated, too few rows for the folds (the message gives the numbers), or a fitted
    /// forecaster whose horizon differs or whose lookback reaches before the first row.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static BacktestResult Run(TimeSeriesTable table, IReadOnlyList<ForecasterTrainer> trainers, int horizon = 1, BacktestOptions? options = null, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(trainers);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        options = (options ?? new BacktestOptions()).Validate();
        log ??= TextWriter.Null;
        if (trainers.Count == 0) throw new ArgumentException("give at least one trainer", nameof(trainers));
        var repeated = trainers.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new ArgumentException($"two trainers are named '{repeated.Key}'; names must differ", nameof(trainers));

        var target = TargetValues(table);
        var folds = PlanFolds(table, target, horizon, options);
        int windowCount = folds.Sum(f => f.WindowCount), firstOrigin = folds[0].FirstOrigin;
        var actual = new double[windowCount, horizon];
        for (int w = 0; w < windowCount; w++)
            for (int h = 0; h < horizon; h++)
                actual[w, h] = target[firstOrigin + w + h];

        var runs = trainers
            .SelectMany(t => (t.IsDeterministic ? [(int?)null] : options.Seeds.Select(s => (int?)s)).Select(seed => new RunBuilder(t, seed, windowCount, horizon)))
            .ToList();
        try
        {
            foreach (var fold in folds)
            {
                if (fold.Index % options.RefitEvery == 0) Refit(table, fold, runs, options, log);
                // Forecasters of the same lookback read the same windows: cut them once per fold.
                var windows = new Dictionary<int, ForecastWindows>();
                try
                {
                    foreach (var run in runs) Forecast(table, fold, run, horizon, windows);
                }
                finally
                {
                    foreach (var cut in windows.Values) cut.Dispose();
                }
            }
        }
        finally
        {
            foreach (var run in runs) run.Release();
        }
        return new BacktestResult(runs.Select(r => r.Build()).ToList(), actual, folds, horizon, table.TargetColumn);
    }

    private static List<BacktestFold> PlanFolds(TimeSeriesTable table, double[] target, int horizon, BacktestOptions options)
    {
        long rows = table.Length;
        int step = options.Step ?? (int)Math.Max(1, Math.Floor(options.EvaluationFraction * rows / options.Folds));
        long lastOrigin = rows - horizon;
        long firstOrigin = lastOrigin - (long)options.Folds * step + 1;
        if (firstOrigin < 2)
            throw new ArgumentException(
                $"{options.Folds} folds of {step} windows with horizon {horizon} need more than {(long)options.Folds * step + horizon + 1} rows before any training; " +
                $"the table has {rows}. Use fewer folds, a smaller step or more data", nameof(table));
        var folds = new List<BacktestFold>(options.Folds);
        for (int k = 0; k < options.Folds; k++)
        {
            int origin = checked((int)(firstOrigin + (long)k * step));
            int refitOrigin = checked((int)(firstOrigin + (long)(k - k % options.RefitEvery) * step));
            int trainStart = options.Window == TrainingWindow.Sliding ? Math.Max(0, refitOrigin - options.SlidingLength!.Value) : 0;
            var history = target.AsSpan(trainStart, refitOrigin - trainStart).ToArray();
            double scale = history.Length > options.MaseSeasonalPeriod ? ForecastMetrics.NaiveScale(history, options.MaseSeasonalPeriod) : double.NaN;
            DateTime? originTime = table.Timestamps?[origin];
            folds.Add(new BacktestFold(k, origin, originTime, trainStart, refitOrigin - trainStart, k * step, step, scale));
        }
        return folds;
    }

    private static void Refit(TimeSeriesTable table, BacktestFold fold, List<RunBuilder> runs, BacktestOptions options, TextWriter log)
    {
        using var history = table.Slice(fold.TrainStart, fold.TrainRows);
        foreach (var run in runs)
        {
            run.Release();
            var watch = Stopwatch.StartNew();
            try
            {
                run.Current = run.Trainer.Fit(history, run.Seed ?? options.Seeds[0]);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                throw new ArgumentException(
                    $"fold {fold.Index + 1}: fitting '{run.Trainer.Name}' on training rows [{fold.TrainStart}, {fold.TrainStart + fold.TrainRows}) failed: {e.Message}", nameof(table), e);
            }
            run.FitSeconds += watch.Elapsed.TotalSeconds;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fold {fold.Index + 1}: fitted {run.Trainer.Name}{(run.Seed is { } s ? $" (seed {s})" : "")} on {fold.TrainRows} rows in {watch.Elapsed.TotalSeconds:F1} s"));
        }
    }

    private static void Forecast(TimeSeriesTable table, BacktestFold fold, RunBuilder run, int horizon, Dictionary<int, ForecastWindows> windowsByLookback)
    {
        var forecaster = run.Current!;
        if (forecaster.Horizon != horizon)
            throw new ArgumentException($"'{run.Trainer.Name}' forecasts {forecaster.Horizon} step(s); the backtest's horizon is {horizon}", nameof(horizon));
        int lookback = forecaster.Lookback;
        if (fold.FirstOrigin - lookback < 0)
            throw new ArgumentException(
                $"'{run.Trainer.Name}' reads {lookback} past rows, but fold {fold.Index + 1}'s first window starts at row {fold.FirstOrigin}; use fewer folds or a smaller step", nameof(table));
        if (!windowsByLookback.TryGetValue(lookback, out var windows))
            windowsByLookback[lookback] = windows = Windows(table, fold, lookback, horizon);
        var forecasts = forecaster.Predict(windows);
        double[,,]? quantiles = forecaster is IProbabilisticForecaster probabilistic ? probabilistic.PredictQuantiles(windows) : null;
        run.Store(fold.FirstWindow, forecasts, quantiles, (forecaster as IProbabilisticForecaster)?.Quantiles);
    }

    private static ForecastWindows Windows(TimeSeriesTable table, BacktestFold fold, int lookback, int horizon)
    {
        using var scope = torch.NewDisposeScope();
        // Row r of the fold's span is window (r - lookback)'s first row: unfold gives every window at once.
        var span = table.Values.narrow(0, fold.FirstOrigin - lookback, fold.WindowCount + lookback - 1);
        var inputs = span.unfold(0, lookback, 1).permute(0, 2, 1).contiguous();
        DateTime[,]? stamps = null;
        if (table.Timestamps is { } timestamps)
        {
            stamps = new DateTime[fold.WindowCount, horizon];
            for (int w = 0; w < fold.WindowCount; w++)
                for (int h = 0; h < horizon; h++)
                    stamps[w, h] = timestamps[fold.FirstOrigin + w + h];
        }
        return new ForecastWindows(inputs.MoveToOuterDisposeScope(), table.TargetIndex, stamps);
    }

    private static double[] TargetValues(TimeSeriesTable table)
    {
        using var column = table.Values.select(1, table.TargetIndex).to(ScalarType.Float64).contiguous();
        return column.data<double>().ToArray();
    }

    /// <summary>One trainer and seed across the folds: the forecaster in use and every forecast so far.</summary>
    private sealed class RunBuilder(ForecasterTrainer trainer, int? seed, int windows, int horizon)
    {
        private readonly double[,] forecasts = new double[windows, horizon];
        private double[,,]? quantiles;
        private IReadOnlyList<double>? levels;

        public ForecasterTrainer Trainer { get; } = trainer;
        public int? Seed { get; } = seed;
        public IForecaster? Current { get; set; }
        public double FitSeconds { get; set; }

        public void Store(int firstWindow, double[,] values, double[,,]? valueQuantiles, IReadOnlyList<double>? valueLevels)
        {
            int count = values.GetLength(0);
            for (int w = 0; w < count; w++)
                for (int h = 0; h < horizon; h++)
                    forecasts[firstWindow + w, h] = values[w, h];
            if (valueQuantiles is null || valueLevels is null) return;
            if (levels is not null && !levels.SequenceEqual(valueLevels))
                throw new InvalidOperationException($"'{Trainer.Name}' gave quantiles {string.Join(", ", valueLevels)} after {string.Join(", ", levels)}; a trainer's quantile levels must not change between folds");
            levels ??= valueLevels.ToArray();
            quantiles ??= new double[windows, horizon, levels.Count];
            for (int w = 0; w < count; w++)
                for (int h = 0; h < horizon; h++)
                    for (int q = 0; q < levels.Count; q++)
                        quantiles[firstWindow + w, h, q] = valueQuantiles[w, h, q];
        }

        public void Release()
        {
            (Current as IDisposable)?.Dispose();
            Current = null;
        }

        public BacktestRun Build() => new(Trainer.Name, Seed, Trainer.IsBaseline, forecasts, levels, quantiles, FitSeconds);
    }
}
