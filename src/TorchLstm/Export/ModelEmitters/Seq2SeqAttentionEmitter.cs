using TorchLstm.Data.Text;
using TorchLstm.Export.Emission;
using TorchLstm.Models;
using static TorchSharp.torch;

namespace TorchLstm.Export.ModelEmitters;

/// <summary>
/// Exports <see cref="Seq2SeqAttention"/> (LSTM, GRU or RNN cells, every <see cref="AttentionKind"/>,
/// either encoder direction, input feeding on or off) with two methods:
/// <list type="bullet">
/// <item><c>forward(source: Tensor, target: Tensor) -> Tensor</c>: source ids (batch, S) and target ids
/// (batch, T) of an integer dtype in, teacher-forced logits (batch, T, targetVocab) out, as the C# forward in
/// evaluation mode. Put back in training mode, the loaded module applies dropout at the model's rate
/// but always feeds the true previous tokens (the C# teacher-forcing ratio is not exported).</item>
/// <item><c>greedy(source: Tensor, max_length: int) -> Tuple[Tensor, Tensor]</c>: source ids (batch,
/// S) of an integer dtype, padded at the end with 0, in; the output ids (batch, L) — each row's tokens,
/// its end token (2), then 0 — and the attention weights (batch, L, S), zero at source padding and after
/// the end token, out. L is the number of steps decoded: <c>max_length</c>, or fewer when every row
/// has ended, exactly as <see cref="Seq2SeqAttention.Greedy"/> decides. Without attention the weights
/// are (batch, L, 0).</item>
/// </list>
/// The encoder runs on the padded source with per-row masking and reversal instead of packed sequences
/// (see <see cref="MaskedRecurrentEmitter"/>), so outputs match the C# model to float rounding.
/// Malformed inputs raise with the message the C# model would give in spirit: what was wrong and what
/// is accepted. Parameters keep the C# names (<c>encoder.rnn.weight_ih_l0</c>, <c>bridge_hidden.weight</c>,
/// <c>decoder.cell.weight_ih</c>, <c>decoder.attention.key.weight</c>, ...).
/// </summary>
internal sealed class Seq2SeqAttentionEmitter : ModuleEmitter<Seq2SeqAttention>
{
    private const string Model = nameof(Seq2SeqAttention);
    private static readonly string Pad = ScriptText.Int(SpecialTokens.PadId);
    private static readonly string Bos = ScriptText.Int(SpecialTokens.BosId);
    private static readonly string Eos = ScriptText.Int(SpecialTokens.EosId);

    /// <inheritdoc />
    public override string ScriptClassName => "TorchLstm.Models.Seq2SeqAttention";

    /// <inheritdoc />
    protected override void Emit(Seq2SeqAttention module, ScriptClassBuilder scriptClass)
    {
        var options = module.Options;
        var children = module.named_children().ToDictionary(c => c.name, c => c.module);
        bool lstm = options.Cell == RecurrentCell.Lstm;
        scriptClass.AddSubmodule("encoder", children["encoder"], new Seq2SeqEncoderEmitter(options));
        scriptClass.AddSubmodule("bridge_hidden", children["bridge_hidden"]);
        if (lstm) scriptClass.AddSubmodule("bridge_cell", children["bridge_cell"]);
        scriptClass.AddSubmodule("decoder", children["decoder"], new Seq2SeqDecoderEmitter(options));
        scriptClass.AddConstant("source_vocab_size", (long)options.SourceVocabSize);
        scriptClass.AddConstant("target_vocab_size", (long)options.TargetVocabSize);
        scriptClass.AddConstant("pad_id", SpecialTokens.PadId);
        scriptClass.AddConstant("bos_id", SpecialTokens.BosId);
        scriptClass.AddConstant("eos_id", SpecialTokens.EosId);

        scriptClass.AddMethod(Encode(options));
        scriptClass.AddMethod(Forward(options));
        scriptClass.AddMethod(Greedy(options));
    }

    // Memory for attention and the decoder's first state: (outputs, keys, padding, hidden, cell).
    private static string Encode(Seq2SeqOptions options) =>
        "def encode(self, source: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:\n" +
        $"  mask = torch.ne(source, {Pad})\n" +
        "  outputs, final_hidden, final_cell = self.encoder.forward(source, mask)\n" +
        "  hidden = torch.tanh(self.bridge_hidden.forward(final_hidden))\n" +
        (options.Cell == RecurrentCell.Lstm ? "  cell = self.bridge_cell.forward(final_cell)\n" : "  cell = hidden\n") +
        "  return (outputs, self.decoder.keys(outputs), torch.logical_not(mask), hidden, cell)\n";

    private static string Forward(Seq2SeqOptions options)
    {
        const string where = Model + ".forward";
        return
            "def forward(self, source: Tensor, target: Tensor) -> Tensor:\n" +
            ScriptText.Guard("source.dim() != 2 or source.size(0) == 0 or source.size(1) == 0",
                $"{where} expects source ids shaped (batch, sourceLength) with at least one row and one position") +
            ScriptText.Guard("target.dim() != 2 or target.size(1) == 0",
                $"{where} expects target ids shaped (batch, targetLength) with at least one position") +
            ScriptText.Guard("target.size(0) != source.size(0)", $"{where} needs one target per source") +
            ScriptText.Guard("source.is_floating_point() or source.is_complex() or target.is_floating_point() or target.is_complex()",
                $"{where} expects source and target ids of an integer dtype (int64 preferred)") +
            "  ids = torch.to(source, 4)\n" +
            "  target = torch.to(target, 4)\n" +
            SourceGuards(options, where, "ids") +
            ScriptText.Guard($"bool(torch.any(torch.lt(target, 0))) or bool(torch.any(torch.ge(target, {ScriptText.Int(options.TargetVocabSize)})))",
                $"{where}: target ids must lie in [0, {options.TargetVocabSize}) (target vocabulary of {options.TargetVocabSize} ids, 0 = padding)") +
            "  outputs, keys, padding, hidden, cell = self.encode(ids)\n" +
            "  steps = target.size(1)\n" +
            // The decoder reads <bos> y_1 ... y_{T-1}: the target shifted one step right.
            $"  inputs = torch.cat([torch.full_like(target.narrow(1, 0, 1), {Bos}), target.narrow(1, 0, steps - 1)], 1)\n" +
            "  embedded = self.decoder.embed(inputs)\n" +
            $"  feed = torch.zeros([ids.size(0), {ScriptText.Int(options.DecoderHiddenSize)}], dtype=hidden.dtype, device=hidden.device)\n" +
            "  vectors = annotate(List[Tensor], [])\n" +
            "  for t in range(steps):\n" +
            "    attentional, weights, hidden, cell = self.decoder.advance(embedded.select(1, t), hidden, cell, feed, outputs, keys, padding)\n" +
            "    feed = attentional\n" +
            "    vectors.append(attentional)\n" +
            "  return self.decoder.project(torch.stack(vectors, 1))\n";
    }

    private static string Greedy(Seq2SeqOptions options)
    {
        const string where = Model + ".greedy";
        return
            "def greedy(self, source: Tensor, max_length: int) -> Tuple[Tensor, Tensor]:\n" +
            ScriptText.Guard("source.dim() != 2 or source.size(0) == 0 or source.size(1) == 0",
                $"{where} expects source ids shaped (batch, sourceLength) with at least one row and one position") +
            ScriptText.Guard("source.is_floating_point() or source.is_complex()",
                $"{where} expects source ids of an integer dtype (int64 preferred)") +
            ScriptText.Guard("max_length < 1", $"{where}: max_length must be 1 or more (most tokens produced per row, end token included)") +
            "  ids = torch.to(source, 4)\n" +
            SourceGuards(options, where, "ids") +
            "  outputs, keys, padding, hidden, cell = self.encode(ids)\n" +
            $"  previous = torch.full_like(ids.select(1, 0), {Bos})\n" +
            $"  finished = torch.eq(previous, {Eos})\n" +
            $"  feed = torch.zeros([ids.size(0), {ScriptText.Int(options.DecoderHiddenSize)}], dtype=hidden.dtype, device=hidden.device)\n" +
            "  tokens = annotate(List[Tensor], [])\n" +
            "  attention = annotate(List[Tensor], [])\n" +
            "  for t in range(max_length):\n" +
            "    attentional, weights, hidden, cell = self.decoder.advance(self.decoder.embed(previous), hidden, cell, feed, outputs, keys, padding)\n" +
            "    feed = attentional\n" +
            // log_softmax before argmax, as in C#: rounding in the shift could tie two close logits.
            "    token = torch.argmax(torch.log_softmax(self.decoder.project(attentional), -1), -1)\n" +
            "    tokens.append(torch.where(finished, torch.zeros_like(token), token))\n" +
            "    attention.append(torch.where(finished.unsqueeze(1), torch.zeros_like(weights), weights))\n" +
            $"    finished = torch.logical_or(finished, torch.eq(token, {Eos}))\n" +
            // Finished rows keep decoding their own predictions, as in C#, so every row sees the same batch.
            "    previous = token\n" +
            "    if bool(torch.all(finished)):\n" +
            "      break\n" +
            "  return (torch.stack(tokens, 1), torch.stack(attention, 1))\n";
    }

    // Ids in the source vocabulary, at least one real token per row, padding only at the end.
    private static string SourceGuards(Seq2SeqOptions options, string where, string ids) =>
        ScriptText.Guard($"bool(torch.any(torch.lt({ids}, 0))) or bool(torch.any(torch.ge({ids}, {ScriptText.Int(options.SourceVocabSize)})))",
            $"{where}: source ids must lie in [0, {options.SourceVocabSize}) (source vocabulary of {options.SourceVocabSize} ids, 0 = padding); " +
            "encode with the vocabulary the model was built for") +
        $"  real = torch.ne({ids}, {Pad})\n" +
        ScriptText.Guard("not bool(torch.all(torch.any(real, 1)))",
            $"{where}: a source row is all padding; every source needs at least one real token") +
        ScriptText.Guard("bool(torch.any(torch.logical_and(real.narrow(1, 1, real.size(1) - 1), torch.logical_not(real.narrow(1, 0, real.size(1) - 1)))))",
            $"{where}: a source row has a real token after padding; pad sources at the end only (id 0)");
}
