using TorchLstm.Training;
using TorchSharp;
using TorchLstm.IO;

namespace TorchLstm.Tests.Training;

public class CallbackTests
{
    private readonly ExperimentRunner runner = new();

    [Fact]
    public void EarlyStopping_stops_at_the_right_epoch_and_restores_the_best_weights()
    {
        using var train = ToyData.Linear(64, seed: 21);
        using var model = new LastStepLinear(3);
        // Best at epoch 5; epochs 6, 7 and 8 fail to beat it, so patience 3 runs out at epoch 8.
        using var script = new ScriptedLogs("val_loss", [1.0, 0.8, 0.9, 0.85, 0.7, 0.75, 0.72, 0.71, 0.5, 0.4]);
        using var stopping = new EarlyStopping(patience: 3, restoreBestWeights: true);

        var history = runner.Fit(model, train, train, ToyData.Quiet(10), [script, stopping]);

        Assert.Equal(8, history.Count);
        Assert.Equal(8, stopping.StoppedEpoch);
        Assert.Equal(StopReason.EarlyStopping, history.StopReason);
        Assert.Equal(5, history.BestEpoch);
        Assert.Equal("val_loss", history.Monitor);
        Assert.Contains("epoch 8", history.StopMessage);
        Assert.True(ToyData.SameWeights(script.Weights[4], model), "weights must be those of epoch 5");
        Assert.False(ToyData.SameWeights(script.Weights[7], model));
    }

    [Fact]
    public void EarlyStopping_restores_the_best_weights_when_the_last_epoch_is_reached_as_keras_3_does()
    {
        using var train = ToyData.Linear(64, seed: 30);
        using var model = new LastStepLinear(3);
        // Best at epoch 2; patience 10 never runs out, so all 5 epochs run.
        using var script = new ScriptedLogs("val_loss", [1.0, 0.5, 0.9, 0.8, 0.7]);
        using var stopping = new EarlyStopping(patience: 10, restoreBestWeights: true);

        var history = runner.Fit(model, train, train, ToyData.Quiet(5), [script, stopping]);

        Assert.Equal(StopReason.Completed, history.StopReason);
        Assert.Equal(5, history.Count);
        Assert.Equal(2, history.BestEpoch);
        Assert.Equal(0, stopping.StoppedEpoch);
        Assert.True(ToyData.SameWeights(script.Weights[1], model), "weights must be those of epoch 2, the best");
        Assert.False(ToyData.SameWeights(script.Weights[4], model));
    }

    [Fact]
    public void Without_restoreBestWeights_the_last_epochs_weights_stay()
    {
        using var train = ToyData.Linear(64, seed: 30);
        using var model = new LastStepLinear(3);
        using var script = new ScriptedLogs("val_loss", [1.0, 0.5, 0.9, 0.8, 0.7]);
        using var stopping = new EarlyStopping(patience: 10);

        var history = runner.Fit(model, train, train, ToyData.Quiet(5), [script, stopping]);

        Assert.Equal(2, history.BestEpoch);
        Assert.True(ToyData.SameWeights(script.Weights[4], model));
    }

    [Theory]
    [InlineData(0.0, 0.0, 5)]   // best 0.7 at epoch 3 is not beaten at epochs 4 and 5: stop at 5.
    [InlineData(0.15, 0.0, 4)]  // minDelta 0.15: 1.0 → 0.8 counts, 0.8 → 0.7 does not; epochs 3 and 4 wait: stop at 4.
    [InlineData(0.0, 0.5, 2)]   // baseline 0.5 not beaten: waiting counts from epoch 1, and Keras never stops at epoch 1.
    public void EarlyStopping_follows_keras_min_delta_and_baseline_semantics(double minDelta, double baseline, int stopEpoch)
    {
        using var train = ToyData.Linear(32, seed: 22);
        using var model = new LastStepLinear(3);
        using var script = new ScriptedLogs("val_loss", [1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.69, 0.5]);
        using var stopping = new EarlyStopping(patience: 2, minDelta: minDelta, baseline: baseline == 0 ? null : baseline);

        var history = runner.Fit(model, train, train, ToyData.Quiet(8), [script, stopping]);

        Assert.Equal(stopEpoch, history.Count);
        Assert.Equal(StopReason.EarlyStopping, history.StopReason);
    }

    [Fact]
    public void EarlyStopping_in_max_mode_tracks_the_highest_value()
    {
        using var train = ToyData.Linear(32, seed: 23);
        using var model = new LastStepLinear(3);
        using var script = new ScriptedLogs("val_mae", [0.1, 0.3, 0.2, 0.25, 0.9]);
        using var stopping = new EarlyStopping("val_mae", MonitorMode.Max, patience: 2);

        var history = runner.Fit(model, train, train, ToyData.Quiet(5), [script, stopping]);

        Assert.Equal(4, history.Count);
        Assert.Equal(2, history.BestEpoch);
    }

    [Fact]
    public void A_NaN_loss_stops_training_naming_the_epoch_and_batch_and_restores_the_best_weights()
    {
        using var train = ToyData.Linear(128, seed: 24);
        Seeding.SeedEverything(25);
        // 4 batches per epoch: the 7th training forward is epoch 2, batch 3.
        using var model = new NaNOnCall(3, poisonedCall: 7);
        using var script = new ScriptedLogs("unused", new double[10]);
        using var stopping = new EarlyStopping("loss", patience: 10, restoreBestWeights: true);

        var history = runner.Fit(model, train, null, ToyData.Quiet(10), [script, stopping]);

        Assert.Equal(StopReason.NonFiniteLoss, history.StopReason);
        Assert.Equal(2, history.Count);
        Assert.True(double.IsNaN(history[2].Loss));
        Assert.Contains("loss is NaN at epoch 2, first at batch 3 of 4", history.StopMessage);
        Assert.Contains("restored the weights of epoch 1", history.StopMessage);
        Assert.True(ToyData.SameWeights(script.Weights[0], model));
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }

    [Fact]
    public void A_non_finite_monitored_value_is_reported_to_the_runner_which_stops_and_restores_in_one_place()
    {
        using var train = ToyData.Linear(64, seed: 31);
        Seeding.SeedEverything(32);
        using var model = new LastStepLinear(3);
        // The loss stays finite; only the watched metric turns NaN at epoch 3.
        using var script = new ScriptedLogs("val_mae", [0.5, 0.4, double.NaN, 0.3, 0.2]);
        using var stopping = new EarlyStopping("val_mae", patience: 10, restoreBestWeights: true);

        var history = runner.Fit(model, train, train, ToyData.Quiet(5), [script, stopping]);

        Assert.Equal(StopReason.NonFiniteLoss, history.StopReason);
        Assert.Equal(3, history.Count);
        Assert.StartsWith("training stopped: val_mae is NaN at epoch 3; restored the weights of epoch 2, the last finite ones", history.StopMessage, StringComparison.Ordinal);
        Assert.EndsWith("then EarlyStopping restored the best weights, of epoch 2", history.StopMessage, StringComparison.Ordinal);
        Assert.Equal(2, history.BestEpoch);
        Assert.True(ToyData.SameWeights(script.Weights[1], model));
    }

    [Fact]
    public void ReduceLrOnPlateau_reduces_at_exactly_the_right_epochs_and_never_below_min_lr()
    {
        using var train = ToyData.Linear(32, seed: 26);
        using var model = new LastStepLinear(3);
        using var script = new ScriptedLogs("val_loss", [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
        var reduce = new ReduceLrOnPlateau(factor: 0.5, patience: 2, cooldown: 1, minLr: 0.03);

        var history = runner.Fit(model, train, train, ToyData.Quiet(8) with { LearningRate = 0.1, Optimizer = OptimizerKind.Sgd }, [script, reduce]);

        Assert.Equal(
            [new LearningRateChange(3, 0.1, 0.05), new LearningRateChange(5, 0.05, 0.03)],
            history.LearningRateChanges);
        Assert.Equal([0.1, 0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03], history.Series("lr"));
    }

    [Fact]
    public void ReduceLrOnPlateau_waits_while_the_monitor_improves_by_more_than_min_delta()
    {
        using var train = ToyData.Linear(32, seed: 27);
        using var model = new LastStepLinear(3);
        // Gains of 0.1 are improvements; the gains of under 1e-4 at epochs 4 and 5 are below minDelta 1e-4.
        using var script = new ScriptedLogs("val_loss", [1.0, 0.9, 0.8, 0.79995, 0.79992, 0.7]);
        var reduce = new ReduceLrOnPlateau(factor: 0.1, patience: 2);

        var history = runner.Fit(model, train, train, ToyData.Quiet(6) with { LearningRate = 0.01 }, [script, reduce]);

        var change = Assert.Single(history.LearningRateChanges);
        Assert.Equal(5, change.Epoch);
        Assert.Equal(0.001, change.NewLearningRate, 12);
    }

    [Fact]
    public void ModelCheckpoint_writes_best_and_last_that_reload_to_identical_weights()
    {
        string directory = Path.Combine(Path.GetTempPath(), "torchlstm-checkpoint-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var train = ToyData.Linear(64, seed: 28);
            Seeding.SeedEverything(29);
            using var model = new LastStepLinear(3);
            using var script = new ScriptedLogs("val_loss", [0.5, 0.4, 0.45, 0.6]);
            var checkpoint = new ModelCheckpoint(directory);

            runner.Fit(model, train, train, ToyData.Quiet(4), [script, checkpoint]);

            Assert.Equal(2, checkpoint.BestEpoch);
            Assert.Equal(["best.pt", "last.pt"], Directory.GetFiles(directory).Select(Path.GetFileName).Order());
            using var best = new LastStepLinear(3);
            best.load(checkpoint.BestPath);
            Assert.True(ToyData.SameWeights(script.Weights[1], best));
            using var last = new LastStepLinear(3);
            last.load(checkpoint.LastPath);
            Assert.True(ToyData.SameWeights(model, last));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_write_that_fails_midway_leaves_no_file_under_the_final_name_and_keeps_the_old_one()
    {
        string directory = Path.Combine(Path.GetTempPath(), "torchlstm-atomic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string fresh = Path.Combine(directory, "best.pt");
            string existing = Path.Combine(directory, "last.pt");
            File.WriteAllText(existing, "complete old checkpoint");
            void HalfWrite(Stream s)
            {
                s.Write(new byte[4096]);
                throw new IOException("disk full");
            }

            Assert.Throws<IOException>(() => AtomicFile.Write(fresh, HalfWrite));
            Assert.Throws<IOException>(() => AtomicFile.Write(existing, HalfWrite));

            Assert.False(File.Exists(fresh));
            Assert.Equal("complete old checkpoint", File.ReadAllText(existing));
            Assert.Equal([existing], Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void CsvLogger_writes_the_same_table_as_history_to_csv()
    {
        string path = Path.Combine(Path.GetTempPath(), "torchlstm-history-" + Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            using var train = ToyData.Linear(48, seed: 30);
            using var model = new LastStepLinear(3);
            using var logger = new CsvLogger(path);

            var history = runner.Fit(model, train, train, ToyData.Quiet(3), [logger]);

            string csv = File.ReadAllText(path);
            Assert.Equal(history.ToCsv(), csv);
            var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("epoch,loss,val_loss,mae,val_mae,lr,seconds", rows[0]);
            Assert.Equal(4, rows.Length);
            Assert.StartsWith("3,", rows[3]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TensorBoardLogger_writes_an_event_file()
    {
        string directory = Path.Combine(Path.GetTempPath(), "torchlstm-tb-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var train = ToyData.Linear(32, seed: 31);
            using var model = new LastStepLinear(3);

            runner.Fit(model, train, null, ToyData.Quiet(2), [new TensorBoardLogger(directory)]);

            var file = Assert.Single(Directory.GetFiles(directory, "events.out.tfevents.*"));
            Assert.True(new FileInfo(file).Length > 100);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Callback_state_round_trips_through_json()
    {
        using var train = ToyData.Linear(32, seed: 32);
        using var model = new LastStepLinear(3);
        using var script = new ScriptedLogs("val_loss", [0.5, 0.4, 0.45]);
        using var stopping = new EarlyStopping(patience: 5);
        var reduce = new ReduceLrOnPlateau(patience: 1);
        runner.Fit(model, train, train, ToyData.Quiet(3), [script, stopping, reduce]);

        using var stoppingCopy = new EarlyStopping(patience: 5);
        stoppingCopy.SetState(stopping.GetState());
        var reduceCopy = new ReduceLrOnPlateau(patience: 1);
        reduceCopy.SetState(reduce.GetState());

        Assert.Equal(0.4, stoppingCopy.Best);
        Assert.Equal(2, stoppingCopy.BestEpoch);
        Assert.Equal(1, stoppingCopy.Wait);
        Assert.Equal(stopping.GetState().ToJsonString(), stoppingCopy.GetState().ToJsonString());
        Assert.Equal(reduce.GetState().ToJsonString(), reduceCopy.GetState().ToJsonString());
        Assert.Throws<ArgumentException>(() => stoppingCopy.SetState([]));
    }

    [Fact]
    public void A_monitor_that_is_not_logged_is_rejected_with_the_logged_names()
    {
        using var train = ToyData.Linear(32, seed: 33);
        using var model = new LastStepLinear(3);

        var error = Assert.Throws<ArgumentException>(() => runner.Fit(model, train, null, ToyData.Quiet(2), [new EarlyStopping()]));

        Assert.Equal("monitor", error.ParamName);
        Assert.Contains("'val_loss'", error.Message);
        Assert.Contains("loss, mae, lr", error.Message);
    }
}
