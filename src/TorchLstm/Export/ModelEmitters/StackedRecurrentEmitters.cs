using System.Text;
using TorchLstm.Export.Emission;
using TorchLstm.Models;
using TorchSharp;

namespace TorchLstm.Export.ModelEmitters;

/// <summary>
/// Exports the <see cref="StackedRecurrent"/> family: the torch recurrent layers as a ModuleList
/// <c>layers</c> (each through its built-in emitter, so the parameters keep the C# names
/// <c>layers.{k}.weight_ih_l0</c>, ...), the shared <c>dropout</c> with its real rate and the Linear
/// <c>head</c>; the forward repeats the C# one step by step (merge of the two directions per layer,
/// dropout after every layer, last step or every step into the head), so eval-mode outputs are
/// identical and training mode draws dropout masks the way the C# model does.
/// </summary>
/// <typeparam name="TModel">The concrete model type (emitters match exact types).</typeparam>
internal abstract class StackedRecurrentEmitter<TModel> : ModuleEmitter<TModel> where TModel : StackedRecurrent
{
    /// <inheritdoc />
    public override string ScriptClassName => "TorchLstm.Models." + typeof(TModel).Name;

    /// <inheritdoc />
    protected override void Emit(TModel module, ScriptClassBuilder scriptClass)
    {
        var children = module.named_children().ToDictionary(c => c.name, c => c.module);
        scriptClass.AddSubmodule("layers", children["layers"]);
        scriptClass.AddSubmodule("dropout", children["dropout"]);
        scriptClass.AddSubmodule("head", children["head"]);
        scriptClass.AddConstant("input_size", (long)module.InputSize);
        scriptClass.AddConstant("output_size", (long)module.OutputSize);
        scriptClass.AddConstant("num_layers", (long)module.NumLayers);
        scriptClass.AddConstant("dropout_rate", module.Dropout);
        scriptClass.AddConstant("return_sequences", module.ReturnSequences);
        scriptClass.AddConstant("bidirectional", module.Bidirectional);
        scriptClass.AddMethod(Forward(module));
    }

    private static string Forward(StackedRecurrent model)
    {
        var source = new StringBuilder("def forward(self, input: Tensor) -> Tensor:\n");
        source.Append(ScriptText.SequenceGuard(model.GetType().Name, "input", model.InputSize));
        source.Append("  layers = self.layers\n");
        source.Append("  sequence = input\n");
        for (int k = 0; k < model.NumLayers; k++)
        {
            bool last = k == model.NumLayers - 1;
            string hidden = ScriptText.Int(model.HiddenSizes[k]);
            // The second element is (h_n, c_n) for LSTM and h_n otherwise; only the outputs are used.
            source.Append($"  layer_{k} = getattr(layers, \"{k}\")\n");
            source.Append($"  output_{k}, state_{k} = layer_{k}.forward(sequence)\n");
            string features = last && !model.ReturnSequences
                ? FinalStep(model, $"output_{k}", hidden, source, k)
                : MergeDirections(model, $"output_{k}", hidden, source, k);
            source.Append($"  sequence = self.dropout.forward({features})\n");
        }
        source.Append("  return self.head.forward(sequence)\n");
        return source.ToString();
    }

    private static string MergeDirections(StackedRecurrent model, string output, string hidden, StringBuilder source, int k)
    {
        if (!model.Bidirectional || model.Merge == MergeMode.Concat) return output;
        source.Append($"  forward_{k} = {output}.narrow(-1, 0, {hidden})\n");
        source.Append($"  backward_{k} = {output}.narrow(-1, {hidden}, {hidden})\n");
        return Combine(model.Merge, $"forward_{k}", $"backward_{k}");
    }

    // The backward direction ends its pass at step 0, so its final output is there.
    private static string FinalStep(StackedRecurrent model, string output, string hidden, StringBuilder source, int k)
    {
        if (!model.Bidirectional) return $"{output}.select(1, {output}.size(1) - 1)";
        source.Append($"  forward_{k} = {output}.select(1, {output}.size(1) - 1).narrow(-1, 0, {hidden})\n");
        source.Append($"  backward_{k} = {output}.select(1, 0).narrow(-1, {hidden}, {hidden})\n");
        return Combine(model.Merge, $"forward_{k}", $"backward_{k}");
    }

    private static string Combine(MergeMode merge, string forward, string backward) => merge switch
    {
        MergeMode.Sum => $"{forward} + {backward}",
        MergeMode.Average => $"({forward} + {backward}) / 2",
        MergeMode.Multiply => $"{forward} * {backward}",
        _ => $"torch.cat([{forward}, {backward}], -1)",
    };
}

/// <summary>Exports <see cref="StackedLstm"/>; see <see cref="StackedRecurrentEmitter{TModel}"/>.</summary>
internal sealed class StackedLstmEmitter : StackedRecurrentEmitter<StackedLstm>;

/// <summary>Exports <see cref="StackedGru"/>; see <see cref="StackedRecurrentEmitter{TModel}"/>.</summary>
internal sealed class StackedGruEmitter : StackedRecurrentEmitter<StackedGru>;

/// <summary>Exports <see cref="StackedRnn"/>; see <see cref="StackedRecurrentEmitter{TModel}"/>.</summary>
internal sealed class StackedRnnEmitter : StackedRecurrentEmitter<StackedRnn>;

/// <summary>Exports <see cref="BidirectionalRnn"/> with its merge mode; see <see cref="StackedRecurrentEmitter{TModel}"/>.</summary>
internal sealed class BidirectionalRnnEmitter : StackedRecurrentEmitter<BidirectionalRnn>;
