using TorchLstm.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>
/// Every supported built-in (and the composite) is exported once; TorchSharp's torch.jit.load and
/// PyTorch 1.13's torch.jit.load must reproduce the C# outputs for several input shapes.
/// </summary>
public sealed class TorchScriptRoundTripTests : IClassFixture<TorchScriptRoundTripTests.ExportedModels>
{
    private readonly ExportedModels _exported;

    public TorchScriptRoundTripTests(ExportedModels exported) => _exported = exported;

    /// <summary>
    /// Exports all cases; PyTorch runs on all of them in a single Python process, once, when the first
    /// test asks for its outputs, so the TorchSharp checks never need Python.
    /// </summary>
    public sealed class ExportedModels : IDisposable
    {
        private readonly Lazy<Dictionary<string, List<List<Tensor>>>> _pythonOutputs;

        public string Directory { get; } = Path.Combine(Path.GetTempPath(), "torchlstm-export-" + Guid.NewGuid().ToString("N"));
        public Dictionary<string, (nn.Module Model, Tensor[] Inputs, string Path)> Models { get; } = [];

        /// <summary>Per case and input, the outputs of PyTorch's torch.jit.load; skips the test without Python.</summary>
        public Dictionary<string, List<List<Tensor>>> PythonOutputs
        {
            get
            {
                PythonTorch.Require();
                return _pythonOutputs.Value;
            }
        }

        public ExportedModels()
        {
            System.IO.Directory.CreateDirectory(Directory);
            var manifest = new List<object>();
            var generator = new Generator(20240601);
            foreach (var exportCase in ExportCases.All)
            {
                torch.manual_seed(7);
                var model = exportCase.Create();
                var inputs = exportCase.Inputs(generator);
                string path = Path.Combine(Directory, exportCase.Name + ".pt");
                TorchScript.Save(model, path, ExportCases.Options);
                Models[exportCase.Name] = (model, inputs, path);
                manifest.Add(new
                {
                    name = exportCase.Name,
                    model = path,
                    inputs = inputs.Select((x, i) => PythonTorch.Describe(x, Path.Combine(Directory, $"{exportCase.Name}.in{i}.bin"))).ToArray(),
                });
            }
            string manifestPath = Path.Combine(Directory, "manifest.json");
            File.WriteAllText(manifestPath, System.Text.Json.JsonSerializer.Serialize(manifest));
            _pythonOutputs = new(() => RunPython(manifestPath));
        }

        private Dictionary<string, List<List<Tensor>>> RunPython(string manifestPath)
        {
            PythonTorch.Run(PythonTorch.Require(), PythonTorch.PythonHelpers + """
                torch.manual_seed(0)
                for case in json.load(open(sys.argv[1])):
                    model = torch.jit.load(case["model"])
                    with torch.no_grad():
                        for i, d in enumerate(case["inputs"]):
                            write_tensors(flatten(model(read_tensor(d))), case["model"] + f".py{i}")
                """, manifestPath);
            return Models.ToDictionary(m => m.Key, m => Enumerable.Range(0, m.Value.Inputs.Length)
                .Select(i => PythonTorch.ReadTensors(m.Value.Path + $".py{i}.json")).ToList());
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(ExportCases.Names), MemberType = typeof(ExportCases))]
    public void TorchSharp_jit_load_reproduces_the_CSharp_outputs_within_1e6(string name)
    {
        var exportCase = ExportCases.Get(name);
        var (model, inputs, path) = _exported.Models[name];
        using var loaded = torch.jit.load(path);
        model.eval();
        foreach (var input in inputs)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var expected = exportCase.Run(model, input);
            var actual = ExportCases.Flatten(loaded.call(input));
            Assert.Equal(expected.Length, actual.Count);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(ExportCases.MaxAbsDifference(expected[i], actual[i]) <= 1e-6,
                    $"{name}, input [{string.Join(",", input.shape)}], output {i}: max |diff| {ExportCases.MaxAbsDifference(expected[i], actual[i])}");
        }
    }

    [Theory]
    [MemberData(nameof(ExportCases.Names), MemberType = typeof(ExportCases))]
    public void PyTorch_jit_load_reproduces_the_CSharp_outputs_within_1e5(string name)
    {
        var pythonOutputs = _exported.PythonOutputs;
        var exportCase = ExportCases.Get(name);
        var (model, inputs, _) = _exported.Models[name];
        model.eval();
        for (int k = 0; k < inputs.Length; k++)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var expected = exportCase.Run(model, inputs[k]);
            var fromPython = pythonOutputs[name][k];
            Assert.Equal(expected.Length, fromPython.Count);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(ExportCases.MaxAbsDifference(expected[i], fromPython[i]) <= 1e-5,
                    $"{name}, input {k}, output {i}: max |diff| {ExportCases.MaxAbsDifference(expected[i], fromPython[i])}");
        }
    }

    [Fact]
    public void Loaded_script_module_has_trainable_parameters_and_its_loss_falls_under_Adam()
    {
        var (_, _, path) = _exported.Models["composite_lstm_last_step_linear"];
        using var loaded = torch.jit.load(path);
        var parameters = loaded.named_parameters().ToList();
        Assert.Equal(
            ["lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
             "lstm.weight_ih_l1", "lstm.weight_hh_l1", "lstm.bias_ih_l1", "lstm.bias_hh_l1", "head.weight", "head.bias"],
            parameters.Select(p => p.name));
        Assert.All(parameters, p => Assert.True(p.parameter.requires_grad, $"{p.name} does not require grad"));

        var generator = new Generator(3);
        var x = torch.randn([16, 6, 2], generator: generator);
        var y = x.sum([1, 2]).unsqueeze(1) * 0.1;
        var losses = ExportCases.TrainLoaded(loaded, x, y, learningRate: 0.01, steps: 25);
        Assert.True(losses[^1] < losses[0] * 0.7, $"loss went {losses[0]:F5} → {losses[^1]:F5}");
    }
}
