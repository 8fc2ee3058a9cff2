using System.Text.Json.Nodes;
using TorchLstm.Data;
using TorchLstm.Experiments;
using TorchLstm.Forecasting;
using TorchLstm.Models;
using TorchLstm.Tests.Reliability;
using TorchSharp;

namespace TorchLstm.Tests.Forecasting;

[Collection(nameof(GlobalRandomStateCollection))]
public class NetworkBacktestTests
{
    // A clean sine of period 24, monthly from 2000-01: persistence is far off (|Δ| up to 0.26), a tiny network is not.
    private static TimeSeriesTable Sine(int rows) => TimeSeriesTable.FromTensor(
        torch.sin(torch.arange(rows, dtype: torch.float32) * (2 * Math.PI / 24)), ["y"], 0,
        Enumerable.Range(0, rows).Select(i => new DateTime(2000, 1, 1).AddMonths(i)).ToArray());

    private static readonly BacktestStudyOptions Tiny = new()
    {
        Folds = 2, Seeds = [1, 2], RefitEvery = 2, Lookback = 12, HiddenSizes = [8], Epochs = 30, Patience = 30, LearningRate = 0.01,
        Cells = [RecurrentCell.Lstm],
    };

    [Fact]
    public void A_backtested_network_beats_persistence_on_a_sine_and_reports_every_key()
    {
        using var table = Sine(240);
        var result = BacktestStudy.Run(table, Tiny);

        // Baselines of a monthly series, the network per seed, and its ensemble.
        Assert.Equal(["persistence", "seasonal_naive_12", "drift", "climatology_month", "ridge_ar", "lstm", "lstm_ensemble"], result.Models);
        Assert.Equal(2, result.RunsOf("lstm").Count);
        var metrics = BacktestStudy.Metrics(result);
        double lstm = (double)metrics["lstm_rmse"]!;
        double persistence = (double)metrics["models"]!["persistence"]!["rmse_mean"]!;
        Assert.True(lstm < 0.5 * persistence, $"LSTM RMSE {lstm} against persistence {persistence}");
        // A pure sine is linear in its last two values, so ridge (or climatology) is the best baseline, nearly exact.
        Assert.True((double)metrics["best_baseline_rmse"]! < 0.05, metrics.ToJsonString());
        Assert.NotNull(metrics["dm_pvalue"]);
        // The networks learn the 2.5/10/50/90/97.5 % quantiles too: the coverage of their intervals is measured.
        Assert.InRange((double)metrics["coverage_80"]!, 0, 1);
        Assert.True((double)metrics["coverage_95"]! >= (double)metrics["coverage_80"]!);
        Assert.Equal(2, (int)metrics["seeds"]!);
        // 2 folds of 24 windows end at row 239, so the first origin is row 192: January 2016.
        Assert.Equal("2016-01-01", (string?)metrics["first_origin"]);
    }

    [Fact]
    public void The_report_writes_metrics_folds_and_a_plot_per_series()
    {
        using var table = Sine(120);
        string folder = Directory.CreateTempSubdirectory("backtest-report").FullName;
        try
        {
            var options = Tiny with { Seeds = [1], Epochs = 2, Folds = 2 };
            var combined = BacktestReport.Run([new BacktestSeries("sine", table, "a test sine")], options, folder, TextWriter.Null);

            var written = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")))!.AsObject();
            foreach (string key in new[] { "best_baseline", "best_baseline_rmse", "lstm_rmse", "dm_pvalue", "coverage_80", "coverage_95", "models", "datasets" })
                Assert.True(written.ContainsKey(key), $"metrics.json lacks {key}");
            Assert.Equal((double)combined["lstm_rmse"]!, (double)written["datasets"]!["sine"]!["lstm_rmse"]!);
            Assert.True(new FileInfo(Path.Combine(folder, "sine", "fold_errors.png")).Length > 1000);
            var folds = File.ReadAllLines(Path.Combine(folder, "sine", "folds.csv"));
            // A header and 6 models × 2 folds (one seed, so no ensemble).
            Assert.Equal(1 + 6 * 2, folds.Length);
            Assert.Contains("the LSTM", File.ReadAllText(Path.Combine(folder, "results.md")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_network_trainer_frees_its_model_when_the_backtest_is_done(bool quantiles)
    {
        using var table = Sine(120);
        var study = Tiny with { Epochs = 1, Quantiles = quantiles ? [0.1, 0.9] : null };
        var trainer = ForecasterTrainer.Network(BacktestStudy.NetworkOptions(RecurrentCell.Gru, 12, study));
        var forecaster = trainer.Fit(table, seed: 3);
        Assert.Equal(quantiles, forecaster is QuantileNetworkForecaster);
        Assert.Equal(!quantiles, forecaster is NetworkForecaster);
        using var windows = new ForecastWindows(table.Values.narrow(0, 0, 12).unsqueeze(0).clone(), 0);
        Assert.Single(forecaster.Predict(windows));
        ((IDisposable)forecaster).Dispose();
        Assert.ThrowsAny<Exception>(() => forecaster.Predict(windows));
    }
}
