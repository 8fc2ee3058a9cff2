using TorchLstm.Export;
using TorchLstm.Export.Emission;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

public class ExportFailureTests
{
    /// <summary>A module whose emitter declares a complex parameter: emission succeeds, writing storages fails.</summary>
    private sealed class ComplexHolder : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter phase;

        public ComplexHolder() : base(nameof(ComplexHolder))
        {
            phase = new Parameter(torch.ones(3, dtype: ScalarType.ComplexFloat32));
            RegisterComponents();
        }

        public Parameter Phase => phase;

        public override Tensor forward(Tensor input) => input;
    }

    private sealed class ComplexHolderEmitter : ModuleEmitter<ComplexHolder>
    {
        public override string ScriptClassName => "TorchLstm.Tests.ComplexHolder";

        protected override void Emit(ComplexHolder module, ScriptClassBuilder scriptClass)
        {
            scriptClass.AddParameter("phase", module.Phase);
            scriptClass.AddMethod("def forward(self, input: Tensor) -> Tensor:\n  return input");
        }
    }

    private static string TempDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "torchlstm-fail-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    [Fact]
    public void Unknown_module_error_names_its_dotnet_type_and_tree_path_and_writes_nothing()
    {
        string directory = TempDirectory();
        try
        {
            var model = nn.Sequential(("embed", nn.Linear(2, 2)), ("layers", nn.Sequential(nn.Linear(2, 2), new UnknownBlock())));
            string path = Path.Combine(directory, "model.pt");
            var error = Assert.Throws<NotSupportedException>(() => TorchScript.Save(model, path));
            Assert.Contains("module 'layers.1'", error.Message);
            Assert.Contains("TorchLstm.Tests.Export.UnknownBlock", error.Message);
            Assert.Contains("TorchScriptExportOptions.Emitters", error.Message);
            Assert.Empty(Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Failure_while_writing_leaves_no_partial_file_and_keeps_an_existing_one()
    {
        string directory = TempDirectory();
        try
        {
            string path = Path.Combine(directory, "model.pt");
            File.WriteAllText(path, "previous export");
            var options = new TorchScriptExportOptions { Emitters = [new ComplexHolderEmitter()] };
            // Linear's storages are written first; the complex parameter then fails mid-archive.
            var model = nn.Sequential(("head", nn.Linear(2, 2)), ("holder", new ComplexHolder()));
            var error = Assert.Throws<NotSupportedException>(() => TorchScript.Save(model, path, options));
            Assert.Contains("ComplexFloat32", error.Message);
            Assert.Equal(["model.pt"], Directory.GetFiles(directory).Select(Path.GetFileName));
            Assert.Equal("previous export", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Export_restores_the_training_mode_of_every_module()
    {
        string directory = TempDirectory();
        try
        {
            var model = new LastStepRegressor();
            model.train();
            model.Head.eval();
            TorchScript.Save(model, Path.Combine(directory, "m.pt"), ExportCases.Options);
            Assert.True(model.training);
            Assert.True(model.Lstm.training);
            Assert.False(model.Head.training);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Missing_directory_is_reported_with_the_path()
    {
        string path = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "m.pt");
        var error = Assert.Throws<DirectoryNotFoundException>(() => TorchScript.Save(nn.Linear(2, 2), path));
        Assert.Contains(Path.GetDirectoryName(path)!, error.Message);
    }
}
