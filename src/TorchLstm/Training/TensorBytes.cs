using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>
/// Raw tensor bytes and a small self-describing format for named tensors (name, dtype, shape, bytes),
/// so that a checkpoint can check names and shapes before anything is copied into a model.
/// </summary>
internal static class TensorBytes
{
    /// <summary>A copy of the tensor's elements in row-major order, as stored on the CPU.</summary>
    public static byte[] Of(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var cpu = tensor.detach().cpu().contiguous();
        return cpu.bytes.ToArray();
    }

    /// <summary>A CPU tensor of the given dtype and shape holding <paramref name="bytes"/>.</summary>
    public static Tensor Create(ScalarType dtype, long[] shape, byte[] bytes)
    {
        var result = empty(shape, dtype);
        result.bytes = bytes;
        return result;
    }

    public static void WriteDictionary(BinaryWriter writer, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var list = tensors.ToList();
        writer.Write(list.Count);
        foreach (var (name, tensor) in list)
        {
            writer.Write(name);
            writer.Write((int)tensor.dtype);
            writer.Write(tensor.shape.Length);
            foreach (long size in tensor.shape) writer.Write(size);
            byte[] bytes = Of(tensor);
            writer.Write(bytes.LongLength);
            writer.Write(bytes);
        }
    }

    /// <summary>Reads what <see cref="WriteDictionary"/> wrote; the caller owns the returned CPU tensors.</summary>
    /// <exception cref="InvalidDataException">The bytes do not describe valid tensors.</exception>
    public static Dictionary<string, Tensor> ReadDictionary(byte[] data)
    {
        using var reader = new BinaryReader(new MemoryStream(data, writable: false), Encoding.UTF8);
        int count = reader.ReadInt32();
        if (count < 0) throw new InvalidDataException($"negative tensor count {count}");
        var result = new Dictionary<string, Tensor>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                var dtype = (ScalarType)reader.ReadInt32();
                if (!Enum.IsDefined(dtype)) throw new InvalidDataException($"tensor '{name}' has unknown dtype {(int)dtype}");
                int rank = reader.ReadInt32();
                if (rank is < 0 or > 16) throw new InvalidDataException($"tensor '{name}' has rank {rank}");
                var shape = new long[rank];
                long elements = 1;
                for (int d = 0; d < rank; d++)
                {
                    shape[d] = reader.ReadInt64();
                    if (shape[d] < 0) throw new InvalidDataException($"tensor '{name}' has a negative size");
                    elements *= shape[d];
                }
                long length = reader.ReadInt64();
                long expected = elements * ElementSize(dtype);
                if (length != expected)
                    throw new InvalidDataException($"tensor '{name}' holds {length} bytes but its shape needs {expected}");
                byte[] bytes = reader.ReadBytes(checked((int)length));
                if (bytes.Length != length) throw new InvalidDataException($"tensor '{name}' is cut short");
                result[name] = Create(dtype, shape, bytes).DetachFromDisposeScope();
            }
            return result;
        }
        catch
        {
            foreach (var tensor in result.Values) tensor.Dispose();
            throw;
        }
    }

    private static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new InvalidDataException($"unsupported dtype {dtype}"),
    };
}
