using System.Text;
using TorchLstm.Export.Archive;
using TorchLstm.Export.Emission;
using TorchLstm.Export.Emitters;
using TorchLstm.Export.Pickle;
using TorchSharp;
using TorchLstm.IO;

namespace TorchLstm.Export;

/// <summary>
/// Writes TorchScript archives from C#: the file <c>torch.jit.load</c> reads in TorchSharp, PyTorch
/// (1.13 and later) and libtorch C++. TorchSharp can load TorchScript but not create it; this writes
/// the same zip of pickles, TorchScript source and raw storages that <c>torch.jit.save</c> writes, and
/// libtorch compiles the source when the file is loaded.
/// </summary>
public static partial class TorchScript
{
    /// <summary>
    /// Exports <paramref name="model"/> (in eval mode; its modes are restored afterwards) to a
    /// TorchScript file at <paramref name="path"/>. The loaded module's parameters keep their names
    /// and require grad, so it can be fine-tuned. The file is written to a temporary sibling and
    /// renamed into place: a failed export never leaves a partial file or touches an existing one.
    /// </summary>
    /// <param name="model">The module tree; every module's .NET type needs an emitter (see <see cref="BuiltInEmitters"/>).</param>
    /// <param name="path">Destination file, conventionally <c>*.pt</c>; its directory must exist.</param>
    /// <param name="options">Extra emitters and the archive name; defaults when null.</param>
    /// <exception cref="NotSupportedException">A module has no emitter; the message names its .NET type and its path in the tree.</exception>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public static void Save(torch.nn.Module model, string path, TorchScriptExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new TorchScriptExportOptions();
        string archiveName = options.ArchiveName ?? ArchiveNameFor(path);

        var emitters = BuiltInEmitters.All.ToDictionary(e => e.ModuleType);
        foreach (var emitter in options.Emitters) emitters[emitter.ModuleType] = emitter;

        // Emit everything before the file is opened: unsupported modules fail without touching disk.
        ScriptObject root;
        IReadOnlyList<ScriptClass> classes;
        var modes = model.named_modules().Select(m => (m.module, m.module.training)).Prepend((model, model.training)).ToList();
        try
        {
            model.eval();
            var graph = new ScriptModuleGraph(emitters);
            root = graph.Emit(model, "");
            classes = graph.Classes;
            AtomicFile.Write(path, stream => WriteArchive(stream, archiveName, root, classes), createDirectory: false);
        }
        finally
        {
            foreach (var (module, training) in modes) module.train(training);
        }
    }

    /// <summary>torch names the archive folder after the file: <c>model.pt</c> → <c>model</c>.</summary>
    internal static string ArchiveNameFor(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        var cleaned = new StringBuilder();
        foreach (char c in name) cleaned.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_');
        return cleaned.Length == 0 ? "archive" : cleaned.ToString();
    }

    private static void WriteArchive(Stream stream, string archiveName, ScriptObject root, IReadOnlyList<ScriptClass> classes)
    {
        var archive = new TorchArchiveWriter(stream, archiveName);

        var pickle = new PickleWriter();
        var storages = new TensorStorageTable(pickle);
        WriteObject(pickle, storages, root);
        byte[] data = pickle.Finish();
        archive.WriteStorages(storages);
        archive.WriteRecord("data.pkl", data);

        foreach (var file in classes.GroupBy(c => c.Qualifier))
        {
            string source = string.Concat(file.Select(c => c.Source));
            archive.WriteTextRecord("code/" + file.Key.Replace('.', '/') + ".py", source);
        }

        // Tensor constants would live here; emitted code keeps constants as Final attributes.
        var constants = new PickleWriter();
        constants.EmptyTuple();
        archive.WriteRecord("constants.pkl", constants.Finish());
        archive.Finish();
    }

    // Mirrors torch's pickler for script objects: GLOBAL class, NEWOBJ, then BUILD with a dict of slots.
    private static void WriteObject(PickleWriter pickle, TensorStorageTable storages, ScriptObject scriptObject)
    {
        int lastDot = scriptObject.Class.QualifiedName.LastIndexOf('.');
        pickle.WriteGlobal(scriptObject.Class.QualifiedName[..lastDot], scriptObject.Class.Name);
        pickle.EmptyTuple();
        pickle.NewObj();
        pickle.EmptyDict();
        pickle.Mark();
        pickle.WriteString("training");
        pickle.WriteBool(false);
        foreach (var attribute in scriptObject.Attributes)
        {
            pickle.WriteString(attribute.Name);
            switch (attribute.Kind)
            {
                case ScriptAttributeKind.Parameter:
                    var parameter = (torch.Tensor)attribute.Value!;
                    storages.WriteTensor(parameter, parameter.requires_grad);
                    break;
                case ScriptAttributeKind.Buffer:
                    storages.WriteTensor((torch.Tensor)attribute.Value!, requiresGrad: false);
                    break;
                case ScriptAttributeKind.NoneTensor:
                    pickle.WriteNone();
                    break;
                case ScriptAttributeKind.Submodule:
                    WriteObject(pickle, storages, (ScriptObject)attribute.Value!);
                    break;
                default:
                    throw new InvalidOperationException($"unknown attribute kind {attribute.Kind}");
            }
        }
        pickle.SetItems();
        pickle.Build();
    }
}
