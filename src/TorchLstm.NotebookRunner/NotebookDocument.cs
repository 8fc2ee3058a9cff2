using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TorchLstm.NotebookRunner;

/// <summary>The kind of a notebook cell, as Jupyter's <c>cell_type</c> names it.</summary>
public enum NotebookCellKind
{
    /// <summary>Code run by a kernel.</summary>
    Code,
    /// <summary>Prose rendered as markdown.</summary>
    Markdown,
    /// <summary>Text passed through untouched.</summary>
    Raw,
}

/// <summary>One cell of a notebook.</summary>
/// <param name="Number">1-based position among all cells, as a reader counts them.</param>
/// <param name="Kind">Code, markdown or raw.</param>
/// <param name="Language">The cell's kernel language (<c>metadata.dotnet_interactive.language</c>), or the notebook's language when absent.</param>
/// <param name="Source">The cell's text.</param>
public sealed record NotebookCell(int Number, NotebookCellKind Kind, string Language, string Source);

/// <summary>
/// A Jupyter notebook (<c>.ipynb</c>, nbformat 4) read for execution; outputs can be written back
/// without disturbing anything else in the file.
/// </summary>
public sealed class NotebookDocument
{
    // A writer rather than serializer options: apps that turn reflection-based serialization off
    // (file-based apps do) can still write nodes this way.
    private static readonly JsonWriterOptions WriteOptions = new()
    {
        Indented = true,
        IndentSize = 1,
        // Notebooks hold prose with quotes, arrows and accents: keep them readable in diffs.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly JsonObject _root;

    private NotebookDocument(string name, string? path, JsonObject root, IReadOnlyList<NotebookCell> cells, string language)
    {
        Name = name;
        Path = path;
        _root = root;
        Cells = cells;
        Language = language;
    }

    /// <summary>The notebook's file name (used in error messages).</summary>
    public string Name { get; }

    /// <summary>Full path of the file it was read from, or null when parsed from text.</summary>
    public string? Path { get; }

    /// <summary>All cells in order.</summary>
    public IReadOnlyList<NotebookCell> Cells { get; }

    /// <summary>The notebook's default language (<c>metadata.kernelspec.language</c>, else <c>C#</c>).</summary>
    public string Language { get; }

    /// <summary>The kernel name (<c>metadata.kernelspec.name</c>), or null when absent.</summary>
    public string? KernelName => _root["metadata"]?["kernelspec"]?["name"]?.GetValue<string>();

    /// <summary>Reads a notebook file.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an nbformat 4 notebook.</exception>
    public static NotebookDocument Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No notebook at '{path}'.", path);
        string full = System.IO.Path.GetFullPath(path);
        return Parse(File.ReadAllText(full), System.IO.Path.GetFileName(full), full);
    }

    /// <summary>Parses notebook JSON.</summary>
    /// <param name="json">The <c>.ipynb</c> text.</param>
    /// <param name="name">Name used in error messages.</param>
    /// <param name="path">Where it came from, if a file.</param>
    /// <exception cref="InvalidDataException">The text is not an nbformat 4 notebook.</exception>
    public static NotebookDocument Parse(string json, string name, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject
                ?? throw new InvalidDataException($"{name} is not a notebook: its JSON is not an object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name} is not valid JSON: {e.Message}", e);
        }
        if (root["nbformat"]?.GetValueKind() != JsonValueKind.Number || root["nbformat"]!.GetValue<int>() != 4)
            throw new InvalidDataException($"{name} is not an nbformat 4 notebook (nbformat is '{root["nbformat"]?.ToJsonString() ?? "missing"}').");
        if (root["cells"] is not JsonArray cellArray)
            throw new InvalidDataException($"{name} has no 'cells' array.");

        string language = root["metadata"]?["kernelspec"]?["language"]?.GetValue<string>() ?? "C#";
        var cells = new List<NotebookCell>(cellArray.Count);
        foreach (var node in cellArray)
        {
            int number = cells.Count + 1;
            if (node is not JsonObject cell)
                throw new InvalidDataException($"{name}: cell {number} is not a JSON object.");
            var kind = cell["cell_type"]?.GetValue<string>() switch
            {
                "code" => NotebookCellKind.Code,
                "markdown" => NotebookCellKind.Markdown,
                "raw" => NotebookCellKind.Raw,
                var other => throw new InvalidDataException($"{name}: cell {number} has cell_type '{other ?? "missing"}'; expected code, markdown or raw."),
            };
            string cellLanguage = cell["metadata"]?["dotnet_interactive"]?["language"]?.GetValue<string>() ?? language;
            cells.Add(new NotebookCell(number, kind, cellLanguage, ReadSource(cell["source"], name, number)));
        }
        return new NotebookDocument(name, path, root, cells, language);
    }

    /// <summary>
    /// The notebook as <c>.ipynb</c> text with each executed code cell's outputs and execution count
    /// replaced by <paramref name="result"/>'s; code cells that did not run get empty outputs.
    /// </summary>
    public string ToJson(NotebookResult? result = null)
    {
        var root = (JsonObject)_root.DeepClone();
        var cellArray = (JsonArray)root["cells"]!;
        var byNumber = result?.Cells.ToDictionary(c => c.Cell.Number) ?? [];
        for (int i = 0; i < cellArray.Count; i++)
        {
            var cell = (JsonObject)cellArray[i]!;
            if (Cells[i].Kind != NotebookCellKind.Code) continue;
            if (byNumber.TryGetValue(Cells[i].Number, out var executed))
            {
                cell["execution_count"] = executed.ExecutionCount;
                cell["outputs"] = new JsonArray(executed.Outputs.Select(o => o.ToJson(executed.ExecutionCount)).ToArray());
            }
            else
            {
                cell["execution_count"] = null;
                cell["outputs"] = new JsonArray();
            }
        }
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriteOptions))
            root.WriteTo(writer);
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> through a temporary file, so a reader never sees half a notebook.</summary>
    public void Save(string path, NotebookResult? result = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, ToJson(result), new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Splits text into Jupyter's list-of-lines form (each line keeps its newline).</summary>
    internal static JsonArray ToLines(string text)
    {
        var lines = new JsonArray();
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            lines.Add(JsonValue.Create(text[start..end]));
            start = end;
        }
        return lines;
    }

    private static string ReadSource(JsonNode? source, string name, int number) => source switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => throw new InvalidDataException($"{name}: cell {number}'s source is neither a string nor a list of strings."),
    };
}
