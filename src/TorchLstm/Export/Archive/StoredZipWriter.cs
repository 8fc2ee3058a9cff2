using System.Buffers.Binary;
using System.Text;

namespace TorchLstm.Export.Archive;

/// <summary>
/// Writes a zip file whose entries are stored uncompressed with their data starting on 64-byte
/// boundaries, the layout torch's PyTorchStreamWriter produces: libtorch can then read (or map)
/// tensor storages in place. Padding goes into an extra field with id "FB", as torch does it.
/// Sizes and CRCs are written in the local headers (no data descriptors); zip64 is not needed for
/// model sizes this library produces and is refused with a clear error rather than written wrong.
/// </summary>
internal sealed class StoredZipWriter
{
    /// <summary>The alignment torch uses for record data (kFieldAlignment in inline_container.cc).</summary>
    public const int DataAlignment = 64;

    private const ushort PaddingFieldId = 0x4246; // "FB" little-endian
    private const ushort VersionNeeded = 20;
    private const ushort DosDate1980 = (1 << 5) | 1; // 1980-01-01: reproducible archives, no clock
    private readonly Stream _output;
    private readonly List<(string Name, uint Crc, uint Size, uint HeaderOffset)> _entries = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private bool _finished;

    public StoredZipWriter(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("the zip output stream must be writable", nameof(output));
        _output = output;
    }

    /// <summary>Appends one stored entry.</summary>
    public void AddEntry(string name, ReadOnlySpan<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_finished) throw new InvalidOperationException("the zip is finished; no entry can be added");
        if (!_names.Add(name)) throw new ArgumentException($"the zip already has an entry named '{name}'", nameof(name));
        long headerOffset = _output.Position;
        if (headerOffset + data.Length + DataAlignment * 2 > uint.MaxValue)
            throw new NotSupportedException($"zip entry '{name}' would end past 4 GiB; archives that large need zip64, which this writer does not produce");

        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        long unpaddedDataOffset = headerOffset + 30 + nameBytes.Length + 4;
        int padding = (int)((DataAlignment - unpaddedDataOffset % DataAlignment) % DataAlignment);
        uint crc = System.IO.Hashing.Crc32.HashToUInt32(data);

        Span<byte> header = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(header[0..], 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], VersionNeeded);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0); // flags
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], 0); // method: stored
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], 0); // time
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], DosDate1980);
        BinaryPrimitives.WriteUInt32LittleEndian(header[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[18..], (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[22..], (uint)data.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)(4 + padding));
        _output.Write(header);
        _output.Write(nameBytes);

        Span<byte> extra = stackalloc byte[4 + padding];
        BinaryPrimitives.WriteUInt16LittleEndian(extra[0..], PaddingFieldId);
        BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)padding);
        extra[4..].Fill((byte)'Z');
        _output.Write(extra);
        _output.Write(data);
        _entries.Add((name, crc, (uint)data.Length, (uint)headerOffset));
    }

    /// <summary>Writes the central directory and end record; the stream is left open.</summary>
    public void Finish()
    {
        if (_finished) return;
        if (_entries.Count > ushort.MaxValue)
            throw new NotSupportedException($"{_entries.Count} zip entries exceed the 65535 a zip without zip64 can hold");
        long directoryOffset = _output.Position;
        Span<byte> record = stackalloc byte[46];
        foreach (var entry in _entries)
        {
            byte[] nameBytes = Encoding.UTF8.GetBytes(entry.Name);
            record.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(record[0..], 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(record[4..], VersionNeeded); // made by
            BinaryPrimitives.WriteUInt16LittleEndian(record[6..], VersionNeeded);
            BinaryPrimitives.WriteUInt16LittleEndian(record[14..], DosDate1980);
            BinaryPrimitives.WriteUInt32LittleEndian(record[16..], entry.Crc);
            BinaryPrimitives.WriteUInt32LittleEndian(record[20..], entry.Size);
            BinaryPrimitives.WriteUInt32LittleEndian(record[24..], entry.Size);
            BinaryPrimitives.WriteUInt16LittleEndian(record[28..], (ushort)nameBytes.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[42..], entry.HeaderOffset);
            _output.Write(record);
            _output.Write(nameBytes);
        }
        long directorySize = _output.Position - directoryOffset;
        if (_output.Position > uint.MaxValue)
            throw new NotSupportedException("the zip central directory ends past 4 GiB; that needs zip64, which this writer does not produce");

        Span<byte> end = stackalloc byte[22];
        end.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(end[0..], 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], (uint)directorySize);
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], (uint)directoryOffset);
        _output.Write(end);
        _finished = true;
    }
}
