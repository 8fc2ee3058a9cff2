using System.Text.Json.Nodes;

namespace TorchLstm.NotebookRunner;

/// <summary>Something a cell produced: printed text, a displayed value, or the value of its last expression.</summary>
public abstract record CellOutput
{
    /// <summary>The output in nbformat 4's JSON form.</summary>
    public abstract JsonObject ToJson(int executionCount);
}

/// <summary>Text written to the console while the cell ran.</summary>
/// <param name="StreamName"><c>stdout</c> or <c>stderr</c>.</param>
/// <param name="Text">What was written, in order.</param>
public sealed record StreamOutput(string StreamName, string Text) : CellOutput
{
    /// <inheritdoc/>
    public override JsonObject ToJson(int executionCount) => new()
    {
        ["output_type"] = "stream",
        ["name"] = StreamName,
        ["text"] = NotebookDocument.ToLines(Text),
    };
}

/// <summary>
/// A value shown through <c>display(...)</c> (<see cref="IsResult"/> false) or as the cell's last
/// expression (true), keyed by MIME type: <c>text/plain</c> always, plus <c>image/png</c> (base64),
/// <c>text/markdown</c> or <c>text/html</c> when the value has such a form.
/// </summary>
/// <param name="Data">MIME type → content.</param>
/// <param name="IsResult">Whether this is the cell's result (<c>execute_result</c>) rather than a display (<c>display_data</c>).</param>
public sealed record RichOutput(IReadOnlyDictionary<string, string> Data, bool IsResult) : CellOutput
{
    /// <summary>The plain-text form.</summary>
    public string PlainText => Data.TryGetValue(MimeTypes.PlainText, out var text) ? text : "";

    /// <inheritdoc/>
    public override JsonObject ToJson(int executionCount)
    {
        var data = new JsonObject();
        foreach (var (mime, content) in Data.OrderBy(d => d.Key, StringComparer.Ordinal))
            data[mime] = mime == MimeTypes.Png ? content : NotebookDocument.ToLines(content);
        var output = new JsonObject
        {
            ["output_type"] = IsResult ? "execute_result" : "display_data",
            ["data"] = data,
            ["metadata"] = new JsonObject(),
        };
        if (IsResult) output["execution_count"] = executionCount;
        return output;
    }
}

/// <summary>The MIME types the runner produces.</summary>
public static class MimeTypes
{
    /// <summary>Plain text.</summary>
    public const string PlainText = "text/plain";
    /// <summary>Markdown, rendered by Jupyter, VS Code and GitHub.</summary>
    public const string Markdown = "text/markdown";
    /// <summary>HTML.</summary>
    public const string Html = "text/html";
    /// <summary>A PNG image, stored base64-encoded.</summary>
    public const string Png = "image/png";
}

/// <summary>What one code cell did.</summary>
/// <param name="Cell">The cell.</param>
/// <param name="ExecutionCount">1-based order of execution among the notebook's code cells that ran.</param>
/// <param name="Outputs">Outputs in the order they were produced.</param>
/// <param name="Elapsed">Wall-clock time of the cell.</param>
public sealed record CellResult(NotebookCell Cell, int ExecutionCount, IReadOnlyList<CellOutput> Outputs, TimeSpan Elapsed);

/// <summary>The outcome of running a whole notebook.</summary>
/// <param name="Notebook">The notebook that ran.</param>
/// <param name="Cells">One result per executed code cell.</param>
/// <param name="Elapsed">Wall-clock time of the whole run.</param>
public sealed record NotebookResult(NotebookDocument Notebook, IReadOnlyList<CellResult> Cells, TimeSpan Elapsed);
