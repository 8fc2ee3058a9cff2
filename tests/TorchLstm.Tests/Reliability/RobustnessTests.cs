using TorchLstm.Tests.Training;
using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Reliability;

[Collection(nameof(GlobalRandomStateCollection))]
public class RobustnessTests
{
    [Fact]
    public void A_NaN_loss_stops_training_without_early_stopping_naming_epoch_and_batch_and_keeps_the_last_finite_weights()
    {
        using var train = ToyData.Linear(64, seed: 1);
        Seeding.SeedEverything(2);
        using var model = new NaNOnCall(3, poisonedCall: 6); // 4 batches per epoch: epoch 2, batch 2
        WeightSnapshot? afterEpoch1 = null;
        var probe = new Probe { EpochEnd = c => { if (c.Epoch == 1) afterEpoch1 = WeightSnapshot.Capture(c.Model); } };

        var history = new ExperimentRunner().Fit(model, train, null, ToyData.Quiet(10) with { BatchSize = 16 }, [probe]);
        using var kept = afterEpoch1!;

        Assert.Equal(StopReason.NonFiniteLoss, history.StopReason);
        Assert.Equal(2, history.Count);
        Assert.True(double.IsNaN(history[2].Loss));
        Assert.Contains("loss is NaN at epoch 2, first at batch 2 of 4", history.StopMessage, StringComparison.Ordinal);
        Assert.Contains("restored the weights of epoch 1", history.StopMessage, StringComparison.Ordinal);
        Assert.True(ToyData.SameWeights(kept, model), "the weights after epoch 1 were not restored");
    }

    [Fact]
    public void The_same_seed_gives_an_identical_history_and_bit_identical_weights()
    {
        var (train, validation) = TinySine.Data();
        using var _ = train;
        using var __ = validation;
        string Run(out string history)
        {
            using var model = TinySine.Model();
            history = TinySine.Fingerprint(new ExperimentRunner().Fit(model, train, validation, TinySine.Options(3)));
            return WeightHash.Sha256(model);
        }

        string first = Run(out string firstHistory), second = Run(out string secondHistory);

        Assert.Equal(firstHistory, secondHistory);
        Assert.Equal(first, second);
        Assert.Matches("^[0-9a-f]{64}$", first);
    }

    [Fact]
    public void Weight_hash_changes_with_a_single_bit_of_one_parameter()
    {
        using var model = TinySine.Model();
        string before = WeightHash.Sha256(model);
        using (no_grad())
        {
            var p = model.parameters().First();
            p[0, 0] = p[0, 0].item<float>() + 1e-7f;
        }
        Assert.NotEqual(before, WeightHash.Sha256(model));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Predict_from_8_threads_at_once_equals_sequential_calls(bool modelInTrainingMode)
    {
        var (train, validation) = TinySine.Data();
        using var _ = train;
        using var __ = validation;
        using var model = TinySine.Model(); // dropout 0.2: a mode leaking into a concurrent call would show
        var runner = new ExperimentRunner();
        model.eval();
        var inputs = Enumerable.Range(0, 8).Select(i => train.Inputs.narrow(0, i * 16, 16)).ToArray();
        var expected = inputs.Select(x => runner.Predict(model, x, batchSize: 5)).ToArray();
        model.train(modelInTrainingMode);

        var results = new Tensor[8][];
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            results[t] = new Tensor[25];
            for (int k = 0; k < 25; k++) results[t][k] = runner.Predict(model, inputs[(t + k) % 8], batchSize: 5);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        for (int t = 0; t < 8; t++)
            for (int k = 0; k < 25; k++)
                Assert.True(results[t][k].Equals(expected[(t + k) % 8]), $"thread {t}, call {k} differs from the sequential result");
        Assert.Equal(modelInTrainingMode, model.training);
        foreach (var r in results.SelectMany(r => r)) r.Dispose();
        foreach (var e in expected) e.Dispose();
        foreach (var x in inputs) x.Dispose();
    }

    [Fact]
    public void Fit_with_checkpoints_and_kept_weights_and_1000_predictions_leave_no_live_tensors_behind()
    {
        var (train, validation) = TinySine.Data();
        using var _ = train;
        using var __ = validation;
        using var dir = new TempDirectory();
        using var model = TinySine.Model();
        var runner = new ExperimentRunner();
        var stats = DisposeScopeManager.Statistics;

        long beforeFit = stats.ThreadTotalLiveCount;
        using (var stopping = new EarlyStopping(patience: 5, restoreBestWeights: true))
            runner.Fit(model, train, validation, TinySine.Options(3, dir.Path), [stopping, new ReduceLrOnPlateau(patience: 1)]);
        long afterFit = stats.ThreadTotalLiveCount;
        using (var resumed = TinySine.Model())
        using (var stopping = new EarlyStopping(patience: 5, restoreBestWeights: true))
            runner.Fit(resumed, train, validation, TinySine.Options(4, dir.Path, resume: true), [stopping, new ReduceLrOnPlateau(patience: 1)]);
        long afterResume = stats.ThreadTotalLiveCount;

        long beforePredict = stats.ThreadTotalLiveCount;
        for (int i = 0; i < 1000; i++) runner.Predict(model, validation.Inputs).Dispose();
        long afterPredict = stats.ThreadTotalLiveCount;

        Assert.Equal(beforeFit, afterFit);
        Assert.Equal(afterFit, afterResume);
        Assert.Equal(beforePredict, afterPredict);
    }
}
