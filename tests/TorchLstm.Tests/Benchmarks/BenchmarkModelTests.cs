using TorchLstm.Benchmarks;
using TorchLstm.Data;
using TorchLstm.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Benchmarks;

public class BenchmarkModelTests
{
    [Fact]
    public void Builtin_and_scratch_networks_have_the_same_parameters_and_outputs_for_the_same_weights()
    {
        using var scope = NewDisposeScope();
        torch.random.manual_seed(3);
        using var builtin = new BenchmarkLstm(2, [5, 4], 1, LstmImplementation.Builtin);
        using var scratch = new BenchmarkLstm(2, [5, 4], 1, LstmImplementation.Scratch);
        var names = builtin.named_parameters().Select(p => p.name).ToList();
        Assert.Equal(names, scratch.named_parameters().Select(p => p.name).ToList());
        Assert.Contains("lstm1.weight_hh_l0", names);
        Assert.Contains("head.weight", names);
        scratch.load_state_dict(builtin.state_dict());
        var input = randn(3, 7, 2);
        using (no_grad())
        {
            var expected = builtin.forward(input);
            Assert.Equal([3L, 1], expected.shape);
            Assert.True(expected.allclose(scratch.forward(input), rtol: 1e-5, atol: 1e-6));
        }
    }

    [Fact]
    public void The_exported_builtin_network_reproduces_the_eager_outputs()
    {
        using var scope = NewDisposeScope();
        torch.random.manual_seed(4);
        using var model = new BenchmarkLstm(1, [6, 5], 1);
        model.eval();
        string path = Path.Combine(Path.GetTempPath(), $"benchmark-lstm-{Guid.NewGuid():N}.pt");
        try
        {
            TorchScript.Save(model, path, new TorchScriptExportOptions { Emitters = [new BenchmarkLstmEmitter()] });
            using var loaded = torch.jit.load<Tensor, Tensor>(path);
            var input = randn(2, 9, 1);
            using var noGrad = no_grad();
            Assert.True(model.forward(input).allclose(loaded.forward(input), rtol: 1e-5, atol: 1e-6));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Shuffle_orders_replay_exactly_the_batches_the_iterator_draws()
    {
        using var scope = NewDisposeScope();
        const int count = 10;
        // Each sample's input is its own index, so the batches reveal the order they were drawn in.
        var data = new SequenceDataset(arange(count, dtype: ScalarType.Float32).reshape(count, 1, 1), zeros(count, 1));
        using var orders = BareLoop.ShuffleOrders(count, 2, new Generator(99));
        using var generator = new Generator(99);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var seen = new List<long>();
            foreach (var (inputs, _) in Batches.Iterate(data, 3, shuffle: true, generator))
                seen.AddRange(inputs.reshape(-1).to(ScalarType.Int64).data<long>().ToArray());
            Assert.Equal(orders[epoch].data<long>().ToArray(), seen);
        }
    }

    [Fact]
    public void The_seed_workload_has_608_training_windows_of_50_steps()
    {
        using var data = SeedWorkload.TrainingWindows();
        Assert.Equal([608L, 50, 1], data.Inputs.shape);
        Assert.Equal([608L, 1], data.Targets.shape);
        // Window 1 is window 0 shifted by one step; its target is the step after its inputs.
        Assert.Equal(data.Inputs[1, 48, 0].item<float>(), data.Inputs[0, 49, 0].item<float>());
        Assert.Equal(data.Targets[0, 0].item<float>(), data.Inputs[1, 49, 0].item<float>());
    }

    [Fact]
    public void Network_arguments_are_checked_by_name()
    {
        Assert.Equal("hiddenSizes", Assert.Throws<ArgumentOutOfRangeException>(() => new BenchmarkLstm(1, [], 1)).ParamName);
        Assert.Equal("inputSize", Assert.Throws<ArgumentOutOfRangeException>(() => new BenchmarkLstm(0, [4], 1)).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentOutOfRangeException>(() => SeedWorkload.SyntheticWindows(0, 5)).ParamName);
    }
}
