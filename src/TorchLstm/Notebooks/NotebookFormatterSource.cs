using System.Net;

namespace TorchLstm.Notebooks;

// .NET Interactive matches formatter sources by the attribute's name and formatters by shape
// (a MimeType property and a Format(object, TextWriter) method), so these need no package reference.

[AttributeUsage(AttributeTargets.Class)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    public Type FormatterSourceType { get; } = formatterSourceType;

    public string[] PreferredMimeTypes { get; set; } = ["text/html"];
}

internal sealed class NotebookFormatterSource
{
    public IEnumerable<object> CreateTypeFormatters()
    {
        yield return new HtmlFormatter();
        yield return new PlainTextFormatter();
    }

    private sealed class HtmlFormatter
    {
        public string MimeType => "text/html";

        public bool Format(object instance, TextWriter writer)
        {
            switch (instance)
            {
                case PngImage image:
                    writer.Write($"<img src=\"data:image/png;base64,{image.ToBase64()}\" alt=\"{WebUtility.HtmlEncode(image.ToString())}\"/>");
                    return true;
                case MarkdownText markdown:
                    // Without a markdown renderer at hand, preformatted text keeps tables aligned.
                    writer.Write($"<pre>{WebUtility.HtmlEncode(markdown.Markdown)}</pre>");
                    return true;
                default:
                    return false;
            }
        }
    }

    private sealed class PlainTextFormatter
    {
        public string MimeType => "text/plain";

        public bool Format(object instance, TextWriter writer)
        {
            if (instance is not (PngImage or MarkdownText)) return false;
            writer.Write(instance.ToString());
            return true;
        }
    }
}
