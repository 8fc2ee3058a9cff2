using System.Buffers.Binary;
using System.Text;

namespace TorchLstm.Native;

/// <summary>
/// Reads and edits the version-needs section (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF
/// shared library held in memory.
/// </summary>
/// <remarks>
/// glibc's loader refuses a library that needs a symbol version its provider lacks, unless the
/// entry for that version carries <c>VER_FLG_WEAK</c>. TorchSharp 0.107's native glue names
/// <c>GLIBCXX_3.4.32</c> (GCC 13) only as a link-time marker, so flagging that one entry weak lets it
/// load against GCC 12's libstdc++ while changing nothing else in the file.
/// </remarks>
internal static class ElfVersionNeeds
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    /// <summary>One entry of the version-needs section: a version that a library requires of another.</summary>
    /// <param name="File">The library that must provide the version, for example <c>libstdc++.so.6</c>.</param>
    /// <param name="Version">The version name, for example <c>GLIBCXX_3.4.32</c>.</param>
    /// <param name="Flags">The raw <c>vna_flags</c> value (2 means weak).</param>
    /// <param name="FlagsOffset">Byte offset of <c>vna_flags</c> in the file.</param>
    public sealed record Entry(string File, string Version, ushort Flags, int FlagsOffset)
    {
        /// <summary>Whether a missing version is tolerated by the loader.</summary>
        public bool IsWeak => (Flags & VerFlagWeak) != 0;
    }

    /// <summary>Lists every version-needs entry of an ELF64 little-endian image.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an ELF64 little-endian image with a version-needs section.</exception>
    public static IReadOnlyList<Entry> Read(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file (bad magic number)");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

        long sectionHeadersOffset = checked((long)U64(elf, 0x28));
        int sectionHeaderSize = U16(elf, 0x3a);
        int sectionCount = U16(elf, 0x3c);
        if (sectionHeaderSize < 64 || sectionHeadersOffset + (long)sectionHeaderSize * sectionCount > elf.Length)
            throw new InvalidDataException("section header table lies outside the file");

        for (int s = 0; s < sectionCount; s++)
        {
            int header = checked((int)(sectionHeadersOffset + (long)s * sectionHeaderSize));
            if (U32(elf, header + 4) != ShtGnuVerneed) continue;

            int start = checked((int)U64(elf, header + 0x18));
            int linkedStrings = (int)U32(elf, header + 0x28);
            int needCount = (int)U32(elf, header + 0x2c);
            int stringsHeader = checked((int)(sectionHeadersOffset + (long)linkedStrings * sectionHeaderSize));
            int strings = checked((int)U64(elf, stringsHeader + 0x18));
            return ReadNeeds(elf, start, needCount, strings);
        }
        throw new InvalidDataException("no version-needs section (SHT_GNU_verneed) found");
    }

    private static List<Entry> ReadNeeds(ReadOnlySpan<byte> elf, int start, int needCount, int strings)
    {
        var entries = new List<Entry>();
        int need = start;
        for (int n = 0; n < needCount; n++)
        {
            int auxCount = U16(elf, need + 2);
            string file = CString(elf, strings + (int)U32(elf, need + 4));
            int aux = need + (int)U32(elf, need + 8);
            for (int a = 0; a < auxCount; a++)
            {
                ushort flags = U16(elf, aux + 4);
                string version = CString(elf, strings + (int)U32(elf, aux + 8));
                entries.Add(new Entry(file, version, flags, aux + 4));
                aux += (int)U32(elf, aux + 12);
            }
            int next = (int)U32(elf, need + 12);
            if (next == 0) break;
            need += next;
        }
        return entries;
    }

    /// <summary>
    /// Flags as weak the entry for <paramref name="version"/> required of <paramref name="file"/>.
    /// </summary>
    /// <returns>True when the entry was found (whether or not it was already weak).</returns>
    public static bool MarkWeak(Span<byte> elf, string file, string version)
    {
        foreach (var entry in Read(elf))
        {
            if (entry.File != file || entry.Version != version) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(elf[entry.FlagsOffset..], (ushort)(entry.Flags | VerFlagWeak));
            return true;
        }
        return false;
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(b, at, 2));
    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(b, at, 4));
    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(Slice(b, at, 8));

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> b, int at, int length) =>
        at >= 0 && at + length <= b.Length ? b.Slice(at, length) : throw new InvalidDataException($"ELF structure points outside the file (offset {at})");

    private static string CString(ReadOnlySpan<byte> b, int at)
    {
        if (at < 0 || at >= b.Length) throw new InvalidDataException($"ELF string offset {at} lies outside the file");
        int end = b[at..].IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException($"unterminated ELF string at offset {at}");
        return Encoding.ASCII.GetString(b.Slice(at, end));
    }
}
