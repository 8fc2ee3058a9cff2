using TorchSharp;

namespace TorchLstm.Export.Emission;

/// <summary>
/// Turns one .NET module type into a TorchScript class: its parameters, buffers, submodules,
/// constants and the TorchScript source of its methods. Supporting a new model type in
/// <see cref="TorchScript.Save(torch.nn.Module, string, TorchScriptExportOptions?)"/> means writing
/// one of these (usually by deriving from <see cref="ModuleEmitter{TModule}"/>).
/// </summary>
public interface IModuleEmitter
{
    /// <summary>The exact .NET module type this emitter handles (subclasses are not matched).</summary>
    Type ModuleType { get; }

    /// <summary>
    /// Python-style qualified class name the archive uses below <c>__torch__</c>, e.g.
    /// <c>torch.nn.modules.linear.Linear</c>; mirroring torch's own names keeps archives familiar.
    /// </summary>
    string ScriptClassName { get; }

    /// <summary>Declares <paramref name="module"/>'s attributes and methods on <paramref name="scriptClass"/>.</summary>
    void Emit(torch.nn.Module module, ScriptClassBuilder scriptClass);
}

/// <summary>Typed base for emitters: casts the module once so <see cref="Emit(TModule, ScriptClassBuilder)"/> reads naturally.</summary>
/// <typeparam name="TModule">The .NET module type handled.</typeparam>
public abstract class ModuleEmitter<TModule> : IModuleEmitter where TModule : torch.nn.Module
{
    /// <inheritdoc />
    public Type ModuleType => typeof(TModule);

    /// <inheritdoc />
    public abstract string ScriptClassName { get; }

    /// <inheritdoc />
    public void Emit(torch.nn.Module module, ScriptClassBuilder scriptClass)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(scriptClass);
        if (module is not TModule typed)
            throw new ArgumentException($"{GetType().Name} emits {typeof(TModule).FullName}, not {module.GetType().FullName}", nameof(module));
        Emit(typed, scriptClass);
    }

    /// <summary>Declares the module's attributes and methods.</summary>
    /// <param name="module">The module, already in eval mode.</param>
    /// <param name="scriptClass">The class being built.</param>
    protected abstract void Emit(TModule module, ScriptClassBuilder scriptClass);
}
