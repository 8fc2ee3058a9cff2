using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Analysis;

namespace TorchLstm.Data;

/// <summary>
/// Collects one CSV column cell by cell and decides its type at the end: numbers while every non-blank
/// cell parses, text otherwise. Numbers are parsed as the cells arrive and the text is kept in one
/// character buffer, so a numeric column never creates a string per cell; a column that turns out
/// to be text gets its strings, exactly as written, when it is built.
/// </summary>
internal sealed class CsvColumnBuilder(string name)
{
    private char[] _text = new char[4096];
    private int _textLength;
    private int[] _ends = new int[1024];
    private double[] _values = new double[1024];
    // Arrow-style validity bitmap, as DataFrame columns store it: bit i set = cell i holds a number.
    private byte[] _present = new byte[128];
    private int _count;
    private int _missing;
    private bool _numeric = true;
    private bool _anyNumber;

    public void Add(ReadOnlySpan<char> cell)
    {
        if (_count == _ends.Length) Grow();
        if (_textLength + cell.Length > _text.Length)
            Array.Resize(ref _text, (int)Math.Min(Array.MaxLength, Math.Max(2L * _text.Length, (long)_textLength + cell.Length)));
        cell.CopyTo(_text.AsSpan(_textLength));
        _textLength += cell.Length;
        _ends[_count] = _textLength;
        if (_numeric)
        {
            if (cell.IsWhiteSpace())
            {
                _missing++;
            }
            else if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                _values[_count] = value;
                _present[_count >> 3] |= (byte)(1 << (_count & 7));
                _anyNumber = true;
            }
            else
            {
                _numeric = false;
            }
        }
        _count++;
    }

    /// <summary>A <see cref="DoubleDataFrameColumn"/> (blank cells missing) when every non-blank cell is a number and one exists; text otherwise.</summary>
    public DataFrameColumn Build()
    {
        if (_numeric && _anyNumber)
        {
            // Handing the column its buffers directly avoids appending a million nullable values one by one.
            byte[] data = MemoryMarshal.AsBytes(_values.AsSpan(0, _count)).ToArray();
            byte[] present = _present.AsSpan(0, (_count + 7) / 8).ToArray();
            return new DoubleDataFrameColumn(name, data, present, _count, _missing);
        }
        var strings = new string[_count];
        int start = 0;
        for (int i = 0; i < _count; i++)
        {
            strings[i] = new string(_text, start, _ends[i] - start);
            start = _ends[i];
        }
        return new StringDataFrameColumn(name, strings);
    }

    private void Grow()
    {
        int capacity = _ends.Length * 2;
        Array.Resize(ref _ends, capacity);
        Array.Resize(ref _values, capacity);
        Array.Resize(ref _present, (capacity + 7) / 8);
    }
}
