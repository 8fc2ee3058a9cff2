namespace TorchLstm.Export.Emission;

internal enum ScriptAttributeKind
{
    Parameter,
    Buffer,
    NoneTensor,
    Submodule,
}

/// <summary>One attribute slot of an exported module; <see cref="Value"/> is a Tensor, a ScriptObject or null.</summary>
internal sealed record ScriptAttribute(string Name, ScriptAttributeKind Kind, object? Value);

/// <summary>
/// A TorchScript class as it appears in the archive. <see cref="Qualifier"/> is the module path under
/// <c>__torch__</c> (including a <c>___torch_mangle_N</c> segment when two different classes share a
/// name, as torch does); its source lives in <c>code/__torch__/&lt;qualifier as folders&gt;.py</c>.
/// </summary>
internal sealed record ScriptClass(string Qualifier, string Name, string Body)
{
    public string QualifiedName => Qualifier + "." + Name;

    public string Source => $"class {Name}(Module):\n{Body}";
}

/// <summary>An exported module instance: its class and its attribute values, pickled into data.pkl.</summary>
internal sealed record ScriptObject(ScriptClass Class, IReadOnlyList<ScriptAttribute> Attributes);
