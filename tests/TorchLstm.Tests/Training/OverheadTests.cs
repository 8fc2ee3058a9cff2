using TorchLstm.Data;
using TorchLstm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Training;

/// <summary>A one-layer LSTM with a linear head on the last step: a realistic per-batch cost.</summary>
internal sealed class SmallLstm : nn.Module<Tensor, Tensor>
{
    private readonly LSTM lstm;
    private readonly Linear head;

    public SmallLstm(long features, long hidden) : base(nameof(SmallLstm))
    {
        lstm = nn.LSTM(features, hidden, batchFirst: true);
        head = nn.Linear(hidden, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var (sequence, h, c) = lstm.forward(input);
        using (h) using (c) using (sequence)
        using (var last = sequence.select(1, -1))
            return head.forward(last);
    }
}

/// <summary>Allocation counts come from thread-wide statistics: run alone so other tests do not add to them.</summary>
[CollectionDefinition(nameof(TimingCollection), DisableParallelization = true)]
public sealed class TimingCollection;

[Collection(nameof(TimingCollection))]
public class OverheadTests(ITestOutputHelper output)
{
    [Fact]
    public void An_epoch_of_fit_allocates_at_most_a_few_tensors_per_batch_beyond_the_bare_loop()
    {
        using var data = new SequenceDataset(randn([512, 8, 4], generator: new Generator(53)), randn([512, 1], generator: new Generator(54)));
        Seeding.SeedEverything(55);
        using var model = new SmallLstm(4, 8);
        // The optimiser the runner builds, so that the comparison counts the loop's tensors, not the optimiser's.
        using var optimizer = new TorchLstm.Training.Optimizers.Adam(model.parameters(), 1e-3);
        using var generator = Seeding.CreateShuffleGenerator(55);
        var stats = DisposeScopeManager.Statistics;
        static long Created(ThreadDisposeScopeStatistics s) => s.CreatedInScopeCount + s.CreatedOutsideScopeCount;

        long Bare(int batchSize)
        {
            long before = Created(stats);
            foreach (var (x, y) in Batches.Iterate(data, batchSize, shuffle: true, generator))
            {
                using var scope = NewDisposeScope();
                using var x0 = x;
                using var y0 = y;
                var loss = nn.functional.mse_loss(model.forward(x0), y0);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
            return Created(stats) - before;
        }

        // Fit(2 epochs) minus Fit(1 epoch) is exactly one epoch: the set-up cancels out.
        var runner = new ExperimentRunner();
        long FitEpoch(int batchSize)
        {
            long FitCreated(int epochs)
            {
                long start = Created(stats);
                runner.Fit(model, data, null, new TrainingOptions { Epochs = epochs, BatchSize = batchSize, Progress = ProgressMode.None });
                return Created(stats) - start;
            }
            return FitCreated(2) - FitCreated(1);
        }

        // 16 and 32 batches per epoch: the difference is 16 batches' worth, so per-epoch work (the
        // last-finite-weights copy and check, O(parameters)) cancels out and is bounded separately.
        long extra16 = FitEpoch(32) - Bare(32), extra32 = FitEpoch(16) - Bare(16);
        double extraPerBatch = (extra32 - extra16) / 16.0;
        double extraPerEpoch = extra16 - 16 * extraPerBatch;
        int parameterTensors = model.parameters().Count();
        output.WriteLine($"extra tensors: per batch {extraPerBatch:F2}, per epoch {extraPerEpoch:F0} for {parameterTensors} parameter tensors");
        // Loss slot, detached loss and output, metric numerator: four small tensors per batch.
        Assert.InRange(extraPerBatch, 0, 5);
        Assert.InRange(extraPerEpoch, 0, 8 * parameterTensors + 20);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
