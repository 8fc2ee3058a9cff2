using TorchLstm.Experiments;
using TorchLstm.Models;
using TorchLstm.Reporting;
using TorchLstm.Training;

namespace TorchLstm.Tests.Experiments;

public class ModelComparisonTests
{
    private static readonly int[] Hidden = [4, 3];

    private static ModelComparisonOptions Tiny() => new()
    {
        HiddenSizes = Hidden,
        SinePoints = 200,
        SineLookback = 10,
        Weather = new ForecastExperimentOptions
        {
            Data = new TorchLstm.Data.ForecastDataOptions { Lookback = 5 },
            Training = new TrainingOptions { Epochs = 1, BatchSize = 64 },
        },
        Training = ModelComparisonOptions.DefaultTraining with { Epochs = 2, BatchSize = 64, Seed = 9, Progress = ProgressMode.None },
    };

    private static long Numel(StackedRecurrent model)
    {
        using (model) return model.parameters().Sum(p => p.numel());
    }

    private static StackedRecurrent Build(ComparedModel m, int inputs) => m.Bidirectional
        ? new BidirectionalRnn(m.Cell, inputs, Hidden, 1)
        : m.Cell switch
        {
            RecurrentCell.Lstm => new StackedLstm(inputs, Hidden, 1),
            RecurrentCell.Gru => new StackedGru(inputs, Hidden, 1),
            _ => new StackedRnn(inputs, Hidden, 1),
        };

    [Fact]
    public void Tiny_budget_gives_one_row_per_model_and_task_with_true_parameter_counts_and_finite_metrics()
    {
        var report = ModelComparison.Run(Tiny(), TextWriter.Null);

        Assert.Equal(8, report.Rows.Count);
        using var table = ForecastExperiment.LoadTable(Tiny().Weather);
        int weatherFeatures = table.FeatureCount;
        foreach (var (task, inputs) in new[] { (ModelComparison.SineTask, 1), (ModelComparison.WeatherTask, weatherFeatures) })
        {
            var rows = report.For(task);
            Assert.Equal(["SimpleRNN", "LSTM", "GRU", "BiLSTM"], rows.Select(r => r.Model));
            for (int i = 0; i < rows.Count; i++)
            {
                var expected = ComparedModel.Standard[i];
                using (var model = Build(expected, inputs))
                    Assert.Equal(ModelSummary.Create(model, [1, 5, inputs]).TotalParameters, rows[i].Parameters);
                Assert.Equal(Numel(Build(expected, inputs)), rows[i].Parameters);
                Assert.True(double.IsFinite(rows[i].TestMse) && rows[i].TestMse > 0, $"{task}/{rows[i].Model} test MSE {rows[i].TestMse}");
                Assert.True(double.IsFinite(rows[i].PersistenceRmse) && rows[i].PersistenceRmse > 0);
                Assert.True(rows[i].MillisecondsPerEpoch > 0 && rows[i].CpuMillisecondsPerEpoch > 0);
            }
        }
        // Hand count for the sine LSTM [4, 3]: 4·(4·(1+4) + 2·4) + 4·(3·(4+3) + 2·3) + (3 + 1).
        Assert.Equal(4 * (4 * 5 + 8) + 4 * (3 * 7 + 6) + 4, report.For(ModelComparison.SineTask)[1].Parameters);
        Assert.All(report.For(ModelComparison.SineTask), r => Assert.Equal(2, r.EpochsRun));
        Assert.All(report.For(ModelComparison.WeatherTask), r => Assert.Equal(1, r.EpochsRun));

        string markdown = report.ToMarkdown();
        Assert.Contains("| BiLSTM", markdown);
        Assert.Contains("persistence", markdown);
        var json = report.MetricsJson();
        Assert.Equal(report.Rows[1].TestMse, json["sine"]!["LSTM"]!["test_mse"]!.GetValue<double>());
        Assert.Equal(report.Rows[4].Parameters, json["weather"]!["SimpleRNN"]!["parameters"]!.GetValue<long>());
    }

    [Fact]
    public void Sine_persistence_baseline_is_the_error_of_repeating_the_last_value()
    {
        // A noiseless series y = t: each window's next value is its last value + 1, so persistence MSE is exactly 1.
        using var inputs = TorchSharp.torch.arange(0, 30, dtype: TorchSharp.torch.ScalarType.Float32).reshape(6, 5, 1);
        using var targets = inputs.select(1, -1) + 1;
        Assert.Equal(1.0, ModelComparison.PersistenceMse(new TorchLstm.Data.SequenceDataset(inputs, targets)), 6);
    }

    [Fact]
    public void Nonsense_options_name_the_field()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ModelComparison.Run(Tiny() with { HiddenSizes = [50, 0] }, TextWriter.Null));
        Assert.Equal("HiddenSizes", e.ParamName);
        Assert.Contains("[50, 0]", e.Message);
        var none = Assert.Throws<ArgumentException>(() => (Tiny() with { RunSine = false, RunWeather = false }).Validate());
        Assert.Contains("no task", none.Message);
        var twice = Assert.Throws<ArgumentException>(() => (Tiny() with { Models = [new("LSTM", RecurrentCell.Lstm), new("lstm", RecurrentCell.Gru)] }).Validate());
        Assert.Contains("repeats", twice.Message);
        Assert.Equal("SinePoints", Assert.Throws<ArgumentOutOfRangeException>(() => (Tiny() with { SinePoints = 15 }).Validate()).ParamName);
    }
}
