using System.Text.Json.Nodes;
using TorchLstm.Models;
using TorchLstm.Reporting;
using TorchLstm.Training;

namespace TorchLstm.Experiments;

/// <summary>How one cell did on the adding problem.</summary>
/// <param name="Cell">The recurrent cell.</param>
/// <param name="Parameters">Parameter elements of the model.</param>
/// <param name="TestMse">MSE on the test sequences with the final weights.</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="Solved">Whether training stopped because the validation MSE reached <see cref="AddingProblemOptions.SolvedValidationMse"/>.</param>
/// <param name="OutOfTime">Whether training stopped because <see cref="AddingProblemOptions.TimeBudgetPerModel"/> was spent.</param>
/// <param name="WallSeconds">Wall-clock seconds of training.</param>
/// <param name="CpuSeconds">CPU seconds the process used while training (all threads); on a shared machine a fairer cost than wall time.</param>
/// <param name="History">Per-epoch losses.</param>
public sealed record AddingModelResult(
    RecurrentCell Cell, long Parameters, double TestMse, int Epochs, bool Solved, bool OutOfTime, double WallSeconds, double CpuSeconds, History History);

/// <summary>The outcome of <see cref="AddingProblem.Run"/>.</summary>
/// <param name="Options">What was run.</param>
/// <param name="Models">One result per cell, in the order of <see cref="AddingProblemOptions.Cells"/>.</param>
/// <param name="BaselineMse">Test MSE of always predicting 1 (≈ 1/6).</param>
public sealed record AddingProblemResult(AddingProblemOptions Options, IReadOnlyList<AddingModelResult> Models, double BaselineMse)
{
    /// <summary>
    /// <c>{"lstm": {"test_mse", "epochs", "seconds", "cpu_seconds", ...}, "gru": {...}, "rnn": {...}, "baseline_mse", "setup": {...}}</c>.
    /// </summary>
    public JsonObject MetricsJson()
    {
        var json = new JsonObject();
        foreach (var m in Models)
        {
            json[AddingProblem.Name(m.Cell)] = new JsonObject
            {
                ["test_mse"] = m.TestMse,
                ["test_mse_over_baseline"] = m.TestMse / BaselineMse,
                ["epochs"] = m.Epochs,
                ["solved"] = m.Solved,
                ["out_of_time"] = m.OutOfTime,
                ["seconds"] = Math.Round(m.WallSeconds, 2),
                ["cpu_seconds"] = Math.Round(m.CpuSeconds, 2),
                ["parameters"] = m.Parameters,
                ["final_val_mse"] = m.History.Last?.ValidationLoss,
            };
        }
        json["baseline_mse"] = BaselineMse;
        json["setup"] = new JsonObject
        {
            ["T"] = Options.Length,
            ["seed"] = Options.Training.Seed,
            ["train_samples"] = Options.TrainSamples,
            ["validation_samples"] = Options.ValidationSamples,
            ["test_samples"] = Options.TestSamples,
            ["hidden"] = Options.HiddenSize,
            ["weight_init"] = Options.WeightInit.ToString(),
            ["cells"] = string.Join(",", Options.Cells.Select(AddingProblem.Name)),
            ["max_epochs"] = Options.Training.Epochs,
            ["batch_size"] = Options.Training.BatchSize,
            ["learning_rate"] = Options.Training.LearningRate,
            ["clip_grad_norm"] = Options.Training.ClipGradNorm,
            ["solved_val_mse"] = Options.SolvedValidationMse,
            ["time_budget_seconds"] = Options.TimeBudgetPerModel?.TotalSeconds,
        };
        return json;
    }

    /// <summary>A table with one row per model and a last row for the baseline.</summary>
    public MarkdownTable ToTable()
    {
        var table = new MarkdownTable(["model", "parameters", "test MSE", "vs baseline", "epochs", "wall s", "CPU s"], precision: 4);
        table.SetColumnPrecision("test MSE", 5).SetColumnPrecision("wall s", 1).SetColumnPrecision("CPU s", 1).SetColumnPrecision("vs baseline", 3);
        foreach (var m in Models)
            table.AddRow(AddingProblem.Name(m.Cell).ToUpperInvariant(), m.Parameters, m.TestMse, m.TestMse / BaselineMse, m.Epochs, m.WallSeconds, m.CpuSeconds);
        table.AddRow("baseline (always 1)", null, BaselineMse, 1.0, null, null, null);
        return table;
    }
}
