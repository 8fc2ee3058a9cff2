using System.Text;
using TorchSharp;
using static TorchSharp.torch;
using Lib = TorchLstm.Training.Optimizers;

namespace TorchLstm.Tests.Training.Optimizers;

// Compares runs that each seed torch's global generator: no other test may draw from it meanwhile.
[Collection(nameof(Reliability.GlobalRandomStateCollection))]
public class OptimizerEquivalenceTests
{
    /// <summary>A small non-linear regression model: its gradients change every step, so any difference in the update compounds.</summary>
    private static nn.Module<Tensor, Tensor> Model()
    {
        torch.random.manual_seed(7);
        return nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1));
    }

    private static readonly (Tensor X, Tensor Y)[] Batches = MakeBatches();

    // Made on first use, which may be inside a test's dispose scope: the batches must outlive it.
    private static (Tensor, Tensor)[] MakeBatches()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        var batches = new (Tensor, Tensor)[10];
        for (int i = 0; i < batches.Length; i++)
        {
            var x = randn([32, 4], generator: generator);
            batches[i] = (x.DetachFromDisposeScope(), (x.sum(1, keepdim: true).sin() + 0.1 * randn([32, 1], generator: generator)).DetachFromDisposeScope());
        }
        return batches;
    }

    private static void Train(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, int steps, int firstStep = 0)
    {
        for (int step = firstStep; step < firstStep + steps; step++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = Batches[step % Batches.Length];
            optimizer.zero_grad();
            nn.functional.mse_loss(model.forward(x), y).backward();
            optimizer.step();
        }
    }

    private static double MaxDifference(nn.Module a, nn.Module b)
    {
        using var scope = NewDisposeScope();
        return a.parameters().Zip(b.parameters()).Max(p => (p.First - p.Second).abs().max().item<float>());
    }

    public static TheoryData<string> Configurations() =>
    [
        "adam", "adam wd amsgrad", "adam maximize", "adamw wd", "adamw amsgrad",
        "sgd", "sgd momentum nesterov wd", "sgd momentum dampening",
        "rmsprop", "rmsprop momentum centered wd",
    ];

    private static (optim.Optimizer Torch, optim.Optimizer Library) Pair(string configuration, nn.Module<Tensor, Tensor> torchModel, nn.Module<Tensor, Tensor> libraryModel)
    {
        var a = torchModel.parameters();
        var b = libraryModel.parameters();
        return configuration switch
        {
            "adam" => (optim.Adam(a, 1e-2), new Lib.Adam(b, 1e-2)),
            "adam wd amsgrad" => (optim.Adam(a, 1e-2, weight_decay: 1e-2, amsgrad: true), new Lib.Adam(b, 1e-2, weight_decay: 1e-2, amsgrad: true)),
            "adam maximize" => (optim.Adam(a, 1e-3, maximize: true), new Lib.Adam(b, 1e-3, maximize: true)),
            "adamw wd" => (optim.AdamW(a, 1e-2, weight_decay: 0.1), new Lib.AdamW(b, 1e-2, weight_decay: 0.1)),
            "adamw amsgrad" => (optim.AdamW(a, 1e-2, amsgrad: true), new Lib.AdamW(b, 1e-2, amsgrad: true)),
            "sgd" => (optim.SGD(a, 0.05), new Lib.SGD(b, 0.05)),
            "sgd momentum nesterov wd" => (optim.SGD(a, 0.02, momentum: 0.9, nesterov: true, weight_decay: 1e-3), new Lib.SGD(b, 0.02, momentum: 0.9, nesterov: true, weight_decay: 1e-3)),
            "sgd momentum dampening" => (optim.SGD(a, 0.02, momentum: 0.8, dampening: 0.3), new Lib.SGD(b, 0.02, momentum: 0.8, dampening: 0.3)),
            "rmsprop" => (optim.RMSProp(a, 1e-3), new Lib.RMSProp(b, 1e-3)),
            "rmsprop momentum centered wd" => (optim.RMSProp(a, 1e-3, momentum: 0.5, centered: true, weight_decay: 1e-2), new Lib.RMSProp(b, 1e-3, momentum: 0.5, centered: true, weight_decay: 1e-2)),
            _ => throw new ArgumentOutOfRangeException(nameof(configuration), configuration, "unknown configuration"),
        };
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Hundred_steps_give_the_weights_torchsharps_optimizer_gives(string configuration)
    {
        using var torchModel = Model();
        using var libraryModel = Model();
        var (torchOptimizer, libraryOptimizer) = Pair(configuration, torchModel, libraryModel);
        using var _ = torchOptimizer;
        using var __ = libraryOptimizer;
        Assert.Equal(0, MaxDifference(torchModel, libraryModel));

        Train(torchModel, torchOptimizer, 100);
        Train(libraryModel, libraryOptimizer, 100);

        // The weights moved (the comparison is not between two untouched models) and agree to 1e-6.
        using var untouched = Model();
        Assert.True(MaxDifference(untouched, torchModel) > 1e-2, $"{configuration}: the weights barely moved");
        Assert.InRange(MaxDifference(torchModel, libraryModel), 0, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Saved_state_moves_between_torchsharps_optimizer_and_the_librarys_and_training_continues_identically(string configuration)
    {
        using var torchModel = Model();
        using var libraryModel = Model();
        var (torchOptimizer, libraryOptimizer) = Pair(configuration, torchModel, libraryModel);
        using var _ = torchOptimizer;
        using var __ = libraryOptimizer;
        Train(torchModel, torchOptimizer, 30);

        // The library's optimiser picks up TorchSharp's state (same format, same class name in the stream) mid-run.
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            ((TorchSharp.Modules.OptimizerHelper)torchOptimizer).save_state_dict(writer);
        using (var noGrad = no_grad())
            foreach (var (target, source) in libraryModel.parameters().Zip(torchModel.parameters())) target.copy_(source);
        stream.Position = 0;
        using (var reader = new BinaryReader(stream, Encoding.UTF8))
            ((TorchSharp.Modules.OptimizerHelper)libraryOptimizer).load_state_dict(reader);

        Train(torchModel, torchOptimizer, 30, firstStep: 30);
        Train(libraryModel, libraryOptimizer, 30, firstStep: 30);
        Assert.InRange(MaxDifference(torchModel, libraryModel), 0, 1e-6);
    }

    [Fact]
    public void A_learning_rate_changed_through_the_parameter_groups_takes_effect()
    {
        using var torchModel = Model();
        using var libraryModel = Model();
        using var torchOptimizer = optim.Adam(torchModel.parameters(), 1e-2);
        using var libraryOptimizer = new Lib.Adam(libraryModel.parameters(), 1e-2);
        Train(torchModel, torchOptimizer, 10);
        Train(libraryModel, libraryOptimizer, 10);
        foreach (var group in torchOptimizer.ParamGroups) group.LearningRate = 1e-1;
        foreach (var group in libraryOptimizer.ParamGroups) group.LearningRate = 1e-1;
        Train(torchModel, torchOptimizer, 10, firstStep: 10);
        Train(libraryModel, libraryOptimizer, 10, firstStep: 10);
        Assert.InRange(MaxDifference(torchModel, libraryModel), 0, 1e-6);
        Assert.Equal(1e-1, libraryOptimizer.ParamGroups.First().LearningRate);
    }
}
