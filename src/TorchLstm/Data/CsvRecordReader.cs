using System.Buffers;

namespace TorchLstm.Data;

/// <summary>
/// Streams RFC 4180 records (quoted fields, doubled quotes, separators and line breaks inside quotes,
/// CRLF/LF/CR line ends) from a reader, remembering the file line where each record starts.
/// </summary>
internal sealed class CsvRecordReader
{
    private readonly TextReader _reader;
    private readonly char _separator;
    private readonly string _source;
    private readonly char[] _buffer = new char[1 << 16];
    private int _length;
    private int _position;
    private long _line = 1;
    private readonly SearchValues<char> _fieldEnds;

    public CsvRecordReader(TextReader reader, char separator, string source)
    {
        if (separator is '"' or '\r' or '\n')
            throw new ArgumentException($"the separator cannot be a quote or a line break (got '{separator}')", nameof(separator));
        _reader = reader;
        _separator = separator;
        _source = source;
        _fieldEnds = SearchValues.Create([separator, '\r', '\n']);
    }

    /// <summary>Reads the next non-blank record into <paramref name="fields"/>; false at end of input.</summary>
    /// <param name="fields">Cleared, then filled with the record's fields.</param>
    /// <param name="startLine">1-based line of the file where the record starts.</param>
    public bool TryRead(CsvRecord fields, out long startLine)
    {
        while (true)
        {
            fields.Clear();
            startLine = _line;
            if (!ReadRecord(fields, out bool blank)) return false;
            // Blank lines carry no data (pandas skips them too); a record of one empty quoted field is not blank.
            if (!blank) return true;
        }
    }

    private bool ReadRecord(CsvRecord fields, out bool blank)
    {
        blank = false;
        int c = Next();
        if (c < 0) return false;
        if (c is '\n' or '\r')
        {
            ConsumeLineEnd(c);
            blank = true;
            return true;
        }

        bool quoted = false, afterQuote = false, fieldWasQuoted = false;
        long quoteLine = _line;
        while (true)
        {
            if (quoted)
            {
                if (c < 0)
                    throw new DataValidationException(
                        $"{_source}: a quoted field that opens on line {quoteLine} is never closed (reached the end of the input); close it with '\"' and write quotes inside it as '\"\"'");
                if (c == '"')
                {
                    if (Peek() == '"') { Next(); fields.Append('"'); }
                    else { quoted = false; afterQuote = true; }
                }
                else
                {
                    if (c == '\n' || (c == '\r' && Peek() != '\n')) _line++;
                    fields.Append((char)c);
                }
            }
            else if (c < 0 || c == '\n' || c == '\r')
            {
                fields.EndField();
                if (c >= 0) ConsumeLineEnd(c);
                return true;
            }
            else if (c == _separator)
            {
                fields.EndField();
                afterQuote = fieldWasQuoted = false;
            }
            else if (afterQuote)
            {
                throw new DataValidationException(
                    $"{_source}: line {_line}: unexpected character '{(char)c}' after the closing quote of field {fields.Count + 1}; a quoted field must be followed by '{_separator}' or the end of the line");
            }
            else if (c == '"' && fields.CurrentFieldLength == 0 && !fieldWasQuoted)
            {
                quoted = fieldWasQuoted = true;
                quoteLine = _line;
            }
            else
            {
                fields.Append((char)c);
                // Inside an unquoted field nothing but a separator or line end is special: copy the run at once.
                var rest = _buffer.AsSpan(_position, _length - _position);
                int run = rest.IndexOfAny(_fieldEnds);
                if (run < 0) run = rest.Length;
                fields.Append(rest[..run]);
                _position += run;
            }
            c = Next();
        }
    }

    private void ConsumeLineEnd(int c)
    {
        if (c == '\r' && Peek() == '\n') Next();
        _line++;
    }

    private int Next()
    {
        if (_position == _length && !Fill()) return -1;
        return _buffer[_position++];
    }

    private int Peek()
    {
        if (_position == _length && !Fill()) return -1;
        return _buffer[_position];
    }

    private bool Fill()
    {
        _length = _reader.Read(_buffer, 0, _buffer.Length);
        _position = 0;
        return _length > 0;
    }
}
