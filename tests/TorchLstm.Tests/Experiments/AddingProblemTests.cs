using TorchLstm.Training;
using TorchLstm.Experiments;
using TorchLstm.Models;

namespace TorchLstm.Tests.Experiments;

public class AddingProblemTests
{
    [Fact]
    public void Lstm_learns_the_short_adding_problem_well_below_the_constant_baseline()
    {
        var options = new AddingProblemOptions
        {
            Length = 10,
            TrainSamples = 2000,
            ValidationSamples = 200,
            TestSamples = 1000,
            Cells = [RecurrentCell.Lstm],
            HiddenSize = 16,
            Training = AddingProblemOptions.DefaultTraining with { Epochs = 6, BatchSize = 32, LearningRate = 1e-2, Seed = 5, Progress = ProgressMode.None },
            SolvedValidationMse = null,
        };
        var result = AddingProblem.Run(options, TextWriter.Null);

        var lstm = Assert.Single(result.Models);
        Assert.Equal(6, lstm.Epochs);
        Assert.InRange(result.BaselineMse, 0.13, 0.20);
        Assert.True(lstm.TestMse < 0.25 * result.BaselineMse, $"LSTM test MSE {lstm.TestMse} vs baseline {result.BaselineMse}");
        // 4·(16·(2 + 16) + 2·16) LSTM + 17 head
        Assert.Equal(4 * (16 * 18 + 32) + 17, lstm.Parameters);
        Assert.True(lstm.CpuSeconds > 0 && lstm.WallSeconds > 0);

        var json = result.MetricsJson();
        Assert.Equal(lstm.TestMse, json["lstm"]!["test_mse"]!.GetValue<double>());
        Assert.Equal(result.BaselineMse, json["baseline_mse"]!.GetValue<double>());
    }

    [Fact]
    public void Training_stops_once_the_validation_mse_counts_as_solved()
    {
        var options = new AddingProblemOptions
        {
            Length = 4, TrainSamples = 256, ValidationSamples = 64, TestSamples = 64, Cells = [RecurrentCell.Gru],
            HiddenSize = 4, SolvedValidationMse = 10,
            Training = AddingProblemOptions.DefaultTraining with { Epochs = 5, Seed = 1, Progress = ProgressMode.None },
        };
        var result = AddingProblem.Run(options, TextWriter.Null);
        Assert.Equal(1, result.Models[0].Epochs);
        Assert.True(result.Models[0].Solved);
    }

    [Fact]
    public void Data_streams_of_one_seed_are_disjoint_and_reproducible()
    {
        long[] streams = [AddingProblem.StreamSeed(42, 0), AddingProblem.StreamSeed(42, 1), AddingProblem.StreamSeed(42, 2), AddingProblem.StreamSeed(43, 0)];
        Assert.Equal(streams.Length, streams.Distinct().Count());
        Assert.Equal(streams[0], AddingProblem.StreamSeed(42, 0));
    }

    [Fact]
    public void Nonsense_options_name_the_field()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => AddingProblem.Run(new AddingProblemOptions { Length = 1 }, TextWriter.Null));
        Assert.Equal("Length", e.ParamName);
        Assert.Contains("2 or more", e.Message);
        var twice = Assert.Throws<ArgumentException>(() => new AddingProblemOptions { Cells = [RecurrentCell.Lstm, RecurrentCell.Lstm] }.Validate());
        Assert.Contains("twice", twice.Message);
        // Training settings are checked once, by TrainingOptions, naming its field.
        var rate = Assert.Throws<ArgumentOutOfRangeException>(() => new AddingProblemOptions { Training = AddingProblemOptions.DefaultTraining with { LearningRate = double.NaN } }.Validate());
        Assert.Equal("LearningRate", rate.ParamName);
        Assert.Contains("TrainingOptions.LearningRate must", rate.Message);
    }
}
