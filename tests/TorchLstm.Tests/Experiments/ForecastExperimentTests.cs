using System.Text.Json.Nodes;
using TorchLstm.Data;
using TorchLstm.Experiments;
using TorchLstm.Models;
using TorchLstm.Training;

namespace TorchLstm.Tests.Experiments;

public class ForecastExperimentTests
{
    private static ForecastExperimentOptions Small(string? output = null) => new()
    {
        HiddenSizes = [8],
        Dropout = 0,
        Data = new ForecastDataOptions { Lookback = 7, Horizon = 2 },
        Training = new TrainingOptions { Epochs = 4, BatchSize = 64, LearningRate = 5e-3, Progress = ProgressMode.None, Seed = 3 },
        OutputDirectory = output,
    };

    [Fact]
    public void Main_job_runs_end_to_end_on_the_bundled_weather_and_writes_every_artifact()
    {
        string output = Path.Combine(Path.GetTempPath(), "torchlstm-forecast-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var result = ForecastExperiment.Run(Small(output), TextWriter.Null);
            result.WriteArtifacts(output);

            Assert.IsType<StackedLstm>(result.Model);
            Assert.Same(result.Model, Assert.IsType<ResidualForecaster>(result.Forecaster).Model);
            Assert.Equal(4, result.History.Count);
            // 1461 rows, 20 % test = 292 target rows minus the last horizon-1 that have no full horizon.
            Assert.Equal(2, result.Truth.GetLength(1));
            Assert.Equal(result.Truth.GetLength(0), result.Predicted.GetLength(0));
            Assert.InRange(result.Rmse, 0.5, 15);           // °C: a real, finite error
            Assert.InRange(result.BaselineRmse, 2, 6);      // day-to-day persistence error of Seattle temp_max

            var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")))!.AsObject();
            foreach (var key in new[] { "rmse", "mae", "baseline_rmse", "baseline_mae", "epochs_run", "best_epoch", "train_seconds" })
                Assert.True(metrics.ContainsKey(key), $"metrics.json lacks {key}");
            Assert.Equal(result.Rmse, metrics["rmse"]!.GetValue<double>(), 12);
            Assert.Equal(WeightHash.Sha256(result.Model), metrics["weights_sha256"]!.GetValue<string>());
            Assert.Matches("^[0-9a-f]{64}$", metrics["weights_sha256"]!.GetValue<string>());
            foreach (var file in new[] { "history.csv", "loss.png", "predictions.png", "model.pt", "scaler.json", "best.pt", "last.pt" })
                Assert.True(File.Exists(Path.Combine(output, file)), $"{file} was not written");
            Assert.Equal(5, File.ReadAllLines(Path.Combine(output, "history.csv")).Length);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void The_baseline_report_puts_the_network_against_every_baseline_and_tests_it_against_the_best()
    {
        using var result = ForecastExperiment.Run(Small() with { Training = Small().Training with { Epochs = 1 } }, TextWriter.Null);
        using var table = ForecastExperiment.LoadTable(Small());
        var (comparison, best) = TorchLstm.Forecasting.BaselineReport.Compare(result, table);

        var names = Enumerable.Range(0, (int)comparison.Rows.Count).Select(r => (string)comparison.Columns["model"][r]).ToList();
        // Daily data, window 7: persistence, weekly seasonal naive, drift, daily climatology and ridge, after the network.
        Assert.Equal(["lstm", "persistence", "seasonal_naive_7", "drift", "climatology_day", "ridge_ar"], names);
        var rmse = names.ToDictionary(n => n, n => (double)comparison.Columns["rmse"][names.IndexOf(n)]!);
        Assert.Equal(names.Skip(1).MinBy(n => rmse[n]), best);
        // The network's RMSE is the experiment's own; persistence's is the experiment's persistence baseline.
        Assert.Equal(result.Rmse, rmse["lstm"], 4);
        Assert.Equal(result.BaselineRmse, rmse["persistence"], 4);
        Assert.True(double.IsNaN((double)comparison.Columns["dm_pvalue"][names.IndexOf(best)]!));
        Assert.InRange((double)comparison.Columns["dm_pvalue"][0]!, 0, 1);
    }

    [Fact]
    public void Test_predictions_come_back_as_a_frame_with_dates_and_steps()
    {
        using var result = ForecastExperiment.Run(Small() with { Training = Small().Training with { Epochs = 1 } }, TextWriter.Null);
        var frame = result.TestPredictions();

        int windows = result.Truth.GetLength(0);
        Assert.Equal(["date", "step", "actual", "predicted", "persistence"], frame.Columns.Select(c => c.Name));
        Assert.Equal(2L * windows, frame.Rows.Count);
        // Row 2w + h is window w, step h + 1; the last row is the last day of the data, 2015-12-31.
        Assert.Equal(result.Timestamps![1, 1], (DateTime)frame.Columns["date"][3]!);
        Assert.Equal(2, frame.Columns["step"][3]);
        Assert.Equal(result.Predicted[1, 1], (double)frame.Columns["predicted"][3]!);
        Assert.Equal(result.Truth[windows - 1, 1], (double)frame.Columns["actual"][frame.Rows.Count - 1]!);
        Assert.Equal(new DateTime(2015, 12, 31), (DateTime)frame.Columns["date"][frame.Rows.Count - 1]!);
    }

    [Fact]
    public void Persistence_baseline_equals_yesterdays_value()
    {
        using var result = ForecastExperiment.Run(Small() with { Training = Small().Training with { Epochs = 1 } }, TextWriter.Null);
        // For horizon step 0 the persistence forecast of window i is the truth of window i-1.
        for (int i = 1; i < result.Truth.GetLength(0); i++)
            Assert.Equal(result.Truth[i - 1, 0], result.Persistence[i, 0], 4);
    }

    [Fact]
    public void Unknown_target_column_lists_the_available_ones()
    {
        var e = Assert.Throws<DataValidationException>(() => ForecastExperiment.Run(Small() with { Target = "temperature" }, TextWriter.Null));
        Assert.Contains("temperature", e.Message);
        Assert.Contains("temp_max", e.Message);
        Assert.Contains("precipitation", e.Message);
    }

    [Fact]
    public void Missing_csv_file_is_named()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ForecastExperiment.Run(Small() with { CsvPath = "no/such/file.csv" }, TextWriter.Null));
        Assert.Contains("no/such/file.csv", e.Message);
    }

    [Theory]
    [InlineData(RecurrentCell.Gru, false, typeof(StackedGru))]
    [InlineData(RecurrentCell.Rnn, false, typeof(StackedRnn))]
    [InlineData(RecurrentCell.Lstm, true, typeof(BidirectionalRnn))]
    public void Model_follows_the_cell_options(RecurrentCell cell, bool bidirectional, Type expected)
    {
        using var model = ForecastExperiment.CreateModel(Small() with { Cell = cell, Bidirectional = bidirectional }, featureCount: 4);
        Assert.IsType(expected, model);
        Assert.Equal(4, model.InputSize);
        Assert.Equal(2, model.OutputSize);
    }
}
