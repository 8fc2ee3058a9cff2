using System.Globalization;
using TorchLstm.Export.Emission;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Export.Emitters;

/// <summary>
/// Shared emission for torch's recurrent layers: the forward calls the fused op
/// (<c>torch.lstm</c>, <c>torch.gru</c>, <c>torch.rnn_tanh</c>/<c>rnn_relu</c>) with the flat weights in
/// torch's order and returns what torch.nn returns: <c>(output, h_n)</c>, or <c>(output, (h_n, c_n))</c>
/// for LSTM. TorchSharp's native modules do not expose their inter-layer dropout, so it is exported as
/// 0: outputs are identical (export runs in eval mode), but fine-tuning the loaded file has no dropout
/// between layers.
/// </summary>
internal abstract class RecurrentEmitter<TModule> : ModuleEmitter<TModule> where TModule : nn.Module
{
    private protected abstract int Gates { get; }

    /// <summary>The TorchScript op the forward calls.</summary>
    private protected abstract string OpName(TModule module, RecurrentLayout layout, string modulePath);

    /// <summary>Runs the TorchSharp module on an input and returns its output sequence (for probing).</summary>
    private protected abstract Tensor RunOutput(TModule module, Tensor input);

    private protected abstract bool IsLstm { get; }

    /// <inheritdoc />
    protected override void Emit(TModule module, ScriptClassBuilder scriptClass)
    {
        var layout = RecurrentLayout.Read(module, Gates, scriptClass.ModulePath);
        bool batchFirst = layout.ProbeBatchFirst(input => RunOutput(module, input));
        foreach (var (name, value) in layout.FlatWeights) scriptClass.AddParameter(name, value);
        scriptClass.AddConstant("input_size", layout.InputSize);
        scriptClass.AddConstant("hidden_size", layout.HiddenSize);
        scriptClass.AddConstant("num_layers", (long)layout.NumLayers);
        scriptClass.AddConstant("bias", layout.HasBias);
        scriptClass.AddConstant("batch_first", batchFirst);
        scriptClass.AddConstant("bidirectional", layout.Bidirectional);
        scriptClass.AddConstant("dropout", 0.0);

        string Literal(bool value) => value ? "True" : "False";
        string weights = string.Join(", ", layout.FlatWeights.Select(w => "self." + w.Name));
        string zeros = $"torch.zeros([{(layout.NumLayers * layout.Directions).ToString(CultureInfo.InvariantCulture)}, " +
                       $"input.size({(batchFirst ? 0 : 1)}), {layout.HiddenSize.ToString(CultureInfo.InvariantCulture)}], dtype=input.dtype, device=input.device)";
        string common = $"[{weights}], {Literal(layout.HasBias)}, {layout.NumLayers.ToString(CultureInfo.InvariantCulture)}, 0., " +
                        $"self.training, {Literal(layout.Bidirectional)}, {Literal(batchFirst)}";
        string op = OpName(module, layout, scriptClass.ModulePath);
        scriptClass.AddMethod(IsLstm
            ? $"""
              def forward(self, input: Tensor, hx: Optional[Tuple[Tensor, Tensor]] = None) -> Tuple[Tensor, Tuple[Tensor, Tensor]]:
                if hx is None:
                  zeros = {zeros}
                  state = (zeros, zeros)
                else:
                  state = hx
                output, h_n, c_n = {op}(input, [state[0], state[1]], {common})
                return (output, (h_n, c_n))
              """
            : $"""
              def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
                if hx is None:
                  state = {zeros}
                else:
                  state = hx
                output, h_n = {op}(input, state, {common})
                return (output, h_n)
              """);
    }
}

/// <summary><c>nn.LSTM</c> → <c>torch.lstm</c>; forward(input, hx=None) → (output, (h_n, c_n)).</summary>
internal sealed class LstmEmitter : RecurrentEmitter<LSTM>
{
    /// <inheritdoc />
    public override string ScriptClassName => "torch.nn.modules.rnn.LSTM";

    private protected override int Gates => 4;

    private protected override bool IsLstm => true;

    private protected override string OpName(LSTM module, RecurrentLayout layout, string modulePath) => "torch.lstm";

    private protected override Tensor RunOutput(LSTM module, Tensor input) => module.call(input).Item1;
}

/// <summary><c>nn.GRU</c> → <c>torch.gru</c>; forward(input, hx=None) → (output, h_n).</summary>
internal sealed class GruEmitter : RecurrentEmitter<GRU>
{
    /// <inheritdoc />
    public override string ScriptClassName => "torch.nn.modules.rnn.GRU";

    private protected override int Gates => 3;

    private protected override bool IsLstm => false;

    private protected override string OpName(GRU module, RecurrentLayout layout, string modulePath) => "torch.gru";

    private protected override Tensor RunOutput(GRU module, Tensor input) => module.call(input, null).Item1;
}

/// <summary>
/// <c>nn.RNN</c> → <c>torch.rnn_tanh</c> or <c>torch.rnn_relu</c>; the non-linearity is native and private
/// in TorchSharp, so it is recognised by comparing one step of the module with both candidates.
/// </summary>
internal sealed class RnnEmitter : RecurrentEmitter<RNN>
{
    /// <inheritdoc />
    public override string ScriptClassName => "torch.nn.modules.rnn.RNN";

    private protected override int Gates => 1;

    private protected override bool IsLstm => false;

    private protected override Tensor RunOutput(RNN module, Tensor input) => module.call(input, null).Item1;

    private protected override string OpName(RNN module, RecurrentLayout layout, string modulePath) => DetectOp(module, layout, modulePath);

    /// <summary>Names the fused op (<c>torch.rnn_tanh</c> or <c>torch.rnn_relu</c>) that reproduces <paramref name="module"/>.</summary>
    internal static string DetectOp(RNN module, RecurrentLayout layout, string modulePath)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var reference = layout.FlatWeights[0].Value;
        // Mixed signs so tanh (negative outputs) and ReLU (clamped at 0) disagree.
        Tensor step = torch.linspace(-2.0, 1.5, layout.InputSize, dtype: reference.dtype, device: reference.device);
        Tensor actual = module.call(step.reshape(1, 1, layout.InputSize), null).Item1.reshape(-1);
        if (torch.allclose(actual, layout.SingleStep(step, torch.tanh), rtol: 1e-5, atol: 1e-6)) return "torch.rnn_tanh";
        if (torch.allclose(actual, layout.SingleStep(step, x => torch.nn.functional.relu(x)), rtol: 1e-5, atol: 1e-6)) return "torch.rnn_relu";
        throw new NotSupportedException($"RNN module '{modulePath}' behaves like neither a tanh nor a ReLU Elman RNN; cannot export it");
    }
}
