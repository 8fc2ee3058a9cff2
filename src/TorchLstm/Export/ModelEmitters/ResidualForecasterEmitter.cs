using TorchLstm.Export.Emission;
using TorchLstm.Models;

namespace TorchLstm.Export.ModelEmitters;

/// <summary>
/// Exports <see cref="ResidualForecaster"/>: the wrapped model as submodule <c>model</c> and the
/// last observed target value added to its output.
/// </summary>
internal sealed class ResidualForecasterEmitter : ModuleEmitter<ResidualForecaster>
{
    /// <inheritdoc />
    public override string ScriptClassName => "TorchLstm.Models.ResidualForecaster";

    /// <inheritdoc />
    protected override void Emit(ResidualForecaster module, ScriptClassBuilder scriptClass)
    {
        scriptClass.AddSubmodule("model", module.Model);
        scriptClass.AddConstant("target_column", (long)module.TargetColumn);
        string target = ScriptText.Int(module.TargetColumn);
        scriptClass.AddMethod(
            "def forward(self, input: Tensor) -> Tensor:\n" +
            ScriptText.Guard($"input.dim() != 3 or input.size(2) <= {target}",
                $"ResidualForecaster expects windows shaped (batch, window, features) with at least {module.TargetColumn + 1} features") +
            "  change = self.model.forward(input)\n" +
            $"  return change + input[:, -1, {target}].unsqueeze(1)\n");
    }
}
