using System.Globalization;
using System.Net;
using System.Text;
using TorchLstm.Experiments;
using TorchLstm.Models;
using TorchLstm.Reporting;
using TorchLstm.Training;

namespace TorchLstm.Notebooks;

/// <summary>HTML for the library's types in a notebook: real tables, and charts drawn as inline SVG (no files, no scripts).</summary>
internal static partial class NotebookHtml
{
    /// <summary>At most this many epochs are listed in a history's table: the first ones and the last ones.</summary>
    internal const int MaxTableEpochs = 30;

    public static bool TryWrite(object value, TextWriter writer)
    {
        switch (value)
        {
            case MarkdownTable table:
                var (cells, rightAligned) = table.FormattedCells();
                writer.Write(Table(table.Headers, cells.Select(row => row.Select(Unescape).ToArray()).ToList(), rightAligned));
                return true;
            case ModelSummary summary:
                writer.Write(Summary(summary));
                return true;
            case History history:
                writer.Write(HistoryView(history));
                return true;
            case ForecastResult forecast:
                writer.Write(Forecast(forecast));
                return true;
            case Translation translation:
                writer.Write(Attention(translation));
                return true;
            case TrainingProgress progress:
                writer.Write(progress.ToHtml());
                return true;
            default:
                return false;
        }
    }

    /// <summary>An HTML table; numeric columns right-aligned.</summary>
    internal static string Table(IReadOnlyList<string> headers, IReadOnlyList<string[]> rows, IReadOnlyList<bool> rightAligned)
    {
        var html = new StringBuilder("<table>\n<thead><tr>");
        for (int c = 0; c < headers.Count; c++)
            html.Append(Cell("th", headers[c], rightAligned[c]));
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            for (int c = 0; c < row.Length; c++) html.Append(Cell("td", row[c], rightAligned[c]));
            html.Append("</tr>\n");
        }
        return html.Append("</tbody>\n</table>").ToString();

        static string Cell(string tag, string text, bool right) =>
            $"<{tag}{(right ? " style=\"text-align:right\"" : "")}>{WebUtility.HtmlEncode(text)}</{tag}>";
    }

    private static string Summary(ModelSummary summary)
    {
        var rows = summary.Layers
            .Select(l => new[] { l.Name, l.Type, l.FormatOutputShape(summary.Style), l.Parameters.ToString("N0", CultureInfo.InvariantCulture) })
            .ToList();
        var html = new StringBuilder();
        html.Append("<div><strong>Model: ").Append(WebUtility.HtmlEncode(summary.ModelName)).Append("</strong>\n");
        html.Append(Table(["Layer", "Type", "Output shape", "Param #"], rows, [false, false, false, true])).Append('\n');
        html.Append("<ul>");
        foreach (var line in summary.TotalsLines()) html.Append("<li>").Append(WebUtility.HtmlEncode(line)).Append("</li>");
        return html.Append("</ul></div>").ToString();
    }

    private static string HistoryView(History history)
    {
        var html = new StringBuilder("<div>");
        if (history.Count == 0) return html.Append("<em>No epoch has finished.</em></div>").ToString();
        html.Append(LossChart(history, width: 560, height: 240));
        var learningRates = history.Series(LogNames.LearningRate);
        if (learningRates.Distinct().Count() > 1)
            html.Append('\n').Append(SvgChart.Lines([new("lr", learningRates)], width: 560, height: 120, logScale: true, title: "learning rate"));

        var keys = history.Keys;
        var shown = history.Epochs.Count <= MaxTableEpochs
            ? history.Epochs.ToList()
            : [.. history.Epochs.Take(MaxTableEpochs / 2), .. history.Epochs.TakeLast(MaxTableEpochs / 2)];
        var rows = new List<string[]>();
        for (int i = 0; i < shown.Count; i++)
        {
            if (i > 0 && shown[i].Epoch != shown[i - 1].Epoch + 1)
                rows.Add([.. Enumerable.Repeat("…", keys.Count + 1)]);
            var epoch = shown[i];
            rows.Add([epoch.Epoch.ToString(CultureInfo.InvariantCulture),
                .. keys.Select(k => epoch.TryGet(k, out double v) ? FormatLogged(k, v) : "")]);
        }
        html.Append('\n').Append(Table(["epoch", .. keys], rows, [.. Enumerable.Repeat(true, keys.Count + 1)]));
        if (history.StopMessage is { } message)
            html.Append("\n<p>").Append(WebUtility.HtmlEncode(message)).Append("</p>");
        else if (history.BestEpoch is { } best)
            html.Append("\n<p>best epoch: ").Append(best.ToString(CultureInfo.InvariantCulture)).Append("</p>");
        return html.Append("</div>").ToString();
    }

    /// <summary>loss and, when logged, val_loss per epoch, with the best epoch marked.</summary>
    internal static string LossChart(History history, int width, int height) =>
        LossChart(history.Series(LogNames.Loss),
            history.Keys.Contains(LogNames.ValidationLoss) ? history.Series(LogNames.ValidationLoss) : null,
            history.BestEpoch, width, height);

    /// <inheritdoc cref="LossChart(History, int, int)"/>
    internal static string LossChart(IReadOnlyList<double> loss, IReadOnlyList<double>? validationLoss, int? bestEpoch, int width, int height)
    {
        var series = new List<SvgChart.Series> { new(LogNames.Loss, loss) };
        if (validationLoss is not null) series.Add(new(LogNames.ValidationLoss, validationLoss));
        return SvgChart.Lines(series, width, height, logScale: false, title: "loss per epoch", markedIndex: bestEpoch - 1);
    }

    internal static string FormatLogged(string key, double value) => key switch
    {
        LogNames.LearningRate => value.ToString("0.0#e+00", CultureInfo.InvariantCulture),
        LogNames.Seconds => value.ToString("0.00", CultureInfo.InvariantCulture),
        _ => ProgressReporter.FormatValue(value),
    };

    // MarkdownTable escapes '|' for markdown; a HTML cell shows the character itself.
    private static string Unescape(string markdownCell) => markdownCell.Replace("\\|", "|", StringComparison.Ordinal);
}
