using TorchLstm.Data.Text;
using TorchLstm.Export.Emission;
using TorchLstm.Export.Emitters;
using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Export.ModelEmitters;

/// <summary>
/// The encoder of <see cref="Seq2SeqAttention"/>: <c>forward(ids, mask)</c> → (outputs zero at padding,
/// last layer's final hidden, final cell) with both directions concatenated, as the packed C# run returns them.
/// </summary>
internal sealed class Seq2SeqEncoderEmitter(Seq2SeqOptions options) : ModuleEmitter<Seq2SeqEncoder>
{
    public override string ScriptClassName => "TorchLstm.Models.Seq2SeqEncoder";

    protected override void Emit(Seq2SeqEncoder module, ScriptClassBuilder scriptClass)
    {
        var children = module.named_children().ToDictionary(c => c.name, c => c.module);
        var rnn = children["rnn"];
        scriptClass.AddSubmodule("embedding", children["embedding"], new PaddingEmbeddingEmitter(SpecialTokens.PadId));
        // The fused layer drops out between its layers only when it has more than one.
        scriptClass.AddSubmodule("rnn", rnn, new MaskedRecurrentEmitter(rnn.GetType(), options.EncoderLayers > 1 ? options.Dropout : 0));
        scriptClass.AddSubmodule("dropout", children["dropout"]);
        scriptClass.AddMethod("""
            def forward(self, ids: Tensor, mask: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
              embedded = self.dropout.forward(self.embedding.forward(ids))
              return self.rnn.forward(embedded, mask)
            """);
    }
}

/// <summary>
/// The attention of <see cref="Seq2SeqAttention"/>: <c>keys(outputs)</c> once per source batch and
/// <c>attend(hidden, outputs, keys, padding)</c> → (context, weights) per step, padding masked to −∞
/// before the softmax as in C#.
/// </summary>
internal sealed class Seq2SeqAttentionLayerEmitter(AttentionKind kind) : ModuleEmitter<Seq2SeqAttentionLayer>
{
    public override string ScriptClassName => "TorchLstm.Models.Seq2SeqAttentionLayer";

    protected override void Emit(Seq2SeqAttentionLayer module, ScriptClassBuilder scriptClass)
    {
        var children = module.named_children().ToDictionary(c => c.name, c => c.module);
        foreach (string name in new[] { "query", "key", "energy" })
            if (children.TryGetValue(name, out var child)) scriptClass.AddSubmodule(name, child);
        scriptClass.AddMethod(children.ContainsKey("key")
            ? "def keys(self, outputs: Tensor) -> Tensor:\n  return self.key.forward(outputs)\n"
            : "def keys(self, outputs: Tensor) -> Tensor:\n  return outputs\n");
        string scores = kind == AttentionKind.Additive
            // The query is broadcast over source positions, added in the C# order (keys + query).
            ? "self.energy.forward(torch.tanh(keys + self.query.forward(hidden).unsqueeze(1))).squeeze(-1)"
            : "torch.bmm(keys, hidden.unsqueeze(-1)).squeeze(-1)";
        scriptClass.AddMethod(
            "def attend(self, hidden: Tensor, outputs: Tensor, keys: Tensor, padding: Tensor) -> Tuple[Tensor, Tensor]:\n" +
            $"  scores = {scores}\n" +
            "  weights = torch.softmax(torch.masked_fill(scores, padding, float(\"-inf\")), -1)\n" +
            "  context = torch.bmm(weights.unsqueeze(1), outputs).squeeze(1)\n" +
            "  return (context, weights)\n");
    }
}

/// <summary>
/// The decoder of <see cref="Seq2SeqAttention"/>: <c>keys</c>, <c>embed</c>, <c>project</c> and one
/// step <c>advance(embedded, hidden, cell, feed, outputs, keys, padding)</c> → (attentional vector,
/// attention weights, hidden, cell). Without attention the weights are (batch, 0) and the hidden state
/// is projected; a GRU or RNN decoder passes the cell argument through unchanged.
/// </summary>
internal sealed class Seq2SeqDecoderEmitter(Seq2SeqOptions options) : ModuleEmitter<Seq2SeqDecoder>
{
    public override string ScriptClassName => "TorchLstm.Models.Seq2SeqDecoder";

    protected override void Emit(Seq2SeqDecoder module, ScriptClassBuilder scriptClass)
    {
        var children = module.named_children().ToDictionary(c => c.name, c => c.module);
        bool attends = options.Attention != AttentionKind.None;
        bool inputFeeding = attends && options.InputFeeding;
        scriptClass.AddSubmodule("embedding", children["embedding"], new PaddingEmbeddingEmitter(SpecialTokens.PadId));
        scriptClass.AddSubmodule("cell", children["cell"]);
        if (attends)
        {
            scriptClass.AddSubmodule("attention", children["attention"], new Seq2SeqAttentionLayerEmitter(options.Attention));
            scriptClass.AddSubmodule("combine", children["combine"]);
        }
        scriptClass.AddSubmodule("dropout", children["dropout"]);
        scriptClass.AddSubmodule("output", children["output"]);
        scriptClass.AddConstant("hidden_size", (long)options.DecoderHiddenSize);
        scriptClass.AddConstant("input_feeding", inputFeeding);

        scriptClass.AddMethod(attends
            ? "def keys(self, outputs: Tensor) -> Tensor:\n  return self.attention.keys(outputs)\n"
            : "def keys(self, outputs: Tensor) -> Tensor:\n  return outputs\n");
        scriptClass.AddMethod("def embed(self, tokens: Tensor) -> Tensor:\n  return self.dropout.forward(self.embedding.forward(tokens))\n");
        scriptClass.AddMethod("def project(self, attentional: Tensor) -> Tensor:\n  return self.output.forward(self.dropout.forward(attentional))\n");

        string step = options.Cell == RecurrentCell.Lstm
            ? "  hidden, cell = self.cell.forward(input, (hidden, cell))\n"
            : "  hidden = self.cell.forward(input, hidden)\n";
        string attend = attends
            ? "  context, weights = self.attention.attend(hidden, outputs, keys, padding)\n" +
              "  attentional = torch.tanh(self.combine.forward(torch.cat([context, hidden], 1)))\n" +
              "  return (attentional, weights, hidden, cell)\n"
            : "  return (hidden, torch.zeros([hidden.size(0), 0], dtype=hidden.dtype, device=hidden.device), hidden, cell)\n";
        scriptClass.AddMethod(
            "def advance(self, embedded: Tensor, hidden: Tensor, cell: Tensor, feed: Tensor, outputs: Tensor, keys: Tensor, padding: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:\n" +
            (inputFeeding ? "  input = torch.cat([embedded, feed], 1)\n" : "  input = embedded\n") +
            step + attend);
    }
}
