using System.Text;
using TorchLstm.Export.Emission;
using TorchLstm.Export.Emitters;
using static TorchSharp.torch;

namespace TorchLstm.Export.ModelEmitters;

/// <summary>
/// Exports a batch-first torch recurrent module (LSTM, GRU or RNN, any depth, either direction) as a
/// module whose <c>forward(input, lengths)</c> returns what a packed run returns as the last layer's
/// final hidden state, (batch, directions × hidden) with the directions concatenated, while running on
/// the padded tensor: TorchScript archives cannot carry packed sequences through every loader.
/// </summary>
/// <remarks>
/// <para>
/// Rows are expected left-aligned (real steps first, as <see cref="Models.SequenceClassifier"/> aligns them).
/// The forward direction runs over the whole padded row; its steps past a row's length read padding
/// but come after the real ones, so the state at step length − 1, gathered per row, is the packed
/// run's. The backward direction must start at the last real step, so each row's first
/// <c>length</c> steps are reversed in place (a gather with index length − 1 − t), run forward with the
/// reverse weights, and reversed back; its final state is then at step 0.
/// </para>
/// <para>
/// Layers run one at a time (torch's fused multi-layer op cannot reverse per row between layers), with
/// torch's inter-layer dropout at the module's real rate between them in training mode. Parameters
/// keep torch's names (<c>weight_ih_l0</c>, ..., <c>_reverse</c>).
/// </para>
/// </remarks>
internal sealed class PaddedRecurrentEmitter : RecurrentScriptEmitter
{
    /// <param name="moduleType">The torch recurrent module type (LSTM, GRU or RNN).</param>
    /// <param name="dropout">The inter-layer dropout the module was created with (TorchSharp keeps it native).</param>
    public PaddedRecurrentEmitter(Type moduleType, double dropout) : base(moduleType, dropout, "Padded")
    {
    }

    protected override void AddMethods(ScriptClassBuilder scriptClass, RecurrentLayout layout, string op, bool isLstm) =>
        scriptClass.AddMethod(Forward(layout, op, isLstm));

    private string Forward(RecurrentLayout layout, string op, bool isLstm)
    {
        string hidden = ScriptText.Int(layout.HiddenSize);
        var source = new StringBuilder("def forward(self, input: Tensor, lengths: Tensor) -> Tensor:\n");
        source.Append($"  zeros = torch.zeros([1, input.size(0), {hidden}], dtype=input.dtype, device=input.device)\n");
        source.Append("  time = torch.arange(input.size(1), device=input.device).unsqueeze(0)\n");
        source.Append("  last = (lengths - 1).unsqueeze(1)\n");
        if (layout.Bidirectional)
        {
            // Involution on each row's real steps, identity on its padding.
            source.Append("  reverse_index = torch.where(torch.lt(time, lengths.unsqueeze(1)), last - time, time)\n");
            source.Append($"  output_index = reverse_index.unsqueeze(2).expand(-1, -1, {hidden})\n");
        }
        source.Append("  sequence = input\n");
        string forwardOutput = "", backwardOutput = "";
        for (int k = 0; k < layout.NumLayers; k++)
        {
            forwardOutput = $"forward_{k}";
            source.Append(Step(layout, op, isLstm, forwardOutput, "sequence", k, ""));
            string output = forwardOutput;
            if (layout.Bidirectional)
            {
                backwardOutput = $"backward_{k}";
                source.Append($"  reversed_{k} = torch.gather(sequence, 1, reverse_index.unsqueeze(2).expand(-1, -1, sequence.size(2)))\n");
                source.Append(Step(layout, op, isLstm, $"backward_reversed_{k}", $"reversed_{k}", k, "_reverse"));
                source.Append($"  {backwardOutput} = torch.gather(backward_reversed_{k}, 1, output_index)\n");
                output = $"torch.cat([{forwardOutput}, {backwardOutput}], 2)";
            }
            if (k < layout.NumLayers - 1)
                source.Append($"  sequence = torch.dropout({output}, {ScriptText.Float(Dropout)}, self.training)\n");
        }
        source.Append($"  final = torch.gather({forwardOutput}, 1, last.unsqueeze(2).expand(-1, 1, {hidden})).squeeze(1)\n");
        source.Append(layout.Bidirectional
            ? $"  return torch.cat([final, {backwardOutput}.select(1, 0)], 1)\n"
            : "  return final\n");
        return source.ToString();
    }

    // One direction of one layer from a zero state, batch-first.
    private static string Step(RecurrentLayout layout, string op, bool isLstm, string output, string input, int layer, string suffix)
    {
        string weights = string.Join(", ", layout.FlatWeights
            .Where(w => w.Name.EndsWith($"_l{layer}{suffix}", StringComparison.Ordinal))
            .Select(w => "self." + w.Name));
        string arguments = $"[{weights}], {ScriptText.Bool(layout.HasBias)}, 1, 0., self.training, False, True";
        return isLstm
            ? $"  {output}, h_{output}, c_{output} = {op}({input}, [zeros, zeros], {arguments})\n"
            : $"  {output}, h_{output} = {op}({input}, zeros, {arguments})\n";
    }
}
