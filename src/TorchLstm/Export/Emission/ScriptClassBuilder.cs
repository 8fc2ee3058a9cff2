using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Export.Emission;

/// <summary>
/// Collects one TorchScript module class: attributes (parameters, buffers, submodules) whose values
/// go into <c>data.pkl</c>, <c>Final</c> constants and methods that go into the class source.
/// The source is laid out as torch's own archives lay it out (<c>__parameters__</c>, <c>__buffers__</c>,
/// typed attribute declarations, <c>training : bool</c>), which libtorch compiles on load.
/// </summary>
public sealed partial class ScriptClassBuilder
{
    private readonly ScriptModuleGraph _graph;
    private readonly List<ScriptAttribute> _attributes = [];
    private readonly List<string> _constants = [];
    private readonly List<string> _methods = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal) { "training" };

    internal ScriptClassBuilder(ScriptModuleGraph graph, string modulePath)
    {
        _graph = graph;
        ModulePath = modulePath;
    }

    /// <summary>Where the module sits in the exported tree (<c>lstm</c>, <c>layers.1</c>; empty for the root).</summary>
    public string ModulePath { get; }

    internal IReadOnlyList<ScriptAttribute> Attributes => _attributes;

    /// <summary>Declares a trainable parameter; <c>null</c> (e.g. a Linear without bias) becomes an <c>Optional[Tensor]</c> set to None.</summary>
    public void AddParameter(string name, Tensor? value)
    {
        Claim(name);
        _attributes.Add(value is null
            ? new ScriptAttribute(name, ScriptAttributeKind.NoneTensor, null)
            : new ScriptAttribute(name, ScriptAttributeKind.Parameter, value));
    }

    /// <summary>Declares a buffer (a tensor saved with the module but not trained).</summary>
    public void AddBuffer(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Claim(name);
        _attributes.Add(new ScriptAttribute(name, ScriptAttributeKind.Buffer, value));
    }

    /// <summary>Declares a submodule; it is exported through its own emitter (its path is this one plus <paramref name="name"/>).</summary>
    public void AddSubmodule(string name, torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        Claim(name);
        string childPath = ModulePath.Length == 0 ? name : ModulePath + "." + name;
        _attributes.Add(new ScriptAttribute(name, ScriptAttributeKind.Submodule, _graph.Emit(module, childPath)));
    }

    /// <summary>
    /// Declares a submodule exported through <paramref name="emitter"/> instead of the one registered for
    /// its type: for a parent that knows more about a child than the child's type tells (a recurrent
    /// layer that must honour padding, an embedding's padding id TorchSharp keeps private).
    /// </summary>
    public void AddSubmodule(string name, torch.nn.Module module, IModuleEmitter emitter)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(emitter);
        Claim(name);
        string childPath = ModulePath.Length == 0 ? name : ModulePath + "." + name;
        _attributes.Add(new ScriptAttribute(name, ScriptAttributeKind.Submodule, _graph.Emit(module, childPath, emitter)));
    }

    /// <summary>
    /// Declares an integer constant (<c>name : Final[int] = value</c>), recorded in the class the way
    /// torch records a module's hyper-parameters. Methods must write the value as a literal: PyTorch
    /// 1.13 does not resolve <c>self.name</c> for constants of a loaded class (torch inlines them too).
    /// </summary>
    public void AddConstant(string name, long value) =>
        AddConstantLiteral(name, "int", value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Declares a float constant.</summary>
    public void AddConstant(string name, double value)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(nameof(value), value, $"constant '{name}' of module '{ModulePath}' must be finite");
        AddConstantLiteral(name, "float", FormatFloat(value));
    }

    /// <summary>Declares a boolean constant.</summary>
    public void AddConstant(string name, bool value) => AddConstantLiteral(name, "bool", value ? "True" : "False");

    /// <summary>
    /// Adds a method in TorchScript (Python syntax), starting with <c>def</c>, indented from column 0.
    /// Submodules are called as <c>self.name.forward(x)</c> (the archive compiler has no <c>__call__</c>);
    /// <c>self.training</c> is the module's mode.
    /// </summary>
    public void AddMethod(string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        string[] lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n').Split('\n');
        if (!lines[0].StartsWith("def ", StringComparison.Ordinal))
            throw new ArgumentException($"a method of module '{ModulePath}' must start with 'def', got: {lines[0]}", nameof(source));
        _methods.Add(string.Join("\n", lines.Select(line => line.Length == 0 ? line : "  " + line)));
    }

    /// <summary>Formats a double as a TorchScript float literal that round-trips exactly.</summary>
    public static string FormatFloat(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') || text.Contains("Infinity", StringComparison.Ordinal) || text.Contains("NaN", StringComparison.Ordinal)
            ? text.Replace("E", "e", StringComparison.Ordinal)
            : text + ".";
    }

    /// <summary>The class body (without the <c>class</c> line) as torch lays it out.</summary>
    internal string RenderBody()
    {
        var body = new StringBuilder();
        string Quoted(ScriptAttributeKind kind) => string.Concat(
            _attributes.Where(a => a.Kind == kind).Select(a => $"\"{a.Name}\", "));
        body.Append("  __parameters__ = [").Append(Quoted(ScriptAttributeKind.Parameter)).Append("]\n");
        body.Append("  __buffers__ = [").Append(Quoted(ScriptAttributeKind.Buffer)).Append("]\n");
        foreach (var attribute in _attributes)
        {
            string type = attribute.Kind switch
            {
                ScriptAttributeKind.Submodule => ((ScriptObject)attribute.Value!).Class.QualifiedName,
                ScriptAttributeKind.NoneTensor => "Optional[Tensor]",
                _ => "Tensor",
            };
            // Names that are not identifiers (Sequential's "0", "1") are declared through __annotations__.
            body.Append(IdentifierPattern().IsMatch(attribute.Name)
                ? $"  {attribute.Name} : {type}\n"
                : $"  __annotations__[\"{attribute.Name}\"] = {type}\n");
        }
        body.Append("  training : bool\n");
        foreach (string constant in _constants) body.Append(constant).Append('\n');
        foreach (string method in _methods) body.Append(method).Append('\n');
        return body.ToString();
    }

    private void AddConstantLiteral(string name, string type, string literal)
    {
        Claim(name);
        if (!IdentifierPattern().IsMatch(name))
            throw new ArgumentException($"constant name '{name}' of module '{ModulePath}' must be a Python identifier", nameof(name));
        _constants.Add($"  {name} : Final[{type}] = {literal}");
    }

    private void Claim(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!_names.Add(name))
            throw new ArgumentException($"module '{ModulePath}' already declares an attribute named '{name}'", nameof(name));
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();
}
