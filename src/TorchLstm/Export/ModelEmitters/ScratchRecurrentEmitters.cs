using System.Text;
using TorchLstm.Export.Emission;
using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Export.ModelEmitters;

/// <summary>
/// Exports <see cref="ScratchLstm"/> (standard, peephole, CIFG and both) with its own equations in
/// TorchScript rather than <c>torch.lstm</c>, so every variant survives the trip. The loaded module
/// is a drop-in for <c>nn.LSTM</c>: <c>forward(input, hx=None)</c> → <c>(output, (h_n, c_n))</c>, batched
/// or unbatched input, batch_first as configured, inter-layer dropout at the module's rate in training
/// mode, parameters under the C# names.
/// </summary>
internal sealed class ScratchLstmEmitter : ModuleEmitter<ScratchLstm>
{
    /// <inheritdoc />
    public override string ScriptClassName => "TorchLstm.Models.ScratchLstm";

    /// <inheritdoc />
    protected override void Emit(ScratchLstm module, ScriptClassBuilder scriptClass)
    {
        var names = ScratchRecurrentScript.AddParameters(module, scriptClass);
        var variant = module.Variant;
        scriptClass.AddConstant("peepholes", variant.Peepholes);
        scriptClass.AddConstant("coupled_input_forget_gate", variant.CoupledInputForgetGate);
        ScratchRecurrentScript.AddConstants(scriptClass, module.InputSize, module.HiddenSize, module.NumLayers, module.Bias, module.BatchFirst, module.Dropout, module.Bidirectional);

        string hidden = ScriptText.Int(module.HiddenSize);
        string gates = ScriptText.Int(variant.GateCount);
        var step = new StringBuilder();
        step.Append("def _direction(self, x: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, w_hh: Tensor, bias: Optional[Tensor], ");
        step.Append("w_ci: Optional[Tensor], w_cf: Optional[Tensor], w_co: Optional[Tensor], reverse: bool) -> Tuple[Tensor, Tensor, Tensor]:\n");
        step.Append("  steps = x.size(0)\n");
        step.Append(ScratchRecurrentScript.InputProjection);
        step.Append("  w_hh_t = w_hh.t()\n");
        step.Append("  outputs: List[Tensor] = []\n");
        step.Append("  for k in range(steps):\n");
        step.Append("    t = steps - 1 - k if reverse else k\n");
        step.Append("    a = torch.addmm(projected[t], h, w_hh_t)\n");
        step.Append($"    blocks = torch.chunk(a, {gates}, 1)\n");
        step.Append("    a_i = blocks[0]\n");
        step.Append("    a_g = blocks[-2]\n");
        step.Append("    a_o = blocks[-1]\n");
        if (variant.Peepholes)
        {
            step.Append("    assert w_ci is not None\n    assert w_co is not None\n");
            step.Append("    i = torch.sigmoid(torch.addcmul(a_i, w_ci, c))\n");
        }
        else step.Append("    i = torch.sigmoid(a_i)\n");
        if (variant.CoupledInputForgetGate) step.Append("    f = torch.neg(i) + 1\n");
        else if (variant.Peepholes) step.Append("    assert w_cf is not None\n    f = torch.sigmoid(torch.addcmul(blocks[1], w_cf, c))\n");
        else step.Append("    f = torch.sigmoid(blocks[1])\n");
        step.Append("    g = torch.tanh(a_g)\n");
        step.Append("    c = torch.addcmul(f * c, i, g)\n");
        step.Append(variant.Peepholes ? "    o = torch.sigmoid(torch.addcmul(a_o, w_co, c))\n" : "    o = torch.sigmoid(a_o)\n");
        step.Append("    h = o * torch.tanh(c)\n");
        step.Append("    outputs.append(h)\n");
        step.Append("  output = torch.stack(outputs)\n");
        step.Append("  if reverse:\n    output = torch.flip(output, [0])\n");
        step.Append("  return (output, h, c)\n");
        scriptClass.AddMethod(step.ToString());

        var forward = new StringBuilder();
        forward.Append("def forward(self, input: Tensor, hx: Optional[Tuple[Tensor, Tensor]] = None) -> Tuple[Tensor, Tuple[Tensor, Tensor]]:\n");
        forward.Append(ScratchRecurrentScript.Prologue("ScratchLstm", module.InputSize, module.BatchFirst));
        string stacked = ScriptText.Int(module.NumLayers * module.NumDirections);
        forward.Append("  if hx is None:\n");
        forward.Append($"    h0 = torch.zeros([{stacked}, x.size(1), {hidden}], dtype=x.dtype, device=x.device)\n");
        forward.Append("    c0 = h0\n");
        forward.Append("  else:\n");
        forward.Append("    h0 = hx[0] if batched else hx[0].unsqueeze(1)\n");
        forward.Append("    c0 = hx[1] if batched else hx[1].unsqueeze(1)\n");
        forward.Append(ScratchRecurrentScript.StateGuard("ScratchLstm", "h0", stacked, hidden));
        forward.Append(ScratchRecurrentScript.StateGuard("ScratchLstm", "c0", stacked, hidden));
        forward.Append(ScratchRecurrentScript.Layers(module.NumLayers, module.NumDirections, module.Dropout, names, (index, w) =>
        {
            string Optional(string prefix) => w.FirstOrDefault(n => n.StartsWith(prefix, StringComparison.Ordinal)) is { } n ? "self." + n : "None";
            string bias = module.Bias ? $"self.{w.First(n => n.StartsWith("bias_ih", StringComparison.Ordinal))} + self.{w.First(n => n.StartsWith("bias_hh", StringComparison.Ordinal))}" : "None";
            bool reverse = index % 2 == 1 && module.Bidirectional;
            return $"self._direction(layer_input, h0[{index}], c0[{index}], self.{w[0]}, self.{w[1]}, {bias}, " +
                   $"{Optional("weight_ci")}, {Optional("weight_cf")}, {Optional("weight_co")}, {ScriptText.Bool(reverse)})";
        }, isLstm: true));
        forward.Append(ScratchRecurrentScript.Epilogue(module.BatchFirst));
        forward.Append("  c_n = torch.stack(final_c)\n");
        forward.Append("  if not batched:\n    c_n = c_n.squeeze(1)\n");
        forward.Append("  return (output, (h_n, c_n))\n");
        scriptClass.AddMethod(forward.ToString());
    }
}

/// <summary>
/// Exports <see cref="ScratchGru"/> with its own equations in TorchScript (r, z, n as in torch, b_hn
/// inside the reset product). The loaded module is a drop-in for <c>nn.GRU</c>:
/// <c>forward(input, hx=None)</c> → <c>(output, h_n)</c>.
/// </summary>
internal sealed class ScratchGruEmitter : ModuleEmitter<ScratchGru>
{
    /// <inheritdoc />
    public override string ScriptClassName => "TorchLstm.Models.ScratchGru";

    /// <inheritdoc />
    protected override void Emit(ScratchGru module, ScriptClassBuilder scriptClass)
    {
        var names = ScratchRecurrentScript.AddParameters(module, scriptClass);
        ScratchRecurrentScript.AddConstants(scriptClass, module.InputSize, module.HiddenSize, module.NumLayers, module.Bias, module.BatchFirst, module.Dropout, module.Bidirectional);
        string hidden = ScriptText.Int(module.HiddenSize);
        string twoHidden = ScriptText.Int(2 * module.HiddenSize);
        scriptClass.AddMethod(
            "def _direction(self, x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, bias: Optional[Tensor], b_hh: Optional[Tensor], reverse: bool) -> Tuple[Tensor, Tensor]:\n" +
            "  steps = x.size(0)\n" +
            ScratchRecurrentScript.InputProjection +
            "  w_hh_t = w_hh.t()\n" +
            "  outputs: List[Tensor] = []\n" +
            "  for k in range(steps):\n" +
            "    t = steps - 1 - k if reverse else k\n" +
            "    if b_hh is None:\n" +
            "      hidden_part = torch.mm(h, w_hh_t)\n" +
            "    else:\n" +
            "      hidden_part = torch.addmm(b_hh, h, w_hh_t)\n" +
            "    input_part = projected[t]\n" +
            $"    rz = torch.sigmoid(input_part.narrow(1, 0, {twoHidden}) + hidden_part.narrow(1, 0, {twoHidden}))\n" +
            $"    r = rz.narrow(1, 0, {hidden})\n" +
            $"    z = rz.narrow(1, {hidden}, {hidden})\n" +
            $"    n = torch.tanh(torch.addcmul(input_part.narrow(1, {twoHidden}, {hidden}), r, hidden_part.narrow(1, {twoHidden}, {hidden})))\n" +
            "    h = torch.addcmul(n, z, h - n)\n" +
            "    outputs.append(h)\n" +
            "  output = torch.stack(outputs)\n" +
            "  if reverse:\n    output = torch.flip(output, [0])\n" +
            "  return (output, h)\n");

        string stacked = ScriptText.Int(module.NumLayers * module.NumDirections);
        var forward = new StringBuilder();
        forward.Append("def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:\n");
        forward.Append(ScratchRecurrentScript.Prologue("ScratchGru", module.InputSize, module.BatchFirst));
        forward.Append("  if hx is None:\n");
        forward.Append($"    h0 = torch.zeros([{stacked}, x.size(1), {hidden}], dtype=x.dtype, device=x.device)\n");
        forward.Append("  else:\n");
        forward.Append("    h0 = hx if batched else hx.unsqueeze(1)\n");
        forward.Append(ScratchRecurrentScript.StateGuard("ScratchGru", "h0", stacked, hidden));
        forward.Append(ScratchRecurrentScript.Layers(module.NumLayers, module.NumDirections, module.Dropout, names, (index, w) =>
        {
            // b_ih folds into the input projection; b_hh stays per step because b_hn sits inside r ⊙ (…).
            string inputBias = module.Bias ? "self." + w[2] : "None";
            string hiddenBias = module.Bias ? "self." + w[3] : "None";
            bool reverse = index % 2 == 1 && module.Bidirectional;
            return $"self._direction(layer_input, h0[{index}], self.{w[0]}, self.{w[1]}, {inputBias}, {hiddenBias}, {ScriptText.Bool(reverse)})";
        }, isLstm: false));
        forward.Append(ScratchRecurrentScript.Epilogue(module.BatchFirst));
        forward.Append("  return (output, h_n)\n");
        scriptClass.AddMethod(forward.ToString());
    }
}

/// <summary>The TorchScript shared by the scratch recurrent emitters: layout handling, the layer loop, the final states.</summary>
internal static class ScratchRecurrentScript
{
    /// <summary>x (seq, batch, input) ↦ x W_ihᵀ + bias as one matrix product, as the C# cells do.</summary>
    public const string InputProjection =
        "  flat = x.reshape([steps * x.size(1), x.size(2)])\n" +
        "  if bias is None:\n" +
        "    projected = torch.matmul(flat, w_ih.t())\n" +
        "  else:\n" +
        "    projected = torch.addmm(bias, flat, w_ih.t())\n" +
        "  projected = projected.view([steps, x.size(1), w_ih.size(0)])\n";

    /// <summary>Declares every parameter in the module's order; returns the names per layer and direction, in that order.</summary>
    public static List<string[]> AddParameters(nn.Module module, ScriptClassBuilder scriptClass)
    {
        var groups = new List<string[]>();
        var current = new List<string>();
        string? suffix = null;
        foreach (var (name, parameter) in module.named_parameters(recurse: false))
        {
            scriptClass.AddParameter(name, parameter);
            string own = name[name.IndexOf("_l", StringComparison.Ordinal)..];
            if (suffix is not null && own != suffix)
            {
                groups.Add([.. current]);
                current.Clear();
            }
            suffix = own;
            current.Add(name);
        }
        if (current.Count > 0) groups.Add([.. current]);
        return groups;
    }

    public static void AddConstants(ScriptClassBuilder scriptClass, long inputSize, long hiddenSize, long numLayers, bool bias, bool batchFirst, double dropout, bool bidirectional)
    {
        scriptClass.AddConstant("input_size", inputSize);
        scriptClass.AddConstant("hidden_size", hiddenSize);
        scriptClass.AddConstant("num_layers", numLayers);
        scriptClass.AddConstant("bias", bias);
        scriptClass.AddConstant("batch_first", batchFirst);
        scriptClass.AddConstant("dropout", dropout);
        scriptClass.AddConstant("bidirectional", bidirectional);
    }

    /// <summary>Checks the input and makes it time-major and batched as <c>x</c>; <c>batched</c> records whether it was.</summary>
    public static string Prologue(string module, long inputSize, bool batchFirst)
    {
        string layout = batchFirst ? "(batch, seq, features)" : "(seq, batch, features)";
        return
            ScriptText.Guard("input.dim() != 2 and input.dim() != 3",
                $"{module}: input must be 3-D {layout} or unbatched 2-D (seq, features) with features = {inputSize}") +
            ScriptText.Guard($"input.size(-1) != {ScriptText.Int(inputSize)}",
                $"{module}: the module expects input size {inputSize} in the last dimension") +
            "  batched = input.dim() == 3\n" +
            "  if batched:\n" +
            (batchFirst ? "    x = input.transpose(0, 1)\n" : "    x = input\n") +
            "  else:\n" +
            "    x = input.unsqueeze(1)\n";
    }

    public static string StateGuard(string module, string state, string stacked, string hidden) =>
        ScriptText.Guard($"{state}.dim() != 3 or {state}.size(0) != {stacked} or {state}.size(1) != x.size(1) or {state}.size(2) != {hidden}",
            $"{module}: initial state {state} must be (layers x directions = {stacked}, batch, hidden = {hidden}), or unbatched without the batch dimension");

    /// <summary>The layer loop, unrolled: each direction through <c>_direction</c>, outputs concatenated, dropout between layers.</summary>
    public static string Layers(long numLayers, int directions, double dropout, List<string[]> names, Func<int, string[], string> call, bool isLstm)
    {
        var source = new StringBuilder("  layer_input = x\n  final_h: List[Tensor] = []\n");
        if (isLstm) source.Append("  final_c: List[Tensor] = []\n");
        for (int layer = 0; layer < numLayers; layer++)
        {
            var outputs = new List<string>();
            for (int direction = 0; direction < directions; direction++)
            {
                int index = layer * directions + direction;
                string output = $"out_{index}";
                source.Append(isLstm
                    ? $"  {output}, h_{index}, c_{index} = {call(index, names[index])}\n  final_c.append(c_{index})\n"
                    : $"  {output}, h_{index} = {call(index, names[index])}\n");
                source.Append($"  final_h.append(h_{index})\n");
                outputs.Add(output);
            }
            source.Append(directions == 1 ? $"  layer_input = {outputs[0]}\n" : $"  layer_input = torch.cat([{string.Join(", ", outputs)}], 2)\n");
            if (layer < numLayers - 1 && dropout > 0)
                source.Append($"  layer_input = torch.dropout(layer_input, {ScriptText.Float(dropout)}, self.training)\n");
        }
        return source.ToString();
    }

    /// <summary>Back to the caller's layout: <c>output</c> and <c>h_n</c>.</summary>
    public static string Epilogue(bool batchFirst) =>
        "  h_n = torch.stack(final_h)\n" +
        "  if batched:\n" +
        (batchFirst ? "    output = layer_input.transpose(0, 1)\n" : "    output = layer_input\n") +
        "  else:\n" +
        "    output = layer_input.squeeze(1)\n" +
        "    h_n = h_n.squeeze(1)\n";
}
