using System.Text.Json;
using System.Text.Json.Nodes;
using TorchLstm.IO;

namespace TorchLstm.Data.Text;

/// <summary>JSON files written through a temporary sibling and a rename.</summary>
internal static class JsonFiles
{

    internal static void WriteAtomically(string path, JsonNode json)
    {
        AtomicFile.WriteJson(path, json);
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
