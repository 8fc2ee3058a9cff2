using TorchLstm.Export.Emission;
using TorchSharp.Modules;

namespace TorchLstm.Export.Emitters;

/// <summary><c>nn.Linear</c> → <c>torch.linear(input, weight, bias)</c>; a missing bias stays None.</summary>
internal sealed class LinearEmitter : ModuleEmitter<Linear>
{
    /// <inheritdoc />
    public override string ScriptClassName => "torch.nn.modules.linear.Linear";

    /// <inheritdoc />
    protected override void Emit(Linear module, ScriptClassBuilder scriptClass)
    {
        scriptClass.AddParameter("weight", module.weight);
        scriptClass.AddParameter("bias", module.bias);
        scriptClass.AddConstant("in_features", module.in_features);
        scriptClass.AddConstant("out_features", module.out_features);
        scriptClass.AddMethod("""
            def forward(self, input: Tensor) -> Tensor:
              return torch.linear(input, self.weight, self.bias)
            """);
    }
}

/// <summary>
/// <c>nn.Dropout</c> → <c>torch.dropout(input, p, self.training)</c>: the identity in eval mode (as
/// exported) and real dropout if the loaded module is put back in training mode.
/// </summary>
internal sealed class DropoutEmitter : ModuleEmitter<Dropout>
{
    /// <inheritdoc />
    public override string ScriptClassName => "torch.nn.modules.dropout.Dropout";

    /// <inheritdoc />
    protected override void Emit(Dropout module, ScriptClassBuilder scriptClass)
    {
        scriptClass.AddConstant("p", module.p);
        scriptClass.AddMethod($"def forward(self, input: Tensor) -> Tensor:\n  return torch.dropout(input, {ScriptClassBuilder.FormatFloat(module.p)}, self.training)");
    }
}

/// <summary>
/// <c>nn.Embedding</c> → <c>torch.embedding(weight, indices)</c>. TorchSharp's native Embedding does not
/// expose <c>padding_idx</c> or <c>max_norm</c>; the first only shapes gradients, the second (a renorm
/// on lookup) is not reproduced, so export embeddings created without <c>max_norm</c>.
/// </summary>
internal sealed class EmbeddingEmitter : ModuleEmitter<Embedding>
{
    /// <inheritdoc />
    public override string ScriptClassName => "torch.nn.modules.sparse.Embedding";

    /// <inheritdoc />
    protected override void Emit(Embedding module, ScriptClassBuilder scriptClass)
    {
        var weight = module.weight ?? throw new InvalidOperationException($"embedding '{scriptClass.ModulePath}' has no weight");
        scriptClass.AddParameter("weight", weight);
        scriptClass.AddConstant("num_embeddings", weight.shape[0]);
        scriptClass.AddConstant("embedding_dim", weight.shape[1]);
        scriptClass.AddMethod("""
            def forward(self, input: Tensor) -> Tensor:
              return torch.embedding(self.weight, input)
            """);
    }
}

/// <summary><c>nn.Sequential</c> → each child's forward in order, children named as in TorchSharp ("0", "1", ... or given names).</summary>
internal sealed class SequentialEmitter : ModuleEmitter<Sequential>
{
    /// <inheritdoc />
    public override string ScriptClassName => "torch.nn.modules.container.Sequential";

    /// <inheritdoc />
    protected override void Emit(Sequential module, ScriptClassBuilder scriptClass)
    {
        var lines = new List<string> { "def forward(self, input: Tensor) -> Tensor:" };
        int index = 0;
        foreach (var (name, child) in module.named_children())
        {
            scriptClass.AddSubmodule(name, child);
            // getattr works for every child name, including the numeric ones that are not identifiers.
            lines.Add($"  _{index} = getattr(self, \"{name}\")");
            lines.Add($"  input = _{index}.forward(input)");
            index++;
        }
        lines.Add("  return input");
        scriptClass.AddMethod(string.Join("\n", lines));
    }
}

/// <summary>
/// <c>nn.ModuleList</c> of any modules → torch's ModuleList: a container without a forward whose
/// children ("0", "1", ...) the parent reaches with <c>getattr(self.name, "k")</c>, as torch's own
/// archives do.
/// </summary>
internal sealed class ModuleListEmitter : ModuleEmitter<ModuleList<TorchSharp.torch.nn.Module>>
{
    /// <inheritdoc />
    public override string ScriptClassName => "torch.nn.modules.container.ModuleList";

    /// <inheritdoc />
    protected override void Emit(ModuleList<TorchSharp.torch.nn.Module> module, ScriptClassBuilder scriptClass)
    {
        foreach (var (name, child) in module.named_children()) scriptClass.AddSubmodule(name, child);
    }
}
