using System.Buffers.Binary;
using System.Text;

namespace TorchLstm.Export.Pickle;

/// <summary>
/// Writes a pickle program (protocol 2) opcode by opcode, the subset torch's serializers use.
/// Strings and globals are memoized the way torch's C++ pickler does it, so repeated names cost a
/// two-byte BINGET; callers structure containers themselves (MARK ... TUPLE, EMPTY_DICT MARK ... SETITEMS).
/// </summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream _buffer = new();
    private readonly Dictionary<string, int> _memoizedStrings = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Module, string Name), int> _memoizedGlobals = new();
    private int _nextMemoId;
    private bool _stopped;

    /// <summary>Starts the program with PROTO 2.</summary>
    public PickleWriter()
    {
        _buffer.WriteByte(PickleOpcode.Proto);
        _buffer.WriteByte(2);
    }

    /// <summary>Writes STOP and returns the finished program; the writer accepts nothing after this.</summary>
    public byte[] Finish()
    {
        EnsureOpen();
        _buffer.WriteByte(PickleOpcode.Stop);
        _stopped = true;
        return _buffer.ToArray();
    }

    public void WriteNone() => Op(PickleOpcode.None);

    public void WriteBool(bool value) => Op(value ? PickleOpcode.NewTrue : PickleOpcode.NewFalse);

    /// <summary>Writes an integer with the smallest opcode that holds it (BININT1/BININT2/BININT/LONG1).</summary>
    public void WriteInt(long value)
    {
        if (value >= 0 && value <= byte.MaxValue)
        {
            Op(PickleOpcode.BinInt1);
            _buffer.WriteByte((byte)value);
        }
        else if (value >= 0 && value <= ushort.MaxValue)
        {
            Op(PickleOpcode.BinInt2);
            Span<byte> bytes = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value);
            _buffer.Write(bytes);
        }
        else if (value >= int.MinValue && value <= int.MaxValue)
        {
            Op(PickleOpcode.BinInt);
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, (int)value);
            _buffer.Write(bytes);
        }
        else
        {
            // LONG1: a length byte then two's-complement little-endian; 8 bytes always hold a long.
            Op(PickleOpcode.Long1);
            _buffer.WriteByte(8);
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
            _buffer.Write(bytes);
        }
    }

    /// <summary>Writes a double as BINFLOAT (big-endian IEEE 754, as the format requires).</summary>
    public void WriteFloat(double value)
    {
        Op(PickleOpcode.BinFloat);
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(bytes, value);
        _buffer.Write(bytes);
    }

    /// <summary>Writes a string as BINUNICODE (UTF-8); a string written before becomes a BINGET.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_memoizedStrings.TryGetValue(value, out int memoId))
        {
            WriteMemoGet(memoId);
            return;
        }
        Op(PickleOpcode.BinUnicode);
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
        _buffer.Write(length);
        _buffer.Write(utf8);
        _memoizedStrings[value] = WriteMemoPut();
    }

    /// <summary>Writes GLOBAL "module\nname\n" (memoized), e.g. ("torch._utils", "_rebuild_tensor_v2").</summary>
    public void WriteGlobal(string module, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (module.Contains('\n') || name.Contains('\n'))
            throw new ArgumentException($"a pickle GLOBAL cannot contain a newline: '{module}' '{name}'", nameof(name));
        if (_memoizedGlobals.TryGetValue((module, name), out int memoId))
        {
            WriteMemoGet(memoId);
            return;
        }
        Op(PickleOpcode.Global);
        _buffer.Write(Encoding.UTF8.GetBytes(module + "\n" + name + "\n"));
        _memoizedGlobals[(module, name)] = WriteMemoPut();
    }

    public void Mark() => Op(PickleOpcode.Mark);

    /// <summary>Builds a tuple from everything since the last MARK.</summary>
    public void Tuple() => Op(PickleOpcode.Tuple);

    public void EmptyTuple() => Op(PickleOpcode.EmptyTuple);

    public void EmptyDict() => Op(PickleOpcode.EmptyDict);

    /// <summary>Adds the key/value pairs since the last MARK to the dict below the MARK.</summary>
    public void SetItems() => Op(PickleOpcode.SetItems);

    public void EmptyList() => Op(PickleOpcode.EmptyList);

    /// <summary>Appends the items since the last MARK to the list below the MARK.</summary>
    public void Appends() => Op(PickleOpcode.Appends);

    /// <summary>Calls the callable below the top with the argument tuple on top.</summary>
    public void Reduce() => Op(PickleOpcode.Reduce);

    /// <summary>Creates cls.__new__(cls, *args) from (cls, args) on the stack.</summary>
    public void NewObj() => Op(PickleOpcode.NewObj);

    /// <summary>Applies the state on top to the object below it (__setstate__ or __dict__ update).</summary>
    public void Build() => Op(PickleOpcode.Build);

    /// <summary>Turns the object on top into a persistent id resolved by the reader (torch: storages).</summary>
    public void BinPersId() => Op(PickleOpcode.BinPersId);

    /// <summary>Remembers the object on top of the stack; returns its memo id for <see cref="WriteMemoGet"/>.</summary>
    public int WriteMemoPut()
    {
        EnsureOpen();
        int id = _nextMemoId++;
        if (id <= byte.MaxValue)
        {
            _buffer.WriteByte(PickleOpcode.BinPut);
            _buffer.WriteByte((byte)id);
        }
        else
        {
            _buffer.WriteByte(PickleOpcode.LongBinPut);
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)id);
            _buffer.Write(bytes);
        }
        return id;
    }

    /// <summary>Pushes a previously memoized object again.</summary>
    public void WriteMemoGet(int memoId)
    {
        EnsureOpen();
        if (memoId < 0 || memoId >= _nextMemoId)
            throw new ArgumentOutOfRangeException(nameof(memoId), memoId, $"no object was memoized under id {memoId}; ids 0..{_nextMemoId - 1} exist");
        if (memoId <= byte.MaxValue)
        {
            _buffer.WriteByte(PickleOpcode.BinGet);
            _buffer.WriteByte((byte)memoId);
        }
        else
        {
            _buffer.WriteByte(PickleOpcode.LongBinGet);
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)memoId);
            _buffer.Write(bytes);
        }
    }

    private void Op(byte opcode)
    {
        EnsureOpen();
        _buffer.WriteByte(opcode);
    }

    private void EnsureOpen()
    {
        if (_stopped) throw new InvalidOperationException("the pickle program is finished (STOP written); start a new writer");
    }
}
