using TorchLstm.Export.Archive;
using TorchLstm.Export.Pickle;
using TorchSharp;
using static TorchSharp.torch;
using TorchLstm.IO;

namespace TorchLstm.Export;

/// <summary>
/// Moves weights between TorchSharp modules and Python in the file format of
/// <c>torch.save(model.state_dict(), path)</c>: Python's <c>torch.load</c> + <c>load_state_dict</c>
/// reads what <see cref="Save"/> writes into the equivalent torch.nn module, and <see cref="Load"/>
/// reads what Python saved. Keys are torch's (<c>lstm.weight_ih_l0</c>, <c>0.bias</c>, ...).
/// </summary>
public static class PyTorchStateDict
{
    /// <summary>Writes <paramref name="model"/>'s state_dict (parameters and persistent buffers), atomically.</summary>
    /// <param name="model">The module whose tensors are saved.</param>
    /// <param name="path">Destination file (conventionally <c>*.pt</c>); its directory must exist.</param>
    public static void Save(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var entries = model.state_dict().ToList();
        AtomicFile.Write(path, stream =>
        {
            var archive = new TorchArchiveWriter(stream, TorchScript.ArchiveNameFor(path));
            var pickle = new PickleWriter();
            var storages = new TensorStorageTable(pickle);
            pickle.WriteGlobal("collections", "OrderedDict");
            pickle.EmptyTuple();
            pickle.Reduce();
            pickle.Mark();
            foreach (var (key, tensor) in entries)
            {
                pickle.WriteString(key);
                storages.WriteTensor(tensor, requiresGrad: false); // state_dict() tensors are detached
            }
            pickle.SetItems();
            archive.WriteRecord("data.pkl", pickle.Finish());
            archive.WriteStorages(storages);
            archive.Finish();
        }, createDirectory: false);
    }

    /// <summary>
    /// Copies the tensors of a <c>torch.save(model.state_dict())</c> file into <paramref name="model"/>
    /// (in place, converting dtype if needed). Nothing is copied unless every key and shape matches.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <remarks>
    /// Reads the files <c>torch.load(path, weights_only=True)</c> reads as a state_dict, whoever wrote
    /// them (PyTorch, TorchSharp.PyBridge, this class). Nothing in the file is executed: its pickle
    /// may build dicts, OrderedDicts and tensors, and a call to anything else is refused by name.
    /// </remarks>
    /// <exception cref="InvalidDataException">The file is not a zip-format torch state_dict, or its pickle calls something a state_dict does not need.</exception>
    /// <exception cref="StateDictMismatchException">Missing or unexpected keys, or shape mismatches, all named.</exception>
    public static void Load(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"no state_dict file at '{path}'", path);

        using var reader = new TorchArchiveReader(path);
        if (reader.ReadDataPickle() is not PickleDict dict)
            throw new InvalidDataException($"'{path}' does not hold a state_dict (its data.pkl is not a dict)");
        var records = new Dictionary<string, TensorRecord>(StringComparer.Ordinal);
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name || value is not TensorRecord record)
                throw new InvalidDataException($"'{path}': entry '{key}' is not a string key with a tensor value; a state_dict maps names to tensors");
            records[name] = record;
        }

        var targets = model.state_dict();
        var missing = targets.Keys.Where(k => !records.ContainsKey(k)).ToList();
        var unexpected = records.Keys.Where(k => !targets.ContainsKey(k)).ToList();
        var shapeMismatches = targets.Where(t => records.TryGetValue(t.Key, out var r) && !r.Shape.SequenceEqual(t.Value.shape))
            .Select(t => $"{t.Key}: file [{string.Join(", ", records[t.Key].Shape)}], module [{string.Join(", ", t.Value.shape)}]").ToList();
        if (missing.Count + unexpected.Count + shapeMismatches.Count > 0)
        {
            var problems = new List<string>();
            if (missing.Count > 0) problems.Add("missing keys (in the module, not in the file): " + string.Join(", ", missing));
            if (unexpected.Count > 0) problems.Add("unexpected keys (in the file, not in the module): " + string.Join(", ", unexpected));
            if (shapeMismatches.Count > 0) problems.Add("shape mismatches: " + string.Join("; ", shapeMismatches));
            throw new StateDictMismatchException(
                $"state_dict '{path}' does not fit {model.GetType().Name}: {string.Join(". ", problems)}",
                missing, unexpected, shapeMismatches);
        }

        using var noGrad = torch.no_grad();
        foreach (var (key, target) in targets)
        {
            using var scope = torch.NewDisposeScope();
            target.copy_(reader.Materialize(records[key]));
        }
    }
}
