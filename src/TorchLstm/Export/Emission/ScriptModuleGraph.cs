using System.Globalization;
using TorchSharp;

namespace TorchLstm.Export.Emission;

/// <summary>
/// Walks a module tree through the emitters, turning every module into a <see cref="ScriptObject"/>
/// and collecting the distinct classes. Two modules of one .NET type with identical class source
/// (e.g. two Linear layers) share a class; different sources under one name get torch's
/// <c>___torch_mangle_N</c> qualifier so each gets its own class.
/// </summary>
internal sealed class ScriptModuleGraph
{
    private readonly IReadOnlyDictionary<Type, IModuleEmitter> _emitters;
    private readonly List<ScriptClass> _classes = [];
    private int _mangleCounter;

    public ScriptModuleGraph(IReadOnlyDictionary<Type, IModuleEmitter> emitters) => _emitters = emitters;

    /// <summary>The distinct classes emitted so far, children before parents.</summary>
    public IReadOnlyList<ScriptClass> Classes => _classes;

    public ScriptObject Emit(torch.nn.Module module, string path)
    {
        if (!_emitters.TryGetValue(module.GetType(), out var emitter))
        {
            string where = path.Length == 0 ? "the root module" : $"module '{path}'";
            string supported = string.Join(", ", _emitters.Keys.Select(t => t.Name).Order(StringComparer.Ordinal));
            throw new NotSupportedException(
                $"cannot export {where} of type {module.GetType().FullName} to TorchScript: no emitter is registered for that type. " +
                $"Supported types: {supported}. Add an IModuleEmitter for it through TorchScriptExportOptions.Emitters.");
        }
        return Emit(module, path, emitter);
    }

    /// <summary>Emits <paramref name="module"/> with a given emitter, whatever its type's registered one.</summary>
    public ScriptObject Emit(torch.nn.Module module, string path, IModuleEmitter emitter)
    {
        var builder = new ScriptClassBuilder(this, path);
        emitter.Emit(module, builder);
        ScriptClass scriptClass = Intern(emitter.ScriptClassName, builder.RenderBody());
        return new ScriptObject(scriptClass, builder.Attributes);
    }

    private ScriptClass Intern(string scriptClassName, string body)
    {
        int lastDot = scriptClassName.LastIndexOf('.');
        if (lastDot <= 0 || lastDot == scriptClassName.Length - 1)
            throw new ArgumentException($"script class name '{scriptClassName}' must be qualified, like 'torch.nn.modules.linear.Linear'", nameof(scriptClassName));
        string qualifier = "__torch__." + scriptClassName[..lastDot];
        string name = scriptClassName[(lastDot + 1)..];

        var sameName = _classes.Where(c => c.Name == name && StripMangle(c.Qualifier) == qualifier).ToList();
        var identical = sameName.FirstOrDefault(c => c.Body == body);
        if (identical is not null) return identical;
        if (sameName.Count > 0)
            qualifier += ".___torch_mangle_" + (_mangleCounter++).ToString(CultureInfo.InvariantCulture);
        var created = new ScriptClass(qualifier, name, body);
        _classes.Add(created);
        return created;
    }

    private static string StripMangle(string qualifier)
    {
        int mangle = qualifier.LastIndexOf(".___torch_mangle_", StringComparison.Ordinal);
        return mangle < 0 ? qualifier : qualifier[..mangle];
    }
}
