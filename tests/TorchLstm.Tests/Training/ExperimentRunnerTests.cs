using TorchLstm.Data;
using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Training;

[Collection(nameof(Reliability.GlobalRandomStateCollection))]
public class ExperimentRunnerTests
{
    private readonly ExperimentRunner runner = new();

    [Fact]
    public void Fit_learns_a_linear_toy_problem_and_evaluate_agrees_with_the_last_epoch()
    {
        using var train = ToyData.Linear(256, seed: 1);
        using var validation = ToyData.Linear(64, seed: 2);
        Seeding.SeedEverything(3);
        using var model = new LastStepLinear(3);

        var history = runner.Fit(model, train, validation, ToyData.Quiet(40));

        Assert.Equal(40, history.Count);
        Assert.Equal(StopReason.Completed, history.StopReason);
        Assert.True(history[1].Loss > 0.5, $"first loss {history[1].Loss}");
        Assert.True(history.Last!.Loss < 1e-3, $"final loss {history.Last.Loss}");
        Assert.True(history.Last.ValidationLoss < 1e-3, $"final val_loss {history.Last.ValidationLoss}");
        Assert.Equal(Enumerable.Range(1, 40), history.Epochs.Select(e => e.Epoch));
        Assert.Equal(["loss", "val_loss", "mae", "val_mae", "lr", "seconds"], history.Keys);

        var evaluation = runner.Evaluate(model, validation, ToyData.Quiet(1));
        Assert.Equal(history.Last.ValidationLoss!.Value, evaluation["loss"], 6);
        Assert.Equal(history.Last.Metrics["val_mae"], evaluation["mae"], 6);
        Assert.False(model.training);
    }

    [Fact]
    public void Predict_is_batched_without_gradients_and_matches_a_direct_forward()
    {
        using var data = ToyData.Linear(70, seed: 4);
        Seeding.SeedEverything(5);
        using var model = new LastStepLinear(3);
        model.train();

        using var predicted = runner.Predict(model, data.Inputs, batchSize: 16);
        using var direct = model.forward(data.Inputs);

        Assert.Equal([70L, 1L], predicted.shape);
        Assert.False(predicted.requires_grad);
        Assert.True(predicted.allclose(direct, rtol: 1e-6, atol: 1e-6));
        Assert.True(model.training, "Predict must restore the caller's mode");
    }

    [Fact]
    public void Dropout_is_active_while_training_and_inactive_in_validation_and_predict()
    {
        using var train = ToyData.Linear(64, seed: 6);
        using var validation = ToyData.Linear(32, seed: 7);
        using var model = new DropoutProbe(3, p: 0.5);

        runner.Fit(model, train, validation, ToyData.Quiet(2) with { BatchSize = 16 });

        var trainingCalls = model.Calls.Where(c => c.Training).ToList();
        var evalCalls = model.Calls.Where(c => !c.Training).ToList();
        Assert.Equal(2 * 4, trainingCalls.Count);
        Assert.Equal(2 * 2, evalCalls.Count);
        Assert.All(trainingCalls, c => Assert.InRange(c.DroppedShare, 0.3, 0.7));
        Assert.All(evalCalls, c => Assert.Equal(0.0, c.DroppedShare));

        model.Calls.Clear();
        using var first = runner.Predict(model, validation.Inputs);
        using var second = runner.Predict(model, validation.Inputs);
        using var last = validation.Inputs.select(1, -1);
        using var noDropout = model.Head.forward(last);
        Assert.True(first.Equals(second));
        Assert.True(first.allclose(noDropout, rtol: 1e-6, atol: 1e-6));
        Assert.All(model.Calls, c => Assert.False(c.Training));
    }

    [Fact]
    public void The_same_seed_gives_the_same_history_and_weights_and_another_seed_does_not()
    {
        using var train = ToyData.Linear(96, seed: 8);
        using var validation = ToyData.Linear(32, seed: 9);

        (History History, DropoutProbe Model) Run(long seed)
        {
            Seeding.SeedEverything(seed);
            var model = new DropoutProbe(3, p: 0.2);
            var history = runner.Fit(model, train, validation, ToyData.Quiet(3) with { Seed = seed, BatchSize = 16 });
            return (history, model);
        }

        var (h1, m1) = Run(11);
        var (h2, m2) = Run(11);
        var (h3, m3) = Run(12);
        using (m1) using (m2) using (m3)
        {
            Assert.Equal(h1.Series("loss"), h2.Series("loss"));
            Assert.Equal(h1.Series("val_loss"), h2.Series("val_loss"));
            Assert.True(ToyData.SameWeights(m1, m2));
            Assert.NotEqual(h1.Series("loss"), h3.Series("loss"));
            Assert.False(ToyData.SameWeights(m1, m3));
        }
    }

    [Fact]
    public void No_tensor_outlives_an_epoch()
    {
        using var train = ToyData.Linear(100, seed: 10);
        using var validation = ToyData.Linear(40, seed: 11);
        Seeding.SeedEverything(12);
        using var model = new DropoutProbe(3, p: 0.1);
        var live = new List<long>();
        var probe = new Probe { EpochEnd = _ => live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount) };
        using var stopping = new EarlyStopping(patience: 50, restoreBestWeights: true);
        var reduce = new ReduceLrOnPlateau(patience: 1, factor: 0.5);

        runner.Fit(model, train, validation, ToyData.Quiet(6) with { ClipGradNorm = 1.0, BatchSize = 16 }, [stopping, reduce, probe]);

        Assert.Equal(6, live.Count);
        // Epoch 1 creates the optimiser state; from then on every epoch must end with the same live count.
        Assert.All(live.Skip(1), count => Assert.Equal(live[1], count));
    }

    [Fact]
    public void Clipping_bounds_the_global_gradient_norm_and_without_it_the_norm_is_larger()
    {
        using var train = ToyData.Linear(64, seed: 13, scale: 100);
        double MaxNorm(double? clip)
        {
            Seeding.SeedEverything(14);
            using var model = new LastStepLinear(3);
            double max = 0;
            var probe = new Probe
            {
                BatchEnd = c =>
                {
                    double sumSquares = c.Model.parameters().Sum(p => p.grad!.square().sum().item<float>());
                    max = Math.Max(max, Math.Sqrt(sumSquares));
                },
            };
            runner.Fit(model, train, null, ToyData.Quiet(2) with { ClipGradNorm = clip, Optimizer = OptimizerKind.Sgd, LearningRate = 1e-4 }, [probe]);
            return max;
        }

        Assert.True(MaxNorm(null) > 10, "the unclipped gradients must be large for this test to mean anything");
        Assert.True(MaxNorm(0.5) <= 0.5 + 1e-4);
    }

    [Fact]
    public void Cancellation_stops_between_batches_and_keeps_the_completed_epochs()
    {
        using var train = ToyData.Linear(64, seed: 15);
        using var model = new LastStepLinear(3);
        using var cts = new CancellationTokenSource();
        var probe = new Probe { BatchEnd = c => { if (c.Epoch == 3 && c.Batch == 1) cts.Cancel(); } };

        var history = runner.Fit(model, train, null, ToyData.Quiet(10), [probe], cts.Token);

        Assert.Equal(StopReason.Cancelled, history.StopReason);
        Assert.Equal(2, history.Count);
    }

    [Fact]
    public void A_model_output_that_does_not_match_the_targets_is_rejected_with_both_shapes()
    {
        using var inputs = randn(40, 4, 3);
        using var targets = randn(40);
        using var data = new SequenceDataset(inputs, targets);
        using var model = new LastStepLinear(3);

        var error = Assert.Throws<ArgumentException>(() => runner.Fit(model, data, null, ToyData.Quiet(1)));

        Assert.Contains("[32, 1]", error.Message);
        Assert.Contains("[32]", error.Message);
    }

    [Fact]
    public void NaN_in_the_inputs_is_rejected_before_training_with_the_sample()
    {
        using var data = ToyData.Linear(20, seed: 16);
        data.Inputs[5, 2, 1] = tensor(float.NaN);
        using var model = new LastStepLinear(3);

        var error = Assert.Throws<ArgumentException>(() => runner.Fit(model, data, null, ToyData.Quiet(1)));

        Assert.Contains("train inputs contain NaN", error.Message);
        Assert.Contains("sample 5", error.Message);
    }

    [Fact]
    public void Cross_entropy_logs_accuracy_and_learns_a_separable_problem()
    {
        using var inputs = randn([200, 3, 2], generator: new Generator(17));
        using var last = inputs.select(1, -1);
        var targets = last[.., 0].gt(0).to(ScalarType.Int64);
        using var data = new SequenceDataset(inputs, targets);
        Seeding.SeedEverything(18);
        using var model = new LastStepLinear(2, outputs: 2);

        var history = runner.Fit(model, data, data, ToyData.Quiet(30) with { Loss = LossKind.CrossEntropy });

        Assert.True(history.Last!.Metrics["accuracy"] > 0.95, $"accuracy {history.Last.Metrics["accuracy"]}");
        Assert.True(history.Last.Metrics["val_accuracy"] > 0.95);
        Assert.Equal(["loss", "val_loss", "accuracy", "val_accuracy", "lr", "seconds"], history.Keys);
    }

    [Fact]
    public void Class_indices_outside_the_model_outputs_are_rejected()
    {
        using var inputs = randn(10, 3, 2);
        using var targets = tensor(new long[] { 0, 1, 2, 0, 1, 0, 1, 0, 1, 0 });
        using var data = new SequenceDataset(inputs, targets);
        using var model = new LastStepLinear(2, outputs: 2);

        var error = Assert.Throws<ArgumentException>(() => runner.Fit(model, data, null, ToyData.Quiet(1) with { Loss = LossKind.CrossEntropy }));

        Assert.Contains("[0, 1]", error.Message);
        Assert.Contains("[0, 2]", error.Message);
    }

    [Fact]
    public void Lines_progress_writes_one_line_per_epoch_with_loss_val_loss_lr_time_and_eta()
    {
        using var train = ToyData.Linear(32, seed: 19);
        using var model = new LastStepLinear(3);
        var output = new StringWriter();

        new ExperimentRunner(output).Fit(model, train, train, ToyData.Quiet(3) with { Progress = ProgressMode.Lines });

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("Epoch 1/3 - loss: ", lines[0]);
        Assert.All(lines, l => Assert.Matches(@"val_loss: \d+\.\d{4}.* - lr: 5\.0e-02 - \d+\.\d\ds - ETA \d+\.\ds$", l));
        Assert.EndsWith("ETA 0.0s", lines[2]);
    }

    [Fact]
    public void Notebook_progress_outside_a_notebook_cell_writes_one_line_per_epoch()
    {
        using var train = ToyData.Linear(32, seed: 19);
        using var model = new LastStepLinear(3);
        var output = new StringWriter();

        new ExperimentRunner(output).Fit(model, train, train, ToyData.Quiet(2) with { Progress = ProgressMode.Notebook });

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["Epoch 1/2", "Epoch 2/2"], lines.Select(l => l[..9]));
    }
}
