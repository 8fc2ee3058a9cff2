namespace TorchLstm.Notebooks;

/// <summary>
/// Markdown to show rendered in a notebook, such as a <see cref="TorchLstm.Reporting.MarkdownTable"/>:
/// <c>display(new MarkdownText(table.ToString()))</c>. Stored as a <c>text/markdown</c> output, so
/// tables read well on GitHub.
/// </summary>
/// <param name="Markdown">The markdown source.</param>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = [NotebookFormatterSource.Markdown, NotebookFormatterSource.PlainText])]
public sealed record MarkdownText(string Markdown)
{
    /// <summary>The markdown source, which is also its plain-text form.</summary>
    public override string ToString() => Markdown;
}
