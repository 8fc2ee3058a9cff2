using System.Text.Json;
using TorchLstm.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>
/// Every library model is exported with the default emitters; TorchSharp's and PyTorch 1.13's
/// torch.jit.load must reproduce the C# outputs, and state_dicts must travel both ways through Python.
/// </summary>
public sealed class ModelRoundTripTests : IClassFixture<ModelRoundTripTests.ExportedModels>
{
    private const int StateDictInput = 1;
    private readonly ExportedModels _exported;

    public ModelRoundTripTests(ExportedModels exported) => _exported = exported;

    public sealed record Exported(nn.Module Model, nn.Module Twin, Tensor[] Inputs, string Path);

    /// <summary>What PyTorch computed for one model: outputs per input, the twin's, the perturbed model's.</summary>
    public sealed record PythonResults(List<List<Tensor>> Outputs, List<Tensor> TwinOutput, List<Tensor> PerturbedOutput);

    /// <summary>
    /// Exports all cases; every Python check runs in one interpreter, once, when the first test asks
    /// for its results, so the TorchSharp checks never need Python.
    /// </summary>
    public sealed class ExportedModels : IDisposable
    {
        private readonly Lazy<Dictionary<string, PythonResults>> _python;

        public string Directory { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "torchlstm-models-" + Guid.NewGuid().ToString("N"));
        public Dictionary<string, Exported> Models { get; } = [];

        /// <summary>PyTorch's results per case; skips the test without Python.</summary>
        public Dictionary<string, PythonResults> Python
        {
            get
            {
                PythonTorch.Require();
                return _python.Value;
            }
        }

        public ExportedModels()
        {
            System.IO.Directory.CreateDirectory(Directory);
            var manifest = new List<object>();
            var generator = new Generator(20240611);
            foreach (var exportCase in ModelExportCases.All)
            {
                torch.manual_seed(17);
                var model = exportCase.Create();
                torch.manual_seed(18);
                var twin = exportCase.Create();
                var inputs = exportCase.Inputs(generator);
                string path = Path(exportCase.Name, ".pt");
                TorchScript.Save(model, path);
                PyTorchStateDict.Save(twin, Path(exportCase.Name, ".twin.sd"));
                Models[exportCase.Name] = new Exported(model, twin, inputs, path);
                manifest.Add(new
                {
                    name = exportCase.Name,
                    model = path,
                    twin_state = Path(exportCase.Name, ".twin.sd"),
                    python_state = Path(exportCase.Name, ".python.sd"),
                    state_input = StateDictInput,
                    inputs = inputs.Select((x, i) => PythonTorch.Describe(x, Path(exportCase.Name, $".in{i}.bin"))).ToArray(),
                });
            }
            string manifestPath = Path("manifest", ".json");
            File.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest));
            _python = new(() => RunPython(manifestPath));
        }

        private Dictionary<string, PythonResults> RunPython(string manifestPath)
        {
            PythonTorch.Run(PythonTorch.Require(), PythonTorch.PythonHelpers + """
                for case in json.load(open(sys.argv[1])):
                    model = torch.jit.load(case["model"]).eval()
                    inputs = [read_tensor(d) for d in case["inputs"]]
                    with torch.no_grad():
                        for i, x in enumerate(inputs):
                            write_tensors(flatten(model(x)), case["model"] + f".py{i}")
                        # C# -> Python: strict load of the twin's state_dict into the exported module.
                        model.load_state_dict(torch.load(case["twin_state"]))
                        write_tensors(flatten(model(inputs[case["state_input"]])), case["model"] + ".twin")
                        # Python -> C#: change every tensor, save, and record what the change does.
                        g = torch.Generator().manual_seed(4)
                        for p in model.parameters():
                            p.add_(0.1 * torch.randn(p.shape, generator=g))
                        torch.save(model.state_dict(), case["python_state"])
                        write_tensors(flatten(model(inputs[case["state_input"]])), case["model"] + ".perturbed")
                """, manifestPath);
            return Models.ToDictionary(m => m.Key, m => new PythonResults(
                Enumerable.Range(0, m.Value.Inputs.Length).Select(i => PythonTorch.ReadTensors(m.Value.Path + $".py{i}.json")).ToList(),
                PythonTorch.ReadTensors(m.Value.Path + ".twin.json"),
                PythonTorch.ReadTensors(m.Value.Path + ".perturbed.json")));
        }

        public string Path(string name, string suffix) => System.IO.Path.Combine(Directory, name + suffix);

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static Tensor[] Predict(string name, nn.Module model, Tensor input)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        return ModelExportCases.Get(name).Run(model, input);
    }

    private static double MaxAbsDifference(IReadOnlyList<Tensor> expected, IReadOnlyList<Tensor> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        return expected.Zip(actual, ExportCases.MaxAbsDifference).Max();
    }

    private static void AssertClose(IReadOnlyList<Tensor> expected, IReadOnlyList<Tensor> actual, double tolerance, string what)
    {
        double difference = MaxAbsDifference(expected, actual);
        Assert.True(difference <= tolerance, $"{what}: max |diff| {difference} > {tolerance}");
    }

    [Theory]
    [MemberData(nameof(ModelExportCases.Names), MemberType = typeof(ModelExportCases))]
    public void TorchSharp_jit_load_reproduces_the_model_within_1e6_with_the_same_parameter_names(string name)
    {
        var (model, _, inputs, path) = _exported.Models[name];
        using var loaded = torch.jit.load(path);
        loaded.eval();
        Assert.Equal(model.state_dict().Keys, loaded.state_dict().Keys);
        Assert.Equal(model.named_parameters().Select(p => p.name), loaded.named_parameters().Select(p => p.name));
        foreach (var input in inputs)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            AssertClose(Predict(name, model, input), ExportCases.Flatten(loaded.call(input)), 1e-6, $"{name}, input [{string.Join(",", input.shape)}]");
        }
    }

    [Theory]
    [MemberData(nameof(ModelExportCases.Names), MemberType = typeof(ModelExportCases))]
    public void PyTorch_jit_load_reproduces_the_model_within_1e5(string name)
    {
        var python = _exported.Python[name];
        var (model, _, inputs, _) = _exported.Models[name];
        for (int k = 0; k < inputs.Length; k++)
            AssertClose(Predict(name, model, inputs[k]), python.Outputs[k], 1e-5, $"{name}, input {k}");
    }

    [Theory]
    [MemberData(nameof(ModelExportCases.Names), MemberType = typeof(ModelExportCases))]
    public void State_dict_round_trips_through_Python_both_ways(string name)
    {
        var python = _exported.Python[name];
        var (model, twin, inputs, _) = _exported.Models[name];
        var input = inputs[StateDictInput];
        var twinOutput = Predict(name, twin, input);
        Assert.True(MaxAbsDifference(Predict(name, model, input), twinOutput) > 1e-3, "the twin already agrees with the model: the test would prove nothing");
        AssertClose(twinOutput, python.TwinOutput, 1e-5, $"{name}: C# state_dict loaded in Python");

        torch.manual_seed(19);
        var fresh = ModelExportCases.Get(name).Create();
        PyTorchStateDict.Load(fresh, _exported.Path(name, ".python.sd"));
        var perturbed = python.PerturbedOutput;
        Assert.True(MaxAbsDifference(twinOutput, perturbed) > 1e-3, "Python's change of the weights did not change the output");
        AssertClose(Predict(name, fresh, input), perturbed, 1e-5, $"{name}: Python state_dict loaded in C#");
    }
}
