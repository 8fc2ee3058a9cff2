using TorchLstm.Export.Pickle;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Export.Archive;

/// <summary>
/// Pickles tensors the way torch.save and torch.jit.save do: each tensor becomes
/// <c>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())</c>
/// whose storage is a persistent id <c>("storage", torch.FloatStorage, key, "cpu", numel)</c> and
/// whose bytes go to the archive record <c>data/key</c>. A tensor pickled twice (tied weights)
/// shares one storage, so the tie survives loading.
/// </summary>
internal sealed class TensorStorageTable
{
    private readonly PickleWriter _pickle;
    private readonly Dictionary<IntPtr, int> _memoIdByTensor = [];
    private readonly List<(string Key, byte[] Bytes)> _storages = [];

    public TensorStorageTable(PickleWriter pickle)
    {
        _pickle = pickle;
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("torch archives store tensors little-endian; writing them from a big-endian process is not supported");
    }

    /// <summary>The storages referenced so far, in key order ("0", "1", ...).</summary>
    public IReadOnlyList<(string Key, byte[] Bytes)> Storages => _storages;

    /// <summary>Pickles <paramref name="tensor"/> (its values copied now, contiguous, on the CPU).</summary>
    public void WriteTensor(Tensor tensor, bool requiresGrad)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        string storageType = StorageTypeName(tensor.dtype);
        long[] shape = tensor.shape;
        _pickle.WriteGlobal("torch._utils", "_rebuild_tensor_v2");
        _pickle.Mark();
        if (_memoIdByTensor.TryGetValue(tensor.Handle, out int memoId))
        {
            _pickle.WriteMemoGet(memoId);
        }
        else
        {
            string key = _storages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _storages.Add((key, ContiguousBytes(tensor)));
            _pickle.Mark();
            _pickle.WriteString("storage");
            _pickle.WriteGlobal("torch", storageType);
            _pickle.WriteString(key);
            _pickle.WriteString("cpu");
            _pickle.WriteInt(tensor.numel());
            _pickle.Tuple();
            _pickle.BinPersId();
            _memoIdByTensor[tensor.Handle] = _pickle.WriteMemoPut();
        }
        _pickle.WriteInt(0); // storage offset: every storage here holds exactly one contiguous tensor
        _pickle.Mark();
        foreach (long size in shape) _pickle.WriteInt(size);
        _pickle.Tuple();
        _pickle.Mark();
        foreach (long stride in ContiguousStrides(shape)) _pickle.WriteInt(stride);
        _pickle.Tuple();
        _pickle.WriteBool(requiresGrad);
        _pickle.WriteGlobal("collections", "OrderedDict"); // backward hooks: always empty
        _pickle.EmptyTuple();
        _pickle.Reduce();
        _pickle.Tuple();
        _pickle.Reduce();
    }

    /// <summary>torch's storage class name for a dtype (the GLOBAL the reader resolves).</summary>
    public static string StorageTypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "FloatStorage",
        ScalarType.Float64 => "DoubleStorage",
        ScalarType.Float16 => "HalfStorage",
        ScalarType.BFloat16 => "BFloat16Storage",
        ScalarType.Int64 => "LongStorage",
        ScalarType.Int32 => "IntStorage",
        ScalarType.Int16 => "ShortStorage",
        ScalarType.Int8 => "CharStorage",
        ScalarType.Byte => "ByteStorage",
        ScalarType.Bool => "BoolStorage",
        _ => throw new NotSupportedException($"tensors of dtype {dtype} cannot be written to a torch archive; supported: float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool"),
    };

    internal static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    private static byte[] ContiguousBytes(Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor cpu = tensor.detach().to(CPU).contiguous();
        return cpu.bytes.ToArray();
    }
}
