using TorchLstm.Export.Emission;
using TorchLstm.Export.ModelEmitters;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Export.Emitters;

/// <summary>
/// Shared part of the single-step cell emitters: the parameters keep torch's names (<c>weight_ih</c>,
/// <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>; a cell without bias exports them as None) and the
/// forward calls torch's fused cell op, which is what the TorchSharp cells run natively.
/// </summary>
/// <typeparam name="TCell">The TorchSharp cell type.</typeparam>
internal abstract class RecurrentCellEmitter<TCell> : ModuleEmitter<TCell> where TCell : nn.Module
{
    /// <summary>Gate blocks stacked in the weights: 4 (LSTM), 3 (GRU) or 1 (RNN).</summary>
    private protected abstract int Gates { get; }

    /// <summary>The forward method, given the cell's hidden size.</summary>
    private protected abstract string Forward(TCell module, long hiddenSize, string modulePath);

    /// <inheritdoc />
    protected override void Emit(TCell module, ScriptClassBuilder scriptClass)
    {
        var parameters = module.named_parameters(recurse: false).ToDictionary(p => p.name, p => (Tensor)p.parameter);
        if (!parameters.TryGetValue("weight_ih", out var inputWeight) || !parameters.TryGetValue("weight_hh", out var hiddenWeight))
            throw new NotSupportedException($"recurrent cell '{scriptClass.ModulePath}' ({module.GetType().Name}) has no weight_ih/weight_hh parameters; found: {string.Join(", ", parameters.Keys)}");
        long hidden = hiddenWeight.shape[1];
        if (inputWeight.shape[0] != Gates * hidden)
            throw new NotSupportedException($"recurrent cell '{scriptClass.ModulePath}': weight_ih has {inputWeight.shape[0]} rows, expected {Gates} gates x hidden {hidden}");
        scriptClass.AddParameter("weight_ih", inputWeight);
        scriptClass.AddParameter("weight_hh", hiddenWeight);
        scriptClass.AddParameter("bias_ih", parameters.GetValueOrDefault("bias_ih"));
        scriptClass.AddParameter("bias_hh", parameters.GetValueOrDefault("bias_hh"));
        scriptClass.AddConstant("input_size", inputWeight.shape[1]);
        scriptClass.AddConstant("hidden_size", hidden);
        scriptClass.AddConstant("bias", parameters.ContainsKey("bias_ih"));
        scriptClass.AddMethod(Forward(module, hidden, scriptClass.ModulePath));
    }

    /// <summary>The guard and the zero state every cell forward starts with (batched input only).</summary>
    private protected static string Preamble(string cellName, long hiddenSize) =>
        ScriptText.Guard("input.dim() != 2", $"{cellName} expects input shaped (batch, input_size); got a tensor of another rank") +
        $"  zeros = torch.zeros([input.size(0), {ScriptText.Int(hiddenSize)}], dtype=input.dtype, device=input.device)\n";

    private protected const string Arguments = "self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh";
}

/// <summary><c>nn.LSTMCell</c> → <c>torch.lstm_cell</c>; forward(input, hx=None) → (h', c').</summary>
internal sealed class LstmCellEmitter : RecurrentCellEmitter<LSTMCell>
{
    /// <inheritdoc />
    public override string ScriptClassName => "torch.nn.modules.rnn.LSTMCell";

    private protected override int Gates => 4;

    private protected override string Forward(LSTMCell module, long hiddenSize, string modulePath) =>
        "def forward(self, input: Tensor, hx: Optional[Tuple[Tensor, Tensor]] = None) -> Tuple[Tensor, Tensor]:\n" +
        Preamble("LSTMCell", hiddenSize) +
        "  if hx is None:\n" +
        "    state = (zeros, zeros)\n" +
        "  else:\n" +
        "    state = hx\n" +
        $"  h, c = torch.lstm_cell(input, [state[0], state[1]], {Arguments})\n" +
        "  return (h, c)\n";
}

/// <summary><c>nn.GRUCell</c> → <c>torch.gru_cell</c>; forward(input, hx=None) → h'.</summary>
internal sealed class GruCellEmitter : RecurrentCellEmitter<GRUCell>
{
    /// <inheritdoc />
    public override string ScriptClassName => "torch.nn.modules.rnn.GRUCell";

    private protected override int Gates => 3;

    private protected override string Forward(GRUCell module, long hiddenSize, string modulePath) =>
        "def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:\n" +
        Preamble("GRUCell", hiddenSize) +
        "  if hx is None:\n" +
        "    state = zeros\n" +
        "  else:\n" +
        "    state = hx\n" +
        $"  return torch.gru_cell(input, state, {Arguments})\n";
}

/// <summary>
/// <c>nn.RNNCell</c> → <c>torch.rnn_tanh_cell</c> or <c>torch.rnn_relu_cell</c>; TorchSharp keeps the
/// non-linearity native and private, so one step of the cell is compared with both candidates.
/// </summary>
internal sealed class RnnCellEmitter : RecurrentCellEmitter<RNNCell>
{
    /// <inheritdoc />
    public override string ScriptClassName => "torch.nn.modules.rnn.RNNCell";

    private protected override int Gates => 1;

    private protected override string Forward(RNNCell module, long hiddenSize, string modulePath) =>
        "def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:\n" +
        Preamble("RNNCell", hiddenSize) +
        "  if hx is None:\n" +
        "    state = zeros\n" +
        "  else:\n" +
        "    state = hx\n" +
        $"  return {DetectOp(module, modulePath)}(input, state, {Arguments})\n";

    private static string DetectOp(RNNCell module, string modulePath)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var parameters = module.named_parameters(recurse: false).ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var weight = parameters["weight_ih"];
        // Mixed signs so tanh (negative outputs) and ReLU (clamped at 0) disagree; a fixed input keeps
        // the random generator untouched.
        Tensor step = torch.linspace(-2.0, 1.5, weight.shape[1], dtype: weight.dtype, device: weight.device).unsqueeze(0);
        Tensor actual = module.call(step, torch.zeros(1, parameters["weight_hh"].shape[1], dtype: weight.dtype, device: weight.device));
        Tensor pre = torch.nn.functional.linear(step, weight, parameters.GetValueOrDefault("bias_ih"));
        if (parameters.TryGetValue("bias_hh", out var hiddenBias)) pre = pre + hiddenBias;
        if (torch.allclose(actual, pre.tanh(), rtol: 1e-5, atol: 1e-6)) return "torch.rnn_tanh_cell";
        if (torch.allclose(actual, torch.nn.functional.relu(pre), rtol: 1e-5, atol: 1e-6)) return "torch.rnn_relu_cell";
        throw new NotSupportedException($"RNN cell '{modulePath}' behaves like neither a tanh nor a ReLU Elman cell; cannot export it");
    }
}
