using TorchLstm.Export.Emission;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>
/// The shape the library's models will have: a stacked batch-first LSTM whose last time step feeds a
/// linear head (LSTM(2→8, 2 layers) → last step → Linear(8→1)).
/// </summary>
internal sealed class LastStepRegressor : nn.Module<Tensor, Tensor>
{
    private readonly LSTM lstm;
    private readonly Linear head;

    public LastStepRegressor(long inputSize = 2, long hiddenSize = 8, long layers = 2) : base(nameof(LastStepRegressor))
    {
        lstm = nn.LSTM(inputSize, hiddenSize, numLayers: layers, batchFirst: true);
        head = nn.Linear(hiddenSize, 1);
        RegisterComponents();
    }

    public LSTM Lstm => lstm;

    public Linear Head => head;

    public override Tensor forward(Tensor input)
    {
        var (output, _, _) = lstm.call(input);
        return head.call(output[.., -1, ..]);
    }
}

/// <summary>The one emitter a model type needs: its submodules and a forward in TorchScript.</summary>
internal sealed class LastStepRegressorEmitter : ModuleEmitter<LastStepRegressor>
{
    public override string ScriptClassName => "TorchLstm.Tests.LastStepRegressor";

    protected override void Emit(LastStepRegressor module, ScriptClassBuilder scriptClass)
    {
        scriptClass.AddSubmodule("lstm", module.Lstm);
        scriptClass.AddSubmodule("head", module.Head);
        scriptClass.AddMethod("""
            def forward(self, input: Tensor) -> Tensor:
              output, hidden = self.lstm.forward(input)
              return self.head.forward(output[:, -1, :])
            """);
    }
}

/// <summary>A module no emitter knows, to check the error names its type and path.</summary>
internal sealed class UnknownBlock : nn.Module<Tensor, Tensor>
{
    public UnknownBlock() : base(nameof(UnknownBlock)) { }

    public override Tensor forward(Tensor input) => input * 2;
}
