using System.Security.Cryptography;
using System.Text;

namespace TorchLstm.Training;

/// <summary>
/// The byte layout of a training checkpoint: a magic line, a format version, named sections, and a
/// SHA-256 of everything before it. The checksum is what turns a truncated or bit-flipped file into
/// a clear <see cref="CheckpointException"/> instead of garbage weights or a native error.
/// </summary>
internal static class CheckpointContainer
{
    public const int FormatVersion = 1;
    private static readonly byte[] Magic = "TORCHLSTM-CHECKPOINT\n"u8.ToArray();
    private const int HashLength = 32;

    public static void Write(Stream stream, IReadOnlyList<(string Name, byte[] Data)> sections)
    {
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(sections.Count);
            foreach (var (name, data) in sections)
            {
                writer.Write(name);
                writer.Write(data.LongLength);
                writer.Write(data);
            }
        }
        byte[] content = body.ToArray();
        stream.Write(content);
        stream.Write(SHA256.HashData(content));
    }

    /// <exception cref="CheckpointException">The file is missing, truncated, corrupted or of another format version.</exception>
    public static Dictionary<string, byte[]> Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CheckpointException(path, "the file does not exist; expected a file written by ExperimentRunner.Fit with TrainingOptions.CheckpointDirectory", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, $"the file cannot be read ({e.Message})", e);
        }

        if (bytes.Length < Magic.Length + HashLength || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointException(path, $"not a TorchLstm training checkpoint ({bytes.Length} bytes, no 'TORCHLSTM-CHECKPOINT' header); " +
                "it may be truncated, or another kind of file (model weights from ModelCheckpoint load with module.load)");
        var content = bytes.AsSpan(0, bytes.Length - HashLength);
        if (!SHA256.HashData(content).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - HashLength)))
            throw new CheckpointException(path, $"the file is truncated or corrupted: its SHA-256 checksum does not match its {bytes.Length} bytes; " +
                "resume from an earlier checkpoint or start afresh");

        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, 0, content.Length, writable: false), Encoding.UTF8);
            reader.ReadBytes(Magic.Length);
            int version = reader.ReadInt32();
            if (version != FormatVersion)
                throw new CheckpointException(path, $"format version {version} is not supported; this library reads version {FormatVersion}");
            int count = reader.ReadInt32();
            var sections = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                long length = reader.ReadInt64();
                sections[name] = reader.ReadBytes(checked((int)length));
                if (sections[name].Length != length) throw new EndOfStreamException($"section '{name}' is cut short");
            }
            return sections;
        }
        catch (Exception e) when (e is EndOfStreamException or OverflowException or IOException)
        {
            throw new CheckpointException(path, $"the file's sections are malformed ({e.Message})", e);
        }
    }
}
