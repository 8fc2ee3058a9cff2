using TorchLstm.Export.Emission;
using TorchLstm.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Export.ModelEmitters;

/// <summary>
/// Exports <see cref="SequenceClassifier"/>: token ids (batch, time) of any integer dtype in, logits
/// (batch, numClasses) out, padding (id 0) ignored exactly as the C# forward ignores it. The forward
/// aligns each row to its first real token with the same ops as C#, then runs the recurrent layers on
/// the padded tensor with per-row gathering instead of packing (see the padded recurrent module's
/// remarks); outputs match the packed C# run to float rounding for leading, trailing, inner and
/// all-padding rows. Parameters keep the C# names (<c>embedding.weight</c>, <c>rnn.weight_ih_l0</c>,
/// ..., <c>head.bias</c>); the embedding keeps padding id 0 (its row gets no gradient when fine-tuned)
/// and the recurrent layers their real inter-layer dropout.
/// </summary>
internal sealed class SequenceClassifierEmitter : ModuleEmitter<SequenceClassifier>
{
    /// <inheritdoc />
    public override string ScriptClassName => "TorchLstm.Models.SequenceClassifier";

    /// <inheritdoc />
    protected override void Emit(SequenceClassifier module, ScriptClassBuilder scriptClass)
    {
        var children = module.named_children().ToDictionary(c => c.name, c => c.module);
        var rnn = children["rnn"];
        scriptClass.AddSubmodule("embedding", children["embedding"], new PaddingEmbeddingEmitter(SequenceClassifier.PaddingIndex));
        scriptClass.AddSubmodule("rnn", rnn, new PaddedRecurrentEmitter(rnn.GetType(), module.Dropout));
        scriptClass.AddSubmodule("dropout", children["dropout"]);
        scriptClass.AddSubmodule("head", children["head"]);
        scriptClass.AddConstant("vocab_size", (long)module.VocabSize);
        scriptClass.AddConstant("num_classes", (long)module.NumClasses);
        scriptClass.AddConstant("padding_idx", SequenceClassifier.PaddingIndex);

        string vocab = ScriptText.Int(module.VocabSize);
        string padding = ScriptText.Int(SequenceClassifier.PaddingIndex);
        scriptClass.AddMethod(
            "def forward(self, tokens: Tensor) -> Tensor:\n" +
            ScriptText.Guard("tokens.dim() != 2", "SequenceClassifier expects token ids shaped (batch, time)") +
            ScriptText.Guard("tokens.is_floating_point()", "SequenceClassifier expects integer token ids (int64 preferred)") +
            // Archived code spells dtypes as ScalarType numbers (4 = int64); torch.int64 is not a value there.
            "  ids = torch.to(tokens, 4)\n" +
            ScriptText.Guard($"bool(torch.any(torch.lt(ids, 0))) or bool(torch.any(torch.ge(ids, {vocab})))",
                $"SequenceClassifier token ids must lie in [0, {module.VocabSize}) (0 = padding)") +
            "  steps = ids.size(1)\n" +
            $"  mask = torch.ne(ids, {padding})\n" +
            "  real = torch.to(mask, 4)\n" +
            // argmax returns the first maximal index, so on the flipped mask it finds the last real token.
            "  first = torch.argmax(real, 1)\n" +
            "  last = torch.neg(torch.argmax(torch.flip(real, [1]), 1)) + (steps - 1)\n" +
            "  lengths = torch.where(torch.any(mask, 1), last - first + 1, torch.ones_like(first))\n" +
            "  positions = torch.clamp_max(torch.arange(steps, device=ids.device).unsqueeze(0) + first.unsqueeze(1), steps - 1)\n" +
            "  aligned = torch.gather(ids, 1, positions)\n" +
            "  features = self.rnn.forward(self.embedding.forward(aligned), lengths)\n" +
            "  return self.head.forward(self.dropout.forward(features))\n");
    }
}

/// <summary>An embedding whose padding row gets no gradient, as <c>nn.Embedding(padding_idx=...)</c>.</summary>
internal sealed class PaddingEmbeddingEmitter(long paddingIndex) : ModuleEmitter<Embedding>
{
    public override string ScriptClassName => "torch.nn.modules.sparse.Embedding";

    protected override void Emit(Embedding module, ScriptClassBuilder scriptClass)
    {
        var weight = module.weight ?? throw new InvalidOperationException($"embedding '{scriptClass.ModulePath}' has no weight");
        scriptClass.AddParameter("weight", weight);
        scriptClass.AddConstant("num_embeddings", weight.shape[0]);
        scriptClass.AddConstant("embedding_dim", weight.shape[1]);
        scriptClass.AddConstant("padding_idx", paddingIndex);
        scriptClass.AddMethod($"def forward(self, input: Tensor) -> Tensor:\n  return torch.embedding(self.weight, input, {ScriptText.Int(paddingIndex)})");
    }
}
