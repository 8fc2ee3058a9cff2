using TorchLstm.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

public class TorchScriptSmokeTests
{
    [Fact]
    public void Smoke()
    {
        torch.manual_seed(1);
        var model = new LastStepRegressor();
        string path = Path.Combine(Path.GetTempPath(), "smoke_export.pt");
        TorchScript.Save(model, path, new TorchScriptExportOptions { Emitters = [new LastStepRegressorEmitter()] });
        using var loaded = torch.jit.load(path);
        var x = torch.randn(3, 5, 2);
        model.eval();
        var expected = model.call(x);
        var actual = (Tensor)loaded.call(x);
        Assert.True(torch.allclose(expected, actual, 1e-6, 1e-6));
    }
}
