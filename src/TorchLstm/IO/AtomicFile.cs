using System.Text.Json;
using System.Text.Json.Nodes;

namespace TorchLstm.IO;

/// <summary>Writes a file so that readers see either the old complete file or the new complete file.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Runs <paramref name="write"/> on a temporary file in the destination's folder, flushes it to
    /// disk, renames it over <paramref name="path"/> and flushes the folder (so the rename itself is on
    /// disk and the new file survives a power loss, not only a killed process). If <paramref name="write"/> throws, the
    /// temporary file is deleted and an existing file at <paramref name="path"/> is left untouched.
    /// </summary>
    /// <remarks>The temporary file lives in the same folder because a rename is only atomic within one file system.</remarks>
    /// <param name="path">Final file name.</param>
    /// <param name="write">Writes the content; it must not close the stream's owner beyond the call.</param>
    /// <param name="createDirectory">Create a missing destination folder; when false a missing folder is an error.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder is missing and <paramref name="createDirectory"/> is false.</exception>
    public static void Write(string path, Action<Stream> write, bool createDirectory = true) => Write(path, write, beforeRename: null, createDirectory);

    /// <summary>As <see cref="Write(string, Action{Stream}, bool)"/>, calling <paramref name="beforeRename"/> with the complete temporary file's path just before the rename (a fault-injection point for crash tests).</summary>
    internal static void Write(string path, Action<Stream> write, Action<string>? beforeRename, bool createDirectory = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath) ?? ".";
        if (createDirectory)
            Directory.CreateDirectory(directory);
        else if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"cannot write '{path}': directory '{directory}' does not exist");
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            beforeRename?.Invoke(temporary);
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        _ = DirectorySync.Flush(directory);
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) through <see cref="Write(string, Action{Stream}, bool)"/>.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, stream => stream.Write(new System.Text.UTF8Encoding(false).GetBytes(text)));
    }

    /// <summary>Writes <paramref name="json"/> indented as UTF-8 through <see cref="Write(string, Action{Stream}, bool)"/>.</summary>
    /// <remarks>Uses <see cref="JsonNode.WriteTo"/>, which needs no reflection, so it works in trimmed and native-AOT apps.</remarks>
    public static void WriteJson(string path, JsonNode json)
    {
        ArgumentNullException.ThrowIfNull(json);
        Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteTo(writer);
            writer.Flush();
            stream.WriteByte((byte)'\n');
        });
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // The original error matters more than a leftover hidden temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
