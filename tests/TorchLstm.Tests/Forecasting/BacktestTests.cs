using TorchLstm.Data;
using TorchLstm.Forecasting;
using TorchSharp;

namespace TorchLstm.Tests.Forecasting;

public class BacktestTests
{
    private static TimeSeriesTable Squares(int rows) => TestSeries.Squares(rows);

    /// <summary>Records what each fit saw and forecasts last value + seed (so runs of different seeds differ by their seed).</summary>
    private sealed class RecordingTrainer
    {
        public List<(int Rows, DateTime Last, int Seed)> Fits { get; } = [];
        public List<OffsetForecaster> Made { get; } = [];

        public ForecasterTrainer Create(string name, bool deterministic, bool baseline = false) =>
            new(name, (history, seed) =>
            {
                Fits.Add(((int)history.Length, history.Timestamps![^1], seed));
                var made = new OffsetForecaster(name, deterministic ? 0 : seed);
                Made.Add(made);
                return made;
            }, baseline, deterministic);
    }

    private sealed class OffsetForecaster(string name, double offset) : IForecaster, IDisposable
    {
        public string Name => name;
        public int Lookback => 1;
        public int Horizon => 1;
        public bool Disposed { get; private set; }

        public double[,] Predict(ForecastWindows windows)
        {
            var last = windows.TargetHistory(1);
            var result = new double[windows.Count, 1];
            for (int i = 0; i < last.Length; i++) result[i, 0] = last[i][0] + offset;
            return result;
        }

        public void Dispose() => Disposed = true;
    }

    /// <summary>Persistence with a fixed ± width interval at the 0.1/0.9 and 0.025/0.975 quantiles.</summary>
    private sealed class BandForecaster(double width) : IProbabilisticForecaster
    {
        public string Name => "band";
        public int Lookback => 1;
        public int Horizon => 1;
        public IReadOnlyList<double> Quantiles { get; } = [0.025, 0.1, 0.9, 0.975];

        public double[,] Predict(ForecastWindows windows) => new Persistence().Predict(windows);

        public double[,,] PredictQuantiles(ForecastWindows windows)
        {
            var point = Predict(windows);
            var result = new double[windows.Count, 1, 4];
            for (int i = 0; i < windows.Count; i++)
            {
                result[i, 0, 0] = point[i, 0] - 2 * width;
                result[i, 0, 1] = point[i, 0] - width;
                result[i, 0, 2] = point[i, 0] + width;
                result[i, 0, 3] = point[i, 0] + 2 * width;
            }
            return result;
        }
    }

    [Fact]
    public void Folds_cover_the_last_rows_and_every_fit_sees_only_rows_before_its_fold()
    {
        using var table = Squares(100);
        var recorder = new RecordingTrainer();
        var result = Backtest.Run(table, [recorder.Create("rec", deterministic: true)], options: new BacktestOptions { Folds = 4, Step = 5 });

        // 4 folds of 5 windows: origins 80, 85, 90, 95; the last window's target is the last row.
        Assert.Equal([80, 85, 90, 95], result.Folds.Select(f => f.FirstOrigin));
        Assert.Equal(20, result.Actual.GetLength(0));
        Assert.Equal(99.0 * 99, result.Actual[19, 0]);
        Assert.Equal(80.0 * 80, result.Actual[0, 0]);
        // Expanding window: fold k trains on rows [0, origin), whose last date is the day before the origin.
        Assert.Equal([80, 85, 90, 95], recorder.Fits.Select(f => f.Rows));
        Assert.Equal(new DateTime(2020, 1, 1).AddDays(79), recorder.Fits[0].Last);
        Assert.Equal(new DateTime(2020, 3, 21), result.Folds[0].OriginTimestamp);
        // Forecast = the last observed value before each target: row t−1.
        var run = Assert.Single(result.Runs);
        for (int w = 0; w < 20; w++) Assert.Equal((79.0 + w) * (79 + w), run.Forecasts[w, 0]);
        Assert.All(recorder.Made, f => Assert.True(f.Disposed));
    }

    [Fact]
    public void Sliding_windows_keep_a_fixed_history_and_refits_happen_every_kth_fold()
    {
        using var table = Squares(100);
        var recorder = new RecordingTrainer();
        var result = Backtest.Run(table, [recorder.Create("rec", deterministic: true)],
            options: new BacktestOptions { Folds = 6, Step = 3, Window = TrainingWindow.Sliding, SlidingLength = 40, RefitEvery = 4 });

        // Origins 82, 85, …, 97; refits at folds 0 and 4 (origins 82 and 94), each on the 40 rows before.
        Assert.Equal([(40, new DateTime(2020, 1, 1).AddDays(81)), (40, new DateTime(2020, 1, 1).AddDays(93))],
            recorder.Fits.Select(f => (f.Rows, f.Last)));
        Assert.Equal([42, 42, 42, 42, 54, 54], result.Folds.Select(f => f.TrainStart));
        // Between refits the model still reads each window's actual last row.
        Assert.Equal(86.0 * 86, result.Runs[0].Forecasts[5, 0]);
    }

    [Fact]
    public void Seeds_give_one_run_each_except_for_deterministic_trainers()
    {
        using var table = Squares(60);
        var recorder = new RecordingTrainer();
        var result = Backtest.Run(table,
            [recorder.Create("fixed", deterministic: true, baseline: true), recorder.Create("net", deterministic: false)],
            options: new BacktestOptions { Folds = 2, Step = 4, Seeds = [7, 11] });

        Assert.Equal(["fixed", "net", "net"], result.Runs.Select(r => r.Model));
        Assert.Equal([null, 7, 11], result.Runs.Select(r => r.Seed));
        // Each fold refits: 2 folds × (1 + 2 seeds) fits.
        Assert.Equal(6, recorder.Fits.Count);
        // Each seed's forecasts are persistence plus the seed.
        var persistence = result.RunsOf("fixed")[0];
        var seeded = result.RunsOf("net")[1];
        Assert.Equal(persistence.Forecasts[3, 0] + 11, seeded.Forecasts[3, 0]);

        var ensemble = result.WithEnsemble("net");
        var mean = ensemble.RunsOf("net_ensemble")[0];
        Assert.Equal(persistence.Forecasts[3, 0] + 9, mean.Forecasts[3, 0], 9);
        Assert.Null(mean.Seed);
        Assert.Contains("already has a model named 'net_ensemble'", Assert.Throws<ArgumentException>(() => ensemble.WithEnsemble("net")).Message);
    }

    [Fact]
    public void Summary_gives_fold_means_the_best_baseline_and_the_paired_test_against_it()
    {
        using var table = Squares(80);
        var trainers = new[]
        {
            ForecasterTrainer.Persistence(),
            ForecasterTrainer.Drift(3),
            new ForecasterTrainer("band", (_, _) => new BandForecaster(100)),
        };
        var result = Backtest.Run(table, trainers, options: new BacktestOptions { Folds = 4, Step = 5 });

        // On t², drift over 3 rows forecasts (t−1)² + ((t−1)² − (t−3)²)/2 = t² − 3; persistence (t−1)² = t² − (2t − 1).
        Assert.Equal("drift", result.BestBaseline);
        var summary = result.Summary();
        int Row(string model) => Enumerable.Range(0, (int)summary.Rows.Count).Single(r => (string)summary.Columns["model"][r] == model);
        double Value(string model, string column) => (double)summary.Columns[column][Row(model)]!;
        Assert.Equal(3, Value("drift", "rmse_mean"), 9);
        Assert.Equal(0, Value("drift", "rmse_std"), 9);
        // Persistence: fold k's errors are 2t − 1 for its 5 targets t; the summary averages the per-fold RMSEs.
        double expected = Enumerable.Range(0, 4).Average(k =>
            Math.Sqrt(Enumerable.Range(60 + 5 * k, 5).Average(t => Math.Pow(2 * t - 1, 2))));
        Assert.Equal(expected, Value("persistence", "rmse_mean"), 6);
        Assert.True(double.IsNaN(Value("drift", "dm_pvalue")));
        Assert.True(Value("persistence", "dm_statistic") > 0);
        Assert.True(Value("persistence", "dm_pvalue") < 1e-6);
        // The band is persistence ± 100 (80 %) and ± 200 (95 %): errors 2t − 1 for t in [60, 80) are 119–157.
        Assert.Equal(0, Value("band", "coverage_80"), 9);
        Assert.Equal(1, Value("band", "coverage_95"), 9);
        Assert.True(double.IsNaN(Value("drift", "coverage_80")));

        var folds = result.FoldMetrics();
        Assert.Equal(12, folds.Rows.Count);
        Assert.Equal("2020-03-01", folds.Columns["origin"][0]);
        // Drift's fold 1: MAE 3 over the training rows' mean absolute change, mean(2t − 1) over t = 1 … 59 = 59.
        Assert.Equal(3 / (2 * 30.0 - 1), (double)folds.Columns["mase"][4]!, 9);
    }

    [Fact]
    public void Mistakes_are_reported_with_the_numbers()
    {
        using var table = Squares(30);
        var tooMany = Assert.Throws<ArgumentException>(() => Backtest.Run(table, [ForecasterTrainer.Persistence()], options: new BacktestOptions { Folds = 8, Step = 4 }));
        Assert.Contains("8 folds of 4 windows with horizon 1 need more than 34 rows before any training; the table has 30", tooMany.Message);

        var twice = Assert.Throws<ArgumentException>(() => Backtest.Run(table, [ForecasterTrainer.Persistence(), ForecasterTrainer.Persistence()]));
        Assert.Contains("two trainers are named 'persistence'", twice.Message);

        var horizon = Assert.Throws<ArgumentException>(() => Backtest.Run(table, [ForecasterTrainer.Persistence(2)], options: new BacktestOptions { Folds = 2, Step = 3 }));
        Assert.Contains("'persistence' forecasts 2 step(s); the backtest's horizon is 1", horizon.Message);

        var lookback = Assert.Throws<ArgumentException>(() => Backtest.Run(table, [ForecasterTrainer.SeasonalNaive(28)], options: new BacktestOptions { Folds = 2, Step = 3 }));
        Assert.Contains("'seasonal_naive_28' reads 28 past rows, but fold 1's first window starts at row 24", lookback.Message);

        var sliding = Assert.Throws<ArgumentOutOfRangeException>(() => new BacktestOptions { Window = TrainingWindow.Sliding }.Validate());
        Assert.Contains("a sliding training window needs SlidingLength ≥ 1 rows; got null", sliding.Message);
        Assert.Contains("RefitEvery must be at least 1; got 0", Assert.Throws<ArgumentOutOfRangeException>(() => new BacktestOptions { RefitEvery = 0 }.Validate()).Message);
        Assert.Contains("the seeds must differ; got 1, 1", Assert.Throws<ArgumentOutOfRangeException>(() => new BacktestOptions { Seeds = [1, 1] }.Validate()).Message);

        var failing = new ForecasterTrainer("broken", (_, _) => throw new ArgumentException("the history is too short"));
        var wrapped = Assert.Throws<ArgumentException>(() => Backtest.Run(table, [failing], options: new BacktestOptions { Folds = 2, Step = 3 }));
        Assert.Contains("fold 1: fitting 'broken' on training rows [0, 24) failed: the history is too short", wrapped.Message);
    }
}
