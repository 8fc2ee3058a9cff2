using System.Collections;
using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;
using TorchLstm.Notebooks;
using TorchLstm.Reporting;

namespace TorchLstm.NotebookRunner;

/// <summary>Turns a displayed value into MIME-typed content, the way a notebook front end shows it.</summary>
public static class OutputFormatter
{
    /// <summary>How many rows of a data frame are shown before "… n more rows".</summary>
    public const int MaxFrameRows = 20;

    private const int MaxSequenceItems = 20;

    /// <summary>The MIME bundle for <paramref name="value"/>: always <c>text/plain</c>, plus a richer form where there is one.</summary>
    /// <param name="value">The value to show.</param>
    /// <param name="mimeType">A MIME type the caller asked for (as in <c>display(value, "text/markdown")</c>), for strings.</param>
    public static IReadOnlyDictionary<string, string> Format(object? value, string? mimeType = null)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (value)
        {
            case PngImage image:
                data[MimeTypes.Png] = image.ToBase64();
                data[MimeTypes.PlainText] = image.ToString();
                break;
            case MarkdownText markdown:
                data[MimeTypes.Markdown] = markdown.Markdown;
                data[MimeTypes.PlainText] = markdown.Markdown;
                break;
            case MarkdownTable table:
                data[MimeTypes.Markdown] = table.ToString();
                data[MimeTypes.PlainText] = table.ToString();
                break;
            case DataFrame frame:
                data[MimeTypes.Markdown] = FrameToMarkdown(frame);
                data[MimeTypes.PlainText] = FrameToMarkdown(frame);
                break;
            case string text when mimeType is MimeTypes.Markdown or MimeTypes.Html:
                data[mimeType] = text;
                data[MimeTypes.PlainText] = text;
                break;
            default:
                data[MimeTypes.PlainText] = PlainText(value);
                break;
        }
        return data;
    }

    /// <summary>Plain text for any value: invariant-culture numbers, short lists, <c>ToString()</c> otherwise.</summary>
    public static string PlainText(object? value) => value switch
    {
        null => "<null>",
        string text => text,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable sequence => SequenceText(sequence),
        _ => value.ToString() ?? "",
    };

    private static string SequenceText(IEnumerable sequence)
    {
        var items = new List<string>();
        bool more = false;
        foreach (var item in sequence)
        {
            if (items.Count == MaxSequenceItems) { more = true; break; }
            items.Add(PlainText(item));
        }
        return "[" + string.Join(", ", items) + (more ? ", …" : "") + "]";
    }

    private static string FrameToMarkdown(DataFrame frame)
    {
        var headers = frame.Columns.Select(c => c.Name).ToArray();
        if (headers.Length == 0) return "(empty data frame)";
        var table = new MarkdownTable(headers);
        long shown = Math.Min(frame.Rows.Count, MaxFrameRows);
        for (long r = 0; r < shown; r++)
            table.AddRow(frame.Columns.Select(c => c[r]).ToArray());
        var text = new StringBuilder(table.ToString());
        if (frame.Rows.Count > shown)
            text.Append(CultureInfo.InvariantCulture, $"\n… {frame.Rows.Count - shown} more rows ({frame.Rows.Count} in all)\n");
        return text.ToString();
    }
}
