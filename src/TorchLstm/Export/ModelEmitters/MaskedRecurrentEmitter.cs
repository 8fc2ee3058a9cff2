using System.Text;
using TorchLstm.Export.Emission;
using TorchLstm.Export.Emitters;
using static TorchSharp.torch;

namespace TorchLstm.Export.ModelEmitters;

/// <summary>
/// Exports a batch-first torch recurrent module (LSTM, GRU or RNN, any depth, either direction) as a
/// module whose <c>forward(input, mask)</c> returns what a run on packed sequences returns: the outputs
/// (batch, time, directions × hidden) with zeros at padding, as <c>pad_packed_sequence</c> writes them,
/// and the last layer's final hidden and cell states (batch, directions × hidden), directions
/// concatenated (for a GRU or RNN the "cell" is the hidden state again). The mask (batch, time) is
/// true at real steps, which must come first in each row.
/// </summary>
/// <remarks>
/// Packed sequences do not load the same way in every torch version, and the fused ops run through
/// padding, which would spoil the final states (an LSTM's cell state cannot be recovered from its
/// outputs). So each direction of each layer steps through time with torch's cell op and keeps a row's
/// state unchanged wherever its mask is false; the backward direction reads each row's real steps
/// reversed in place (a gather with index length − 1 − t) and its outputs are reversed back.
/// Parameters keep torch's names (<c>weight_ih_l0</c>, ..., <c>_reverse</c>); inter-layer dropout keeps
/// the module's rate.
/// </remarks>
internal sealed class MaskedRecurrentEmitter : RecurrentScriptEmitter
{
    /// <param name="moduleType">The torch recurrent module type (LSTM, GRU or RNN).</param>
    /// <param name="dropout">The inter-layer dropout the module was created with (TorchSharp keeps it native).</param>
    public MaskedRecurrentEmitter(Type moduleType, double dropout) : base(moduleType, dropout, "Masked")
    {
    }

    protected override void AddMethods(ScriptClassBuilder scriptClass, RecurrentLayout layout, string op, bool isLstm)
    {
        scriptClass.AddMethod(Forward(layout));
        scriptClass.AddMethod(Scan(layout, op + "_cell", isLstm));
    }

    private string Forward(RecurrentLayout layout)
    {
        string hidden = ScriptText.Int(layout.HiddenSize);
        var source = new StringBuilder("def forward(self, input: Tensor, mask: Tensor) -> Tuple[Tensor, Tensor, Tensor]:\n");
        if (layout.Bidirectional)
        {
            source.Append("  lengths = torch.sum(mask, [1])\n");
            source.Append("  time = torch.arange(input.size(1), device=input.device).unsqueeze(0)\n");
            // Involution on each row's real steps, identity on its padding.
            source.Append("  reverse_index = torch.where(torch.lt(time, lengths.unsqueeze(1)), (lengths - 1).unsqueeze(1) - time, time).unsqueeze(2)\n");
            source.Append($"  output_index = reverse_index.expand(-1, -1, {hidden})\n");
        }
        source.Append("  sequence = input\n");
        string outputs = "", finalHidden = "", finalCell = "";
        for (int k = 0; k < layout.NumLayers; k++)
        {
            source.Append($"  forward_{k}, h_{k}, c_{k} = self.scan(sequence, mask, {Weights(layout, k, "")})\n");
            outputs = $"forward_{k}";
            finalHidden = $"h_{k}";
            finalCell = $"c_{k}";
            if (layout.Bidirectional)
            {
                source.Append($"  reversed_{k} = torch.gather(sequence, 1, reverse_index.expand(-1, -1, sequence.size(2)))\n");
                source.Append($"  backward_reversed_{k}, h_reverse_{k}, c_reverse_{k} = self.scan(reversed_{k}, mask, {Weights(layout, k, "_reverse")})\n");
                source.Append($"  backward_{k} = torch.gather(backward_reversed_{k}, 1, output_index)\n");
                source.Append($"  output_{k} = torch.cat([forward_{k}, backward_{k}], 2)\n");
                outputs = $"output_{k}";
                finalHidden = $"torch.cat([h_{k}, h_reverse_{k}], 1)";
                finalCell = $"torch.cat([c_{k}, c_reverse_{k}], 1)";
            }
            if (k < layout.NumLayers - 1)
                source.Append($"  sequence = torch.dropout({outputs}, {ScriptText.Float(Dropout)}, self.training)\n");
        }
        source.Append($"  return ({outputs}, {finalHidden}, {finalCell})\n");
        return source.ToString();
    }

    private static string Weights(RecurrentLayout layout, int layer, string suffix)
    {
        string Named(string kind) => layout.HasBias || !kind.StartsWith("bias", StringComparison.Ordinal) ? $"self.{kind}_l{layer}{suffix}" : "None";
        return string.Join(", ", new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh" }.Select(Named));
    }

    // One direction of one layer from a zero state: real steps advance the state, padded ones keep it
    // and output zeros.
    private static string Scan(RecurrentLayout layout, string cellOp, bool isLstm)
    {
        var source = new StringBuilder(
            "def scan(self, input: Tensor, mask: Tensor, weight_ih: Tensor, weight_hh: Tensor, bias_ih: Optional[Tensor], bias_hh: Optional[Tensor]) -> Tuple[Tensor, Tensor, Tensor]:\n");
        source.Append($"  h = torch.zeros([input.size(0), {ScriptText.Int(layout.HiddenSize)}], dtype=input.dtype, device=input.device)\n");
        source.Append("  c = h\n");
        source.Append("  outputs = annotate(List[Tensor], [])\n");
        source.Append("  for t in range(input.size(1)):\n");
        source.Append("    keep = mask.select(1, t).unsqueeze(1)\n");
        if (isLstm)
        {
            source.Append($"    h_t, c_t = {cellOp}(input.select(1, t), [h, c], weight_ih, weight_hh, bias_ih, bias_hh)\n");
            source.Append("    c = torch.where(keep, c_t, c)\n");
        }
        else
        {
            source.Append($"    h_t = {cellOp}(input.select(1, t), h, weight_ih, weight_hh, bias_ih, bias_hh)\n");
        }
        source.Append("    h = torch.where(keep, h_t, h)\n");
        source.Append("    outputs.append(torch.where(keep, h_t, torch.zeros_like(h_t)))\n");
        source.Append(isLstm ? "  return (torch.stack(outputs, 1), h, c)\n" : "  return (torch.stack(outputs, 1), h, h)\n");
        return source.ToString();
    }
}
