using TorchLstm.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

public sealed class PyTorchStateDictTests : IDisposable
{
    // The torch.nn twin of LastStepRegressor: same attribute names, so the state_dict keys agree.
    private const string PythonModel = """
        class LastStepRegressor(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = torch.nn.LSTM(2, 8, 2, batch_first=True)
                self.head = torch.nn.Linear(8, 1)

            def forward(self, x):
                output, _ = self.lstm(x)
                return self.head(output[:, -1, :])

        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "torchlstm-sd-" + Guid.NewGuid().ToString("N"));

    public PyTorchStateDictTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Tensor Input() => torch.randn([3, 6, 2], generator: new Generator(11));

    private static Tensor Predict(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        return model.call(input);
    }

    [Fact]
    public void Saved_state_dict_loads_into_the_torch_nn_twin_in_Python()
    {
        string python = PythonTorch.Require();
        torch.manual_seed(5);
        var model = new LastStepRegressor();
        string path = Path.Combine(_directory, "weights.pt");
        PyTorchStateDict.Save(model, path);
        Tensor input = Input();
        var inputFile = PythonTorch.Describe(input, Path.Combine(_directory, "x.bin"));
        string manifest = Path.Combine(_directory, "input.json");
        File.WriteAllText(manifest, System.Text.Json.JsonSerializer.Serialize(inputFile));
        PythonTorch.Run(python, PythonTorch.PythonHelpers + PythonModel + """
            model = LastStepRegressor()
            model.load_state_dict(torch.load(sys.argv[1]))  # strict: every key and shape must match
            model.eval()
            with torch.no_grad():
                write_tensors([model(read_tensor(json.load(open(sys.argv[2]))))], sys.argv[3])
            """, path, manifest, Path.Combine(_directory, "out"));

        var fromPython = PythonTorch.ReadTensors(Path.Combine(_directory, "out.json")).Single();
        double difference = ExportCases.MaxAbsDifference(Predict(model, input), fromPython);
        Assert.True(difference <= 1e-5, $"max |diff| {difference}");
    }

    [Fact]
    public void State_dict_saved_by_Python_loads_into_the_CSharp_model()
    {
        string python = PythonTorch.Require();
        string path = Path.Combine(_directory, "from_python.pt");
        Tensor input = Input();
        string manifest = Path.Combine(_directory, "input.json");
        File.WriteAllText(manifest, System.Text.Json.JsonSerializer.Serialize(PythonTorch.Describe(input, Path.Combine(_directory, "x.bin"))));
        PythonTorch.Run(python, PythonTorch.PythonHelpers + PythonModel + """
            torch.manual_seed(123)
            model = LastStepRegressor().eval()
            torch.save(model.state_dict(), sys.argv[1])
            with torch.no_grad():
                write_tensors([model(read_tensor(json.load(open(sys.argv[2]))))], sys.argv[3])
            """, path, manifest, Path.Combine(_directory, "out"));
        var fromPython = PythonTorch.ReadTensors(Path.Combine(_directory, "out.json")).Single();

        torch.manual_seed(1);
        var model = new LastStepRegressor();
        Assert.True(ExportCases.MaxAbsDifference(Predict(model, input), fromPython) > 1e-3, "fresh model already agrees: the test would prove nothing");
        PyTorchStateDict.Load(model, path);
        double difference = ExportCases.MaxAbsDifference(Predict(model, input), fromPython);
        Assert.True(difference <= 1e-5, $"max |diff| {difference}");
    }

    [Fact]
    public void Save_then_Load_reproduces_every_tensor_exactly()
    {
        torch.manual_seed(2);
        var source = new LastStepRegressor();
        torch.manual_seed(3);
        var target = new LastStepRegressor();
        string path = Path.Combine(_directory, "copy.pt");
        PyTorchStateDict.Save(source, path);
        PyTorchStateDict.Load(target, path);
        var expected = source.state_dict();
        foreach (var (key, tensor) in target.state_dict())
            Assert.True(tensor.shape.SequenceEqual(expected[key].shape) && tensor.eq(expected[key]).all().item<bool>(), $"{key} differs after the round trip");
    }

    [Fact]
    public void Shape_mismatch_names_the_key_and_both_shapes_and_changes_nothing()
    {
        string path = Path.Combine(_directory, "hidden8.pt");
        PyTorchStateDict.Save(new LastStepRegressor(hiddenSize: 8), path);
        var target = new LastStepRegressor(hiddenSize: 4);
        var before = target.Head.weight.clone();
        var error = Assert.Throws<StateDictMismatchException>(() => PyTorchStateDict.Load(target, path));
        Assert.Contains("lstm.weight_ih_l0: file [32, 2], module [16, 2]", error.Message);
        Assert.Contains("head.weight: file [1, 8], module [1, 4]", error.Message);
        Assert.Contains("lstm.weight_ih_l0: file [32, 2], module [16, 2]", error.ShapeMismatches);
        Assert.True(target.Head.weight.eq(before).all().item<bool>(), "a failed load changed the head weights");
    }

    [Fact]
    public void Missing_and_unexpected_keys_are_listed_by_name()
    {
        string path = Path.Combine(_directory, "bare_lstm.pt");
        PyTorchStateDict.Save(nn.LSTM(2, 8, numLayers: 2, batchFirst: true), path);
        var error = Assert.Throws<StateDictMismatchException>(() => PyTorchStateDict.Load(new LastStepRegressor(), path));
        Assert.Contains("lstm.weight_ih_l0", error.MissingKeys);
        Assert.Contains("head.bias", error.MissingKeys);
        Assert.Contains("weight_ih_l0", error.UnexpectedKeys);
        Assert.Contains("missing keys (in the module, not in the file): lstm.weight_ih_l0", error.Message);
        Assert.Contains("unexpected keys (in the file, not in the module): weight_ih_l0", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_torch_zip_is_rejected_clearly()
    {
        string path = Path.Combine(_directory, "notes.pt");
        File.WriteAllText(path, "not a model");
        var error = Assert.Throws<InvalidDataException>(() => PyTorchStateDict.Load(new LastStepRegressor(), path));
        Assert.Contains("is not a zip-format torch file", error.Message);
        Assert.Throws<FileNotFoundException>(() => PyTorchStateDict.Load(new LastStepRegressor(), Path.Combine(_directory, "absent.pt")));
    }
}
