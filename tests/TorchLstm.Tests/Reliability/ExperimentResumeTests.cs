using TorchLstm.Cli;
using TorchLstm.Data;
using TorchLstm.Experiments;
using TorchLstm.Models;
using TorchLstm.Training;
using TorchLstm.Training.Search;

namespace TorchLstm.Tests.Reliability;

/// <summary>
/// The experiments that train several models keep one checkpoint folder per model and resume each one:
/// a crash is simulated by deleting a model's newest checkpoint, and the resumed run must end exactly
/// where the uninterrupted one did.
/// </summary>
[Collection(nameof(GlobalRandomStateCollection))]
public class ExperimentResumeTests
{
    private static AddingProblemOptions Adding(string? checkpoints = null, bool resume = false) => new()
    {
        Length = 6, TrainSamples = 192, ValidationSamples = 32, TestSamples = 64, HiddenSize = 6,
        Cells = [RecurrentCell.Lstm, RecurrentCell.Rnn],
        Training = AddingProblemOptions.DefaultTraining with { Epochs = 3, Seed = 3, Progress = ProgressMode.None, CheckpointDirectory = checkpoints, Resume = resume },
    };

    private static string NewestCheckpoint(string folder) => TrainingCheckpoint.Find(folder).First();

    [Fact]
    public void Adding_problem_keeps_a_folder_per_cell_and_a_resumed_run_matches_the_uninterrupted_one()
    {
        var expected = AddingProblem.Run(Adding(), TextWriter.Null);

        using var dir = new TempDirectory();
        AddingProblem.Run(Adding(dir.Path), TextWriter.Null);
        Assert.Equal(["epoch-0003.ckpt", "epoch-0002.ckpt"], TrainingCheckpoint.Find(dir.File("lstm")).Select(Path.GetFileName));
        Assert.Equal(["epoch-0003.ckpt", "epoch-0002.ckpt"], TrainingCheckpoint.Find(dir.File("rnn")).Select(Path.GetFileName));
        File.Delete(NewestCheckpoint(dir.File("rnn")));   // the RNN's run "died" before its last checkpoint

        var resumed = AddingProblem.Run(Adding(dir.Path, resume: true), TextWriter.Null);

        Assert.Equal(expected.Models.Select(m => m.TestMse), resumed.Models.Select(m => m.TestMse));
        Assert.Equal(expected.Models.Select(m => m.History.Series("val_loss")), resumed.Models.Select(m => m.History.Series("val_loss")));
        Assert.EndsWith("epoch-0002.ckpt", resumed.Models.Single(m => m.Cell == RecurrentCell.Rnn).History.ResumedFrom);
        Assert.EndsWith("epoch-0003.ckpt", resumed.Models.Single(m => m.Cell == RecurrentCell.Lstm).History.ResumedFrom);
    }

    [Fact]
    public void Model_comparison_resumes_each_model_from_its_own_folder()
    {
        ModelComparisonOptions Options(string? checkpoints = null, bool resume = false) => new()
        {
            Models = [new ComparedModel("LSTM", RecurrentCell.Lstm), new ComparedModel("Bi GRU", RecurrentCell.Gru, Bidirectional: true)],
            HiddenSizes = [6], RunWeather = false, SinePoints = 160, SineLookback = 10,
            Training = ModelComparisonOptions.DefaultTraining with { Epochs = 3, Seed = 4, Progress = ProgressMode.None, CheckpointDirectory = checkpoints, Resume = resume },
        };
        var expected = ModelComparison.RunSine(Options(), TextWriter.Null);

        using var dir = new TempDirectory();
        ModelComparison.RunSine(Options(dir.Path), TextWriter.Null);
        string gruFolder = Path.Combine(dir.Path, "sine", "Bi_GRU");
        Assert.Equal(2, TrainingCheckpoint.Find(gruFolder).Count());
        Assert.Equal(2, TrainingCheckpoint.Find(Path.Combine(dir.Path, "sine", "LSTM")).Count());
        File.Delete(NewestCheckpoint(gruFolder));
        string lstmLast = NewestCheckpoint(Path.Combine(dir.Path, "sine", "LSTM"));
        string gruKept = NewestCheckpoint(gruFolder);
        var (lstmWritten, gruWritten) = (File.GetLastWriteTimeUtc(lstmLast), File.GetLastWriteTimeUtc(gruKept));

        var resumed = ModelComparison.RunSine(Options(dir.Path, resume: true), TextWriter.Null);

        Assert.Equal(expected.Select(r => r.TestMse), resumed.Select(r => r.TestMse));
        // Neither model started over: the finished LSTM was restored from its last checkpoint and the GRU went on
        // from epoch 2, so neither file was rewritten; the GRU's epoch 3 was trained and saved again.
        Assert.Equal(lstmWritten, File.GetLastWriteTimeUtc(lstmLast));
        Assert.Equal(gruWritten, File.GetLastWriteTimeUtc(gruKept));
        Assert.Equal(["epoch-0003.ckpt", "epoch-0002.ckpt"], TrainingCheckpoint.Find(gruFolder).Select(Path.GetFileName));
    }

    [Fact]
    public void Search_trials_never_share_a_checkpoint_folder_and_a_resumed_search_ranks_the_same()
    {
        var space = new SearchSpace { HiddenSizes = [4, 8], LearningRates = [1e-2], Lookbacks = [6] };
        static TrialData Data(int lookback)
        {
            using var series = BundledDatasets.NoisySine(points: 160, end: 16, seed: 5);
            using var table = TimeSeriesTable.FromTensor(series);
            return TrialData.From(ForecastData.Prepare(table, new ForecastDataOptions { Lookback = lookback, ValidationFraction = 0.25, TestFraction = 0 }));
        }
        SearchResult Search(string? checkpoints, bool resume) => new HyperparameterSearch(space, new SearchOptions
        {
            Strategy = SearchStrategy.Grid, Seed = 2, Patience = null,
            Training = new TrainingOptions { Epochs = 3, BatchSize = 16, Progress = ProgressMode.None, CheckpointDirectory = checkpoints, Resume = resume },
        }).Run(Data);
        var expected = Search(null, false);

        using var dir = new TempDirectory();
        Search(dir.Path, false);
        Assert.Equal(["trial-001", "trial-002"], Directory.GetDirectories(dir.Path).Select(Path.GetFileName).Order());
        File.Delete(NewestCheckpoint(dir.File("trial-002")));
        string firstTrialLast = NewestCheckpoint(dir.File("trial-001"));
        string secondTrialKept = NewestCheckpoint(dir.File("trial-002"));
        var (firstTrialWritten, secondTrialWritten) = (File.GetLastWriteTimeUtc(firstTrialLast), File.GetLastWriteTimeUtc(secondTrialKept));

        var resumed = Search(dir.Path, true);

        Assert.Equal(expected.Trials.Select(t => t.ValidationMetric), resumed.Trials.Select(t => t.ValidationMetric));
        // Trial 1 was replayed from its last checkpoint and trial 2 went on from its epoch 2: neither file was rewritten.
        Assert.Equal(firstTrialWritten, File.GetLastWriteTimeUtc(firstTrialLast));
        Assert.Equal(secondTrialWritten, File.GetLastWriteTimeUtc(secondTrialKept));
        Assert.Equal(["epoch-0003.ckpt", "epoch-0002.ckpt"], TrainingCheckpoint.Find(dir.File("trial-002")).Select(Path.GetFileName));
    }

    [Fact]
    public void Resume_without_a_checkpoint_folder_is_refused_by_the_options_and_the_command_line()
    {
        var adding = Assert.Throws<ArgumentException>(() => new AddingProblemOptions { Training = AddingProblemOptions.DefaultTraining with { Resume = true } }.Validate());
        Assert.Equal("Resume", adding.ParamName);
        Assert.Contains("TrainingOptions.Resume needs a CheckpointDirectory", adding.Message);
        var comparison = Assert.Throws<ArgumentException>(() => new ModelComparisonOptions { Training = new TrainingOptions { CheckpointDirectory = " " } }.Validate());
        Assert.Contains("TrainingOptions.CheckpointDirectory must be null", comparison.Message);

        var usage = Assert.Throws<UsageException>(() => new CommandLine(["--resume"]).Checkpoints());
        Assert.Contains("--resume needs --checkpoint-dir DIR", usage.Message);
        Assert.Equal(("runs/x", true), new CommandLine(["--checkpoint-dir", "runs/x", "--resume"]).Checkpoints());
    }
}
