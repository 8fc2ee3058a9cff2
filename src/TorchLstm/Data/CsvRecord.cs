namespace TorchLstm.Data;

/// <summary>
/// The fields of one CSV record as slices of one reusable character buffer, so that reading a record
/// allocates nothing once the buffer has grown to the longest record.
/// </summary>
internal sealed class CsvRecord
{
    private char[] _chars = new char[256];
    private int _length;
    private int _fieldStart;
    private (int Start, int Length)[] _fields = new (int, int)[16];

    /// <summary>Number of completed fields.</summary>
    public int Count { get; private set; }

    /// <summary>The text of field <paramref name="index"/>, valid until the next record is read.</summary>
    public ReadOnlySpan<char> this[int index] => _chars.AsSpan(_fields[index].Start, _fields[index].Length);

    /// <summary>Characters appended to the field being read so far.</summary>
    public int CurrentFieldLength => _length - _fieldStart;

    public string[] ToStrings()
    {
        var strings = new string[Count];
        for (int i = 0; i < Count; i++) strings[i] = new string(this[i]);
        return strings;
    }

    internal void Clear()
    {
        _length = 0;
        _fieldStart = 0;
        Count = 0;
    }

    internal void Append(char c)
    {
        if (_length == _chars.Length) Array.Resize(ref _chars, _chars.Length * 2);
        _chars[_length++] = c;
    }

    internal void Append(ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _chars.Length) Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + text.Length));
        text.CopyTo(_chars.AsSpan(_length));
        _length += text.Length;
    }

    internal void EndField()
    {
        if (Count == _fields.Length) Array.Resize(ref _fields, _fields.Length * 2);
        _fields[Count++] = (_fieldStart, _length - _fieldStart);
        _fieldStart = _length;
    }
}
