namespace TorchLstm.NotebookRunner;

/// <summary>
/// What a notebook's code sees besides its own variables: the <c>display</c> function of .NET Interactive.
/// </summary>
public sealed class NotebookGlobals
{
    private readonly Func<OutputCollector?> _collector;

    internal NotebookGlobals(Func<OutputCollector?> collector) => _collector = collector;

    /// <summary>
    /// Shows <paramref name="value"/> below the cell: text, a <c>MarkdownText</c>, a <c>MarkdownTable</c>,
    /// a <c>DataFrame</c> (as a table), or a <c>PngImage</c> (as a picture). The lower-case name is .NET
    /// Interactive's, so notebooks run unchanged in both places.
    /// </summary>
    /// <param name="value">The value to show.</param>
    /// <param name="mimeTypes">Optionally <c>"text/markdown"</c> or <c>"text/html"</c> to show a string rendered.</param>
#pragma warning disable IDE1006 // The name must match .NET Interactive's display().
    public void display(object? value, params string[] mimeTypes)
#pragma warning restore IDE1006
    {
        var collector = _collector()
            ?? throw new InvalidOperationException("display(...) was called outside a running cell (for example from a background task that outlived its cell).");
        collector.Add(new RichOutput(OutputFormatter.Format(value, mimeTypes.FirstOrDefault()), IsResult: false));
    }
}
