using System.Text.Json;
using System.Text.Json.Nodes;

namespace TorchLstm.Data.Text;

/// <summary>JSON files written through a temporary sibling and a rename.</summary>
internal static class JsonFiles
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    internal static void WriteAtomically(string path, JsonNode json)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        Export.Archive.AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteTo(writer, Indented);
        });
    }

    internal static JsonNode Read(string path, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No {what} file at '{path}'.", path);
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) ?? throw new ArgumentException($"The {what} file '{path}' holds JSON null.", nameof(path));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The {what} file '{path}' is not valid JSON: {e.Message}", nameof(path), e);
        }
    }
}
