using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace TorchLstm.Export.Pickle;

/// <summary>A GLOBAL reference (module and name) left unresolved: the reader never imports or runs anything.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => Module + "." + Name;
}

/// <summary>A pickled dict (or OrderedDict) with its insertion order kept.</summary>
internal sealed class PickleDict
{
    public List<KeyValuePair<object, object?>> Items { get; } = [];

    /// <summary>The state BUILD applied to the dict (an OrderedDict's <c>__dict__</c>, e.g. torch's <c>_metadata</c>).</summary>
    public object? State { get; set; }
}

/// <summary>
/// Reads the pickle subset torch's writers produce (protocols 2-4 opcodes without arbitrary code):
/// GLOBAL stays a <see cref="PickleGlobal"/>, REDUCE and persistent ids go to callbacks that decide
/// what a call means (and refuse anything unknown), tuples become <c>object?[]</c>, lists
/// <c>List&lt;object?&gt;</c>, dicts <see cref="PickleDict"/>, integers <c>long</c>, floats <c>double</c>.
/// </summary>
internal sealed class PickleReader
{
    private static readonly object MarkObject = new();
    private readonly byte[] _data;
    private readonly Func<PickleGlobal, object?[], object?> _reduce;
    private readonly Func<object?, object?> _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;

    /// <param name="data">The pickle program.</param>
    /// <param name="reduce">Called for REDUCE (and NEWOBJ) with the callable's global and the arguments.</param>
    /// <param name="persistentLoad">Called for BINPERSID with the persistent id.</param>
    public PickleReader(byte[] data, Func<PickleGlobal, object?[], object?> reduce, Func<object?, object?> persistentLoad)
    {
        _data = data ?? throw new ArgumentNullException(nameof(data));
        _reduce = reduce ?? throw new ArgumentNullException(nameof(reduce));
        _persistentLoad = persistentLoad ?? throw new ArgumentNullException(nameof(persistentLoad));
    }

    /// <summary>Runs the program to STOP and returns the object it built.</summary>
    /// <exception cref="InvalidDataException">Truncated data, an unsupported opcode or a malformed stack.</exception>
    public object? Read()
    {
        while (true)
        {
            int opcodePosition = _position;
            byte opcode = ReadByte();
            switch (opcode)
            {
                case PickleOpcode.Proto: ReadByte(); break;
                case PickleOpcode.Frame: Take(8); break;
                case PickleOpcode.Stop:
                    if (_stack.Count != 1) throw Malformed($"STOP with {_stack.Count} objects on the stack", opcodePosition);
                    return _stack[0];
                case PickleOpcode.Mark: _stack.Add(MarkObject); break;
                case PickleOpcode.None: _stack.Add(null); break;
                case PickleOpcode.NewTrue: _stack.Add(true); break;
                case PickleOpcode.NewFalse: _stack.Add(false); break;
                case PickleOpcode.BinInt1: _stack.Add((long)ReadByte()); break;
                case PickleOpcode.BinInt2: _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
                case PickleOpcode.BinInt: _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
                case PickleOpcode.Long1:
                    {
                        int length = ReadByte();
                        var value = new BigInteger(Take(length), isUnsigned: false, isBigEndian: false);
                        if (value < long.MinValue || value > long.MaxValue) throw Malformed("integer wider than 64 bits", opcodePosition);
                        _stack.Add((long)value);
                        break;
                    }
                case PickleOpcode.BinFloat: _stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
                case PickleOpcode.BinUnicode: _stack.Add(Encoding.UTF8.GetString(Take(checked((int)BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))))); break;
                case PickleOpcode.ShortBinUnicode: _stack.Add(Encoding.UTF8.GetString(Take(ReadByte()))); break;
                case PickleOpcode.BinBytes: _stack.Add(Take(checked((int)BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))).ToArray()); break;
                case PickleOpcode.ShortBinBytes: _stack.Add(Take(ReadByte()).ToArray()); break;
                case PickleOpcode.Global:
                    {
                        string module = ReadLine();
                        _stack.Add(new PickleGlobal(module, ReadLine()));
                        break;
                    }
                case PickleOpcode.EmptyTuple: _stack.Add(Array.Empty<object?>()); break;
                case PickleOpcode.Tuple: _stack.Add(PopToMark().ToArray()); break;
                case PickleOpcode.Tuple1: _stack.Add(PopMany(1)); break;
                case PickleOpcode.Tuple2: _stack.Add(PopMany(2)); break;
                case PickleOpcode.Tuple3: _stack.Add(PopMany(3)); break;
                case PickleOpcode.EmptyList: _stack.Add(new List<object?>()); break;
                case PickleOpcode.List: _stack.Add(PopToMark()); break;
                case PickleOpcode.Append: { object? item = Pop(); Peek<List<object?>>(opcodePosition).Add(item); break; }
                case PickleOpcode.Appends: { var items = PopToMark(); Peek<List<object?>>(opcodePosition).AddRange(items); break; }
                case PickleOpcode.EmptyDict: _stack.Add(new PickleDict()); break;
                case PickleOpcode.Dict: { var dict = new PickleDict(); AddPairs(dict, PopToMark(), opcodePosition); _stack.Add(dict); break; }
                case PickleOpcode.SetItem: { object? value = Pop(); object? key = Pop(); AddPairs(Peek<PickleDict>(opcodePosition), [key, value], opcodePosition); break; }
                case PickleOpcode.SetItems: { var pairs = PopToMark(); AddPairs(Peek<PickleDict>(opcodePosition), pairs, opcodePosition); break; }
                case PickleOpcode.BinPut: _memo[ReadByte()] = PeekAny(opcodePosition); break;
                case PickleOpcode.LongBinPut: _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = PeekAny(opcodePosition); break;
                case PickleOpcode.Memoize: _memo[_memo.Count] = PeekAny(opcodePosition); break;
                case PickleOpcode.BinGet: _stack.Add(MemoGet(ReadByte(), opcodePosition)); break;
                case PickleOpcode.LongBinGet: _stack.Add(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), opcodePosition)); break;
                case PickleOpcode.BinPersId: _stack.Add(_persistentLoad(Pop())); break;
                case PickleOpcode.Reduce:
                case PickleOpcode.NewObj:
                    {
                        object? arguments = Pop();
                        object? callable = Pop();
                        if (callable is not PickleGlobal global || arguments is not object?[] tuple)
                            throw Malformed("REDUCE/NEWOBJ needs a global and an argument tuple", opcodePosition);
                        _stack.Add(_reduce(global, tuple));
                        break;
                    }
                case PickleOpcode.Build:
                    {
                        object? state = Pop();
                        if (PeekAny(opcodePosition) is PickleDict dict) dict.State = state;
                        else throw Malformed($"BUILD on an unsupported object ({PeekAny(opcodePosition)?.GetType().Name ?? "None"})", opcodePosition);
                        break;
                    }
                default:
                    throw Malformed($"unsupported pickle opcode 0x{opcode:x2} ('{(char)opcode}')", opcodePosition);
            }
        }
    }

    private static void AddPairs(PickleDict dict, List<object?> flat, int position)
    {
        if (flat.Count % 2 != 0) throw Malformed("odd number of items for a dict", position);
        for (int i = 0; i < flat.Count; i += 2)
        {
            object key = flat[i] ?? throw Malformed("None as a dict key is not supported", position);
            dict.Items.Add(new KeyValuePair<object, object?>(key, flat[i + 1]));
        }
    }

    private object? MemoGet(long id, int position) =>
        _memo.TryGetValue(id, out object? value) ? value : throw Malformed($"memo id {id} read before it was written", position);

    private T Peek<T>(int position) where T : class =>
        PeekAny(position) as T ?? throw Malformed($"expected a {typeof(T).Name} on the stack", position);

    private object? PeekAny(int position)
    {
        if (_stack.Count == 0 || ReferenceEquals(_stack[^1], MarkObject)) throw Malformed("stack is empty", position);
        return _stack[^1];
    }

    private object? Pop()
    {
        if (_stack.Count == 0 || ReferenceEquals(_stack[^1], MarkObject)) throw Malformed("stack underflow", _position);
        object? top = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return top;
    }

    private object?[] PopMany(int count)
    {
        var items = new object?[count];
        for (int i = count - 1; i >= 0; i--) items[i] = Pop();
        return items;
    }

    private List<object?> PopToMark()
    {
        int mark = _stack.FindLastIndex(item => ReferenceEquals(item, MarkObject));
        if (mark < 0) throw Malformed("no MARK on the stack", _position);
        var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private byte ReadByte() => Take(1)[0];

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _position + count > _data.Length) throw Malformed("unexpected end of data", _position);
        var span = _data.AsSpan(_position, count);
        _position += count;
        return span;
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _position);
        if (end < 0) throw Malformed("unterminated GLOBAL name", _position);
        string line = Encoding.UTF8.GetString(_data, _position, end - _position);
        _position = end + 1;
        return line;
    }

    private static InvalidDataException Malformed(string what, int position) =>
        new($"malformed or unsupported pickle at byte {position}: {what}");
}
