using TorchLstm.Export.Emission;

namespace TorchLstm.Export;

/// <summary>Options for <see cref="TorchScript.Save(TorchSharp.torch.nn.Module, string, TorchScriptExportOptions?)"/>.</summary>
public sealed record TorchScriptExportOptions
{
    /// <summary>
    /// Extra emitters for module types the exporter does not know (your own modules); an emitter
    /// listed here replaces the built-in one for the same type. Default: none.
    /// </summary>
    public IReadOnlyList<IModuleEmitter> Emitters { get; init; } = [];

    /// <summary>
    /// Name of the top-level folder inside the zip (torch uses the file name without extension);
    /// <c>null</c> (default) derives it from the file name the same way.
    /// </summary>
    public string? ArchiveName { get; init; }
}
