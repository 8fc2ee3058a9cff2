using TorchLstm.Export.Emission;
using TorchLstm.Export.Emitters;
using TorchLstm.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Export.ModelEmitters;

/// <summary>
/// What the emitters that rewrite a batch-first torch recurrent module (LSTM, GRU or RNN) as TorchScript
/// share: reading its layout, checking it is batch-first, and registering its parameters under torch's
/// names with its sizes and dropout as constants. Subclasses add the methods.
/// </summary>
internal abstract class RecurrentScriptEmitter : IModuleEmitter
{
    private readonly string _purpose;

    /// <param name="moduleType">The torch recurrent module type (LSTM, GRU or RNN).</param>
    /// <param name="dropout">The inter-layer dropout the module was created with (TorchSharp keeps it native).</param>
    /// <param name="purpose">What the export is for, as a word: the script class is named <c>TorchLstm.Models.{Purpose}{Type}</c>.</param>
    protected RecurrentScriptEmitter(Type moduleType, double dropout, string purpose)
    {
        ModuleType = moduleType;
        Dropout = dropout;
        _purpose = purpose;
        ScriptClassName = $"TorchLstm.Models.{purpose}{moduleType.Name}";
    }

    public Type ModuleType { get; }

    public string ScriptClassName { get; }

    /// <summary>The inter-layer dropout rate.</summary>
    protected double Dropout { get; }

    public void Emit(nn.Module module, ScriptClassBuilder scriptClass)
    {
        var (gates, op) = module switch
        {
            LSTM => (4, "torch.lstm"),
            GRU => (3, "torch.gru"),
            RNN => (1, ""),
            _ => throw new NotSupportedException($"module '{scriptClass.ModulePath}' ({module.GetType().Name}) is not a torch LSTM, GRU or RNN"),
        };
        var layout = RecurrentLayout.Read(module, gates, scriptClass.ModulePath);
        if (module is RNN rnn) op = RnnEmitter.DetectOp(rnn, layout, scriptClass.ModulePath);
        if (!layout.ProbeBatchFirst(input => RecurrentLayers.Outputs(module, input)))
            throw new NotSupportedException($"recurrent module '{scriptClass.ModulePath}' is not batch-first; {_purpose.ToLowerInvariant()} export expects (batch, time, features)");

        foreach (var (name, value) in layout.FlatWeights) scriptClass.AddParameter(name, value);
        scriptClass.AddConstant("input_size", layout.InputSize);
        scriptClass.AddConstant("hidden_size", layout.HiddenSize);
        scriptClass.AddConstant("num_layers", (long)layout.NumLayers);
        scriptClass.AddConstant("bidirectional", layout.Bidirectional);
        scriptClass.AddConstant("dropout", Dropout);
        AddMethods(scriptClass, layout, op, module is LSTM);
    }

    /// <summary>Adds the script methods.</summary>
    /// <param name="scriptClass">The class being built.</param>
    /// <param name="layout">The module's sizes and weights.</param>
    /// <param name="op">torch's fused op for the module (<c>torch.lstm</c>, <c>torch.gru</c>, <c>torch.rnn_tanh</c> or <c>torch.rnn_relu</c>); append <c>_cell</c> for the one-step op.</param>
    /// <param name="isLstm">Whether the module carries a cell state.</param>
    protected abstract void AddMethods(ScriptClassBuilder scriptClass, RecurrentLayout layout, string op, bool isLstm);
}
