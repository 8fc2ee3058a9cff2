using TorchLstm.Export.Emission;

namespace TorchLstm.Export.ModelEmitters;

/// <summary>
/// Exports <see cref="ScaledForecaster"/>: the statistics as buffers, the wrapped model as submodule
/// <c>model</c> (through its own emitter), and the scaler's arithmetic around it.
/// </summary>
internal sealed class ScaledForecasterEmitter : ModuleEmitter<ScaledForecaster>
{
    /// <inheritdoc />
    public override string ScriptClassName => "TorchLstm.Export.ScaledForecaster";

    /// <inheritdoc />
    protected override void Emit(ScaledForecaster module, ScriptClassBuilder scriptClass)
    {
        var buffers = module.named_buffers(recurse: false).ToDictionary(b => b.name, b => b.buffer);
        scriptClass.AddBuffer("feature_center", buffers["feature_center"]);
        scriptClass.AddBuffer("feature_factor", buffers["feature_factor"]);
        scriptClass.AddSubmodule("model", module.Model);
        scriptClass.AddConstant("target_column", (long)module.TargetColumn);
        scriptClass.AddConstant("shift", module.Scaling.Shift);

        string columns = ScriptText.Int(module.Scaling.ColumnCount);
        string target = ScriptText.Int(module.TargetColumn);
        string shift = ScriptText.Float(module.Scaling.Shift);
        scriptClass.AddMethod(
            "def forward(self, raw: Tensor) -> Tensor:\n" +
            ScriptText.Guard($"raw.dim() != 3 or raw.size(2) != {columns}",
                $"ScaledForecaster expects raw windows shaped (batch, window, {module.Scaling.ColumnCount})") +
            $"  prediction = self.model.forward((raw - self.feature_center) * self.feature_factor + {shift})\n" +
            $"  return (prediction - {shift}) / self.feature_factor[{target}] + self.feature_center[{target}]\n");
    }
}
