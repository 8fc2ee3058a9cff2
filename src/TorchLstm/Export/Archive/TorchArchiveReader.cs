using System.IO.Compression;
using TorchLstm.Export.Pickle;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Export.Archive;

/// <summary>A storage reference from a pickle's persistent id: <c>("storage", torch.FloatStorage, key, location, numel)</c>.</summary>
internal sealed record StorageReference(string Key, ScalarType DType, long ElementCount);

/// <summary>A tensor as <c>_rebuild_tensor_v2</c> describes it, materialised later from its storage record.</summary>
internal sealed record TensorRecord(StorageReference Storage, long Offset, long[] Shape, long[] Strides);

/// <summary>
/// Reads the zip archives <c>torch.save</c> writes (one top-level folder holding <c>data.pkl</c> and
/// <c>data/&lt;key&gt;</c> storages) without running any pickled code: only tensor and parameter
/// rebuilds and OrderedDicts are accepted, as torch.load's weights-only unpickler would build them.
/// </summary>
internal sealed class TorchArchiveReader : IDisposable
{
    private static readonly Dictionary<string, ScalarType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = ScalarType.Float32, ["DoubleStorage"] = ScalarType.Float64, ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16, ["LongStorage"] = ScalarType.Int64, ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16, ["CharStorage"] = ScalarType.Int8, ["ByteStorage"] = ScalarType.Byte,
        ["BoolStorage"] = ScalarType.Bool,
    };

    private readonly ZipArchive _zip;
    private readonly string _prefix;
    private readonly string _path;

    public TorchArchiveReader(string path)
    {
        _path = path;
        var stream = File.OpenRead(path);
        try
        {
            _zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException e)
        {
            stream.Dispose();
            throw new InvalidDataException($"'{path}' is not a zip-format torch file (torch.save since PyTorch 1.6 writes zip; the legacy format is not supported)", e);
        }
        string first = _zip.Entries.Count > 0 ? _zip.Entries[0].FullName : "";
        int slash = first.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            _zip.Dispose();
            throw new InvalidDataException($"'{path}' is not a torch archive: its first entry '{first}' is not inside a folder");
        }
        _prefix = first[..(slash + 1)];
    }

    public byte[] ReadRecord(string name)
    {
        var entry = _zip.GetEntry(_prefix + name)
            ?? throw new InvalidDataException($"'{_path}' has no record '{_prefix}{name}'");
        using var input = entry.Open();
        using var buffer = new MemoryStream((int)entry.Length);
        input.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>Unpickles <c>data.pkl</c> into dicts, lists and <see cref="TensorRecord"/>s.</summary>
    public object? ReadDataPickle() => new PickleReader(ReadRecord("data.pkl"), Reduce, PersistentLoad).Read();

    /// <summary>Creates the tensor a record describes (a fresh contiguous CPU tensor).</summary>
    public Tensor Materialize(TensorRecord record)
    {
        byte[] bytes = ReadRecord("data/" + record.Storage.Key);
        using var scope = torch.NewDisposeScope();
        Tensor storage = torch.empty(record.Storage.ElementCount, dtype: record.Storage.DType);
        long expected = record.Storage.ElementCount * storage.ElementSize;
        if (bytes.Length != expected)
            throw new InvalidDataException($"'{_path}': storage data/{record.Storage.Key} has {bytes.Length} bytes, expected {expected}");
        storage.bytes = bytes;
        return storage.as_strided(record.Shape, record.Strides, record.Offset).clone().MoveToOuterDisposeScope();
    }

    public void Dispose() => _zip.Dispose();

    private object? PersistentLoad(object? id)
    {
        if (id is object?[] { Length: 5 } parts && parts[0] is "storage" && parts[1] is PickleGlobal { Module: "torch" } type
            && parts[2] is string key && parts[4] is long count && StorageTypes.TryGetValue(type.Name, out var dtype))
            return new StorageReference(key, dtype, count);
        throw new InvalidDataException($"'{_path}': unsupported persistent id in data.pkl (expected a torch storage reference)");
    }

    // The calls torch.load's weights-only unpickler would make for a state_dict, with its meaning:
    // collections.OrderedDict(*args) as Python defines it, and torch's tensor and parameter rebuilds
    // (backward hooks, metadata and parameter state are torch-side extras a state_dict load ignores).
    // Any other callable is refused by name: nothing in the file is ever executed.
    private object? Reduce(PickleGlobal callable, object?[] arguments)
    {
        switch (callable.Module, callable.Name)
        {
            case ("collections", "OrderedDict"):
                return OrderedDict(arguments);
            case ("torch._utils", "_rebuild_tensor_v2" or "_rebuild_tensor") when arguments.Length >= 4
                && arguments[0] is StorageReference storage && arguments[1] is long offset
                && arguments[2] is object?[] shape && arguments[3] is object?[] strides
                && shape.All(d => d is long) && strides.All(d => d is long):
                return new TensorRecord(storage, offset, shape.Cast<long>().ToArray(), strides.Cast<long>().ToArray());
            case ("torch._utils", "_rebuild_parameter" or "_rebuild_parameter_with_state") when arguments.Length >= 1 && arguments[0] is TensorRecord tensor:
                return tensor;
            case ("torch._utils", _):
                throw new InvalidDataException($"'{_path}': data.pkl calls {callable} with arguments this reader does not understand ({Describe(arguments)}); a state_dict rebuilds tensors with _rebuild_tensor_v2 and _rebuild_parameter");
            default:
                throw new InvalidDataException($"'{_path}': data.pkl calls {callable}, which a state_dict file does not need " +
                    "(it needs only collections.OrderedDict and torch._utils' tensor and parameter rebuilds); refusing to interpret it");
        }
    }

    // OrderedDict(), OrderedDict(mapping) and OrderedDict(iterable of key/value pairs): the one
    // optional positional argument Python's OrderedDict takes. TorchSharp.PyBridge, for one, writes
    // each tensor's empty backward hooks as OrderedDict(()).
    private PickleDict OrderedDict(object?[] arguments)
    {
        var dict = new PickleDict();
        switch (arguments)
        {
            case []:
                return dict;
            case [PickleDict mapping]:
                dict.Items.AddRange(mapping.Items);
                return dict;
            case [IList<object?> pairs] when pairs.All(p => p is IList<object?> { Count: 2 } pair && pair[0] is not null):
                foreach (IList<object?> pair in pairs.Cast<IList<object?>>())
                    dict.Items.Add(new KeyValuePair<object, object?>(pair[0]!, pair[1]));
                return dict;
            default:
                throw new InvalidDataException($"'{_path}': data.pkl calls collections.OrderedDict with {Describe(arguments)}; " +
                    "it takes nothing, a dict, or a sequence of (key, value) pairs");
        }
    }

    private static string Describe(object?[] arguments) =>
        arguments.Length == 0 ? "no arguments" : string.Join(", ", arguments.Select(a => a switch
        {
            null => "None",
            object?[] tuple => $"a tuple of {tuple.Length}",
            List<object?> list => $"a list of {list.Count}",
            PickleDict => "a dict",
            PickleGlobal global => global.ToString(),
            TensorRecord => "a tensor",
            string => "a string",
            bool => "a bool",
            long => "an integer",
            double => "a float",
            _ => a.GetType().Name,
        }));
}
