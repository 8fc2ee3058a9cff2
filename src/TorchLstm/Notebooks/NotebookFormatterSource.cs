namespace TorchLstm.Notebooks;

// .NET Interactive finds formatter sources by the attribute's name and formatters by shape (a
// MimeType property and a Format(object, TextWriter) method), so the library needs no reference to
// .NET Interactive: referencing the package in a notebook is all it takes.

/// <summary>Names the formatter source and the MIME types .NET Interactive shows a type with.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    public Type FormatterSourceType { get; } = formatterSourceType;

    public string[] PreferredMimeTypes { get; set; } = [NotebookFormatterSource.Html];
}

/// <summary>How the library's own types look in a notebook: tables, charts, images, live progress.</summary>
internal sealed class NotebookFormatterSource
{
    public const string Html = "text/html";
    public const string PlainText = "text/plain";
    public const string Markdown = "text/markdown";
    public const string Png = "image/png";

    public IEnumerable<object> CreateTypeFormatters()
    {
        KernelFormatters.RegisterWhenInKernel();
        yield return new Formatter(Html, NotebookHtml.TryWrite);
        yield return new Formatter(Markdown, (value, writer) =>
        {
            if (value is not MarkdownText markdown) return false;
            writer.Write(markdown.Markdown);
            return true;
        });
        yield return new Formatter(Png, (value, writer) =>
        {
            if (value is not PngImage image) return false;
            writer.Write(image.ToBase64()); // notebooks store images base64-encoded
            return true;
        });
        yield return new Formatter(PlainText, (value, writer) =>
        {
            writer.Write(value switch
            {
                // Records would print their properties: show what a reader wants instead.
                TorchLstm.Models.Translation t => $"{t.Source} → {t.Text}",
                TorchLstm.Experiments.ForecastResult r => string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"test RMSE {r.Rmse:F4} (persistence {r.BaselineRmse:F4}), MAE {r.Mae:F4} (persistence {r.BaselineMae:F4})"),
                _ => value?.ToString(),
            });
            return value is not null;
        });
    }

    private sealed class Formatter(string mimeType, Func<object, TextWriter, bool> format)
    {
        public string MimeType { get; } = mimeType;

        public bool Format(object instance, TextWriter writer) => format(instance, writer);
    }
}
