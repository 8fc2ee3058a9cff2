using System.Text;
using System.Text.Json.Nodes;
using TorchLstm.Reporting;
using TorchLstm.Training;

namespace TorchLstm.Experiments;

/// <summary>One model on one task of <see cref="ModelComparison"/>.</summary>
/// <param name="Task"><see cref="ModelComparison.SineTask"/> or <see cref="ModelComparison.WeatherTask"/>.</param>
/// <param name="Model">The contestant's name.</param>
/// <param name="Parameters">Parameter elements of the model.</param>
/// <param name="MillisecondsPerEpoch">Median wall-clock milliseconds of an epoch (validation included); the median shrugs off load spikes on a shared machine.</param>
/// <param name="TrainSeconds">Wall-clock seconds of all epochs.</param>
/// <param name="CpuMillisecondsPerEpoch">CPU milliseconds the process used per epoch while training (all threads; on the weather task data preparation and test predictions included).</param>
/// <param name="EpochsRun">Epochs trained.</param>
/// <param name="BestEpoch">Epoch with the lowest validation loss (the weights kept), when early stopping ran.</param>
/// <param name="StoppedEarly">Whether early stopping ended training before the epoch limit.</param>
/// <param name="TestMse">Test MSE (on the weather task, in squared target units).</param>
/// <param name="PersistenceRmse">Test RMSE of the persistence forecast (next value = last value).</param>
public sealed record ComparisonRow(
    string Task, string Model, long Parameters, double MillisecondsPerEpoch, double TrainSeconds, double CpuMillisecondsPerEpoch, int EpochsRun, int? BestEpoch,
    bool StoppedEarly, double TestMse, double PersistenceRmse)
{
    /// <summary>Test root-mean-square error.</summary>
    public double TestRmse => Math.Sqrt(TestMse);

    internal static ComparisonRow From(string task, ComparedModel model, long parameters, History history, double cpuSeconds, double testMse, double persistenceRmse)
    {
        var seconds = history.Epochs.Select(e => e.Seconds).Order().ToArray();
        double median = seconds.Length == 0 ? double.NaN
            : seconds.Length % 2 == 1 ? seconds[seconds.Length / 2]
            : (seconds[seconds.Length / 2 - 1] + seconds[seconds.Length / 2]) / 2;
        return new ComparisonRow(task, model.Name, parameters, median * 1000, seconds.Sum(), cpuSeconds * 1000 / Math.Max(1, history.Count), history.Count, history.BestEpoch,
            history.StopReason == StopReason.EarlyStopping, testMse, persistenceRmse);
    }
}

/// <summary>The rows of a <see cref="ModelComparison"/> run, as markdown tables and JSON.</summary>
/// <param name="Options">What was run.</param>
/// <param name="Rows">Sine rows then weather rows, each in model order.</param>
public sealed record ComparisonReport(ModelComparisonOptions Options, IReadOnlyList<ComparisonRow> Rows)
{
    /// <summary>The rows of one task.</summary>
    public IReadOnlyList<ComparisonRow> For(string task) => Rows.Where(r => r.Task == task).ToList();

    /// <summary>
    /// The sine table: parameters, median ms per epoch, test MSE (against the 0.01 noise floor and the
    /// persistence forecast), epochs run and best epoch.
    /// </summary>
    public MarkdownTable SineTable()
    {
        var table = new MarkdownTable(["model", "parameters", "ms / epoch", "CPU ms / epoch", "test MSE", "epochs run", "best epoch", "early stop"], precision: 5);
        table.SetColumnPrecision("ms / epoch", 0).SetColumnPrecision("CPU ms / epoch", 0);
        foreach (var r in For(ModelComparison.SineTask))
            table.AddRow(r.Model, r.Parameters, r.MillisecondsPerEpoch, r.CpuMillisecondsPerEpoch, r.TestMse, r.EpochsRun, r.BestEpoch, r.StoppedEarly ? "yes" : "no");
        var any = For(ModelComparison.SineTask).FirstOrDefault();
        if (any is not null)
            table.AddRow("persistence (last value)", null, null, null, any.PersistenceRmse * any.PersistenceRmse, null, null, null);
        return table;
    }

    /// <summary>The weather table: parameters, median ms per epoch, test RMSE against persistence, epochs run and best epoch.</summary>
    public MarkdownTable WeatherTable()
    {
        var table = new MarkdownTable(["model", "parameters", "ms / epoch", "CPU ms / epoch", "test RMSE", "persistence RMSE", "RMSE / persistence", "epochs run", "best epoch", "early stop"], precision: 3);
        table.SetColumnPrecision("ms / epoch", 0).SetColumnPrecision("CPU ms / epoch", 0);
        foreach (var r in For(ModelComparison.WeatherTask))
            table.AddRow(r.Model, r.Parameters, r.MillisecondsPerEpoch, r.CpuMillisecondsPerEpoch, r.TestRmse, r.PersistenceRmse, r.TestRmse / r.PersistenceRmse, r.EpochsRun, r.BestEpoch, r.StoppedEarly ? "yes" : "no");
        return table;
    }

    /// <summary>results.md: a heading, the setup and one table per task that ran.</summary>
    public string ToMarkdown()
    {
        var o = Options;
        var text = new StringBuilder();
        text.Append("# SimpleRNN vs LSTM vs GRU vs bidirectional LSTM\n\n");
        text.Append(FormattableString.Invariant(
            $"Every model: {o.HiddenSizes.Count} recurrent layers of [{string.Join(", ", o.HiddenSizes)}] units and a Linear head; Adam, MSE, seed {o.Training.Seed}. ms / epoch is the median wall-clock time of an epoch, validation included; CPU ms / epoch is the process's CPU time per epoch, the fairer cost on a busy machine.\n\n"));
        if (o.RunSine)
        {
            text.Append(FormattableString.Invariant(
                $"## Noisy sine (next value from {o.SineLookback} steps; lr {o.Training.LearningRate}, batch {o.Training.BatchSize}, up to {o.Training.Epochs} epochs, early stopping patience {o.SinePatience}; noise floor MSE 0.01)\n\n"));
            text.Append(SineTable()).Append('\n');
        }
        if (o.RunWeather)
        {
            text.Append(FormattableString.Invariant(
                $"## Seattle weather (next-day {o.Weather.Target} from {o.Weather.Data.Lookback} days; lr {o.Weather.Training.LearningRate}, batch {o.Weather.Training.BatchSize}, up to {o.Weather.Training.Epochs} epochs, early stopping patience {o.Weather.EarlyStoppingPatience}, dropout {o.Weather.Dropout}; RMSE in °C)\n\n"));
            text.Append(WeatherTable()).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>metrics.json: <c>{"sine": {model: {...}}, "weather": {model: {...}}, "setup": {...}}</c>.</summary>
    public JsonObject MetricsJson()
    {
        var json = new JsonObject();
        foreach (var task in Rows.Select(r => r.Task).Distinct())
        {
            var models = new JsonObject();
            foreach (var r in For(task))
            {
                models[r.Model] = new JsonObject
                {
                    ["parameters"] = r.Parameters,
                    ["ms_per_epoch"] = Math.Round(r.MillisecondsPerEpoch, 1),
                    ["train_seconds"] = Math.Round(r.TrainSeconds, 3),
                    ["cpu_ms_per_epoch"] = Math.Round(r.CpuMillisecondsPerEpoch, 1),
                    ["test_mse"] = r.TestMse,
                    ["test_rmse"] = r.TestRmse,
                    ["persistence_rmse"] = r.PersistenceRmse,
                    ["epochs_run"] = r.EpochsRun,
                    ["best_epoch"] = r.BestEpoch,
                    ["stopped_early"] = r.StoppedEarly,
                };
            }
            json[task] = models;
        }
        json["setup"] = new JsonObject
        {
            ["seed"] = Options.Training.Seed,
            ["hidden_sizes"] = new JsonArray([.. Options.HiddenSizes.Select(h => JsonValue.Create(h))]),
            ["batch_size"] = Options.Training.BatchSize,
            ["learning_rate"] = Options.Training.LearningRate,
            ["sine_lookback"] = Options.SineLookback,
            ["sine_max_epochs"] = Options.Training.Epochs,
            ["sine_patience"] = Options.SinePatience,
            ["weather_max_epochs"] = Options.Weather.Training.Epochs,
            ["weather_batch_size"] = Options.Weather.Training.BatchSize,
            ["weather_learning_rate"] = Options.Weather.Training.LearningRate,
            ["weather_lookback"] = Options.Weather.Data.Lookback,
        };
        return json;
    }
}
