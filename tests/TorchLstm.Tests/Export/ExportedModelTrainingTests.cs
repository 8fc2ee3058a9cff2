using TorchLstm.Export;
using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>
/// Tests that seed torch's global generator and expect the next dropout draws to be theirs run alone:
/// another test drawing random numbers in parallel would shift the masks between the seed and the call.
/// </summary>
[CollectionDefinition(nameof(GlobalRandomCollection), DisableParallelization = true)]
public sealed class GlobalRandomCollection;

/// <summary>What a loaded export does beyond eval-mode inference: training, dropout, input errors.</summary>
[Collection(nameof(GlobalRandomCollection))]
public sealed class ExportedModelTrainingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "torchlstm-train-" + Guid.NewGuid().ToString("N"));

    public ExportedModelTrainingTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private jit.ScriptModule Export(nn.Module model, string name)
    {
        string path = Path.Combine(_directory, name + ".pt");
        TorchScript.Save(model, path);
        return jit.load(path);
    }

    [Fact]
    public void Loaded_StackedLstm_trains_under_Adam_and_its_loss_falls()
    {
        torch.manual_seed(21);
        var model = new StackedLstm(2, [8, 6], 1, dropout: 0.1);
        using var loaded = Export(model, "stacked");
        var parameters = loaded.named_parameters().ToList();
        Assert.Equal(model.named_parameters().Select(p => p.name), parameters.Select(p => p.name));
        Assert.All(parameters, p => Assert.True(p.parameter.requires_grad, $"{p.name} does not require grad"));

        var generator = new Generator(8);
        var x = torch.randn([24, 6, 2], generator: generator);
        var y = x.sum([1, 2]).unsqueeze(1) * 0.1;
        torch.manual_seed(1);
        var losses = ExportCases.TrainLoaded(loaded, x, y, learningRate: 0.02, steps: 30);
        Assert.True(losses[^1] < losses[0] * 0.5, $"loss went {losses[0]:F5} → {losses[^1]:F5}");
    }

    public static TheoryData<string> DropoutModels() =>
        ["stacked_lstm", "bidirectional_gru_average", "classifier_one_layer", "scratch_lstm_peephole", "scratch_gru_bidirectional"];

    private static (nn.Module Model, Tensor Input, Func<nn.Module, Tensor, Tensor> Run) DropoutCase(string name)
    {
        torch.manual_seed(4);
        var g = new Generator(6);
        Tensor Single(nn.Module m, Tensor x) => ((nn.Module<Tensor, Tensor>)m).call(x);
        // The scratch modules' sequence output is the part dropout between layers reaches.
        Tensor LstmOutput(nn.Module m, Tensor x) => ((nn.Module<Tensor, (Tensor, Tensor)?, (Tensor, Tensor, Tensor)>)m).call(x, null).Item1;
        Tensor GruOutput(nn.Module m, Tensor x) => ((nn.Module<Tensor, Tensor?, (Tensor, Tensor)>)m).call(x, null).Item1;
        return name switch
        {
            "stacked_lstm" => (new StackedLstm(3, [6, 5], 2, dropout: 0.5), torch.randn([4, 5, 3], generator: g), Single),
            "bidirectional_gru_average" => (new BidirectionalRnn(RecurrentCell.Gru, 3, [5, 4], 2, dropout: 0.4, merge: MergeMode.Average, returnSequences: true),
                torch.randn([3, 6, 3], generator: g), Single),
            "classifier_one_layer" => (new SequenceClassifier(9, 4, 5, 3, bidirectional: true, dropout: 0.5),
                ModelExportCases.Tokens(g, 9, 6, (0, 2), (1, 0), (0, 0)), Single),
            "scratch_lstm_peephole" => (new ScratchLstm(3, 5, 3, batchFirst: true, dropout: 0.4, variant: new ScratchLstmVariant(Peepholes: true)),
                torch.randn([2, 6, 3], generator: g), LstmOutput),
            _ => (new ScratchGru(3, 4, 2, dropout: 0.5, bidirectional: true), torch.randn([5, 3, 3], generator: g), GruOutput),
        };
    }

    [Theory]
    [MemberData(nameof(DropoutModels))]
    public void Train_mode_draws_the_same_dropout_masks_as_the_CSharp_model(string name)
    {
        var (model, input, run) = DropoutCase(name);
        using var loaded = Export(model, name);
        Tensor eval;
        model.eval();
        using (torch.no_grad()) eval = run(model, input);

        model.train();
        loaded.train();
        torch.manual_seed(77);
        var fromCSharp = run(model, input).detach();
        torch.manual_seed(77);
        var fromScript = ExportCases.Flatten(loaded.call(input))[0].detach();
        Assert.True(ExportCases.MaxAbsDifference(fromCSharp, eval) > 1e-3, "dropout changed nothing in training mode: the test would prove nothing");
        double difference = ExportCases.MaxAbsDifference(fromCSharp, fromScript);
        Assert.True(difference <= 1e-6, $"{name}: train-mode outputs differ by {difference}");
    }

    [Fact]
    public void Classifier_inter_layer_dropout_acts_in_train_mode_only()
    {
        // Two layers: the exported recurrent module carries torch's inter-layer dropout itself.
        torch.manual_seed(9);
        var model = new SequenceClassifier(9, 4, 6, 2, numLayers: 2, dropout: 0.3);
        var tokens = ModelExportCases.Tokens(new Generator(2), 9, 7, (0, 3), (2, 0), (0, 0));
        using var loaded = Export(model, "classifier_two_layers");
        var rnn = (jit.ScriptModule)loaded.named_children().Single(c => c.name == "rnn").module;
        var embedded = torch.randn([3, 7, 4], generator: new Generator(3));
        var lengths = torch.tensor(new long[] { 4, 5, 7 });

        rnn.eval();
        var first = (Tensor)rnn.invoke("forward", embedded, lengths);
        var again = (Tensor)rnn.invoke("forward", embedded, lengths);
        Assert.Equal(0, ExportCases.MaxAbsDifference(first, again));
        rnn.train();
        torch.manual_seed(5);
        var dropped = ((Tensor)rnn.invoke("forward", embedded, lengths)).detach();
        Assert.True(ExportCases.MaxAbsDifference(first, dropped) > 1e-3, "train mode did not drop anything between the layers");

        loaded.eval();
        using var noGrad = torch.no_grad();
        model.eval();
        Assert.True(ExportCases.MaxAbsDifference(model.call(tokens), (Tensor)loaded.call(tokens)) <= 1e-6);
    }

    [Fact]
    public void Loaded_models_reject_wrong_inputs_with_a_readable_message()
    {
        using var stacked = Export(new StackedGru(3, [4], 1), "gru");
        var features = Assert.ThrowsAny<Exception>(() => stacked.call(torch.zeros(2, 5, 4)));
        Assert.Contains("StackedGru expects 3 features in the last dimension, shape (batch, time, 3)", features.Message);
        var rank = Assert.ThrowsAny<Exception>(() => stacked.call(torch.zeros(5, 3)));
        Assert.Contains("StackedGru expects input shaped (batch, time, features=3)", rank.Message);

        using var classifier = Export(new SequenceClassifier(6, 3, 4, 2), "classifier");
        var range = Assert.ThrowsAny<Exception>(() => classifier.call(torch.tensor(new long[,] { { 1, 6 } })));
        Assert.Contains("token ids must lie in [0, 6) (0 = padding)", range.Message);
        var floats = Assert.ThrowsAny<Exception>(() => classifier.call(torch.ones(1, 3)));
        Assert.Contains("expects integer token ids", floats.Message);
    }
}
