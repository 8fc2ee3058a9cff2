using System.Globalization;
using System.Net;
using System.Text;
using TorchLstm.Experiments;
using TorchLstm.Models;

namespace TorchLstm.Notebooks;

// Results that are best read as a picture: a forecast against its baseline, attention weights.
internal static partial class NotebookHtml
{
    /// <summary>At most this many test steps are drawn in a forecast chart (the last ones).</summary>
    internal const int MaxForecastPoints = 400;

    /// <summary>The test set's truth, the model's forecast and persistence (first horizon step), and the scores of both.</summary>
    internal static string Forecast(ForecastResult result)
    {
        var c = CultureInfo.InvariantCulture;
        int steps = result.Truth.GetLength(0);
        int first = Math.Max(0, steps - MaxForecastPoints);
        double[] Column(double[,] values) => Enumerable.Range(first, steps - first).Select(i => values[i, 0]).ToArray();
        var html = new StringBuilder("<div>");
        html.Append(Table(["forecast", "test RMSE", "test MAE"],
            [["model", result.Rmse.ToString("F4", c), result.Mae.ToString("F4", c)],
             ["persistence (last value)", result.BaselineRmse.ToString("F4", c), result.BaselineMae.ToString("F4", c)]],
            [false, true, true]));
        if (steps > 0)
        {
            string title = first == 0 ? "test set, next step" : $"last {steps - first} of {steps} test steps, next step";
            html.Append('\n').Append(SvgChart.Lines(
                [new("model", Column(result.Predicted)), new("truth", Column(result.Truth)), new("persistence", Column(result.Persistence))],
                width: 640, height: 260, logScale: false, title: title, xLabel: "test step"));
        }
        return html.Append("</div>").ToString();
    }

    /// <summary>A translation and, when the decoder attended, its weights as a heatmap: one row per output token, one column per source token.</summary>
    internal static string Attention(Translation translation)
    {
        var html = new StringBuilder("<div><p><code>").Append(WebUtility.HtmlEncode(translation.Source)).Append("</code> &rarr; <code>")
            .Append(WebUtility.HtmlEncode(translation.Text)).Append("</code></p>");
        if (translation.Hypothesis.Attention is not { } weights) return html.Append("</div>").ToString();

        int rows = weights.GetLength(0), columns = weights.GetLength(1);
        html.Append("<table style=\"border-collapse:collapse;font-family:monospace\">\n<tr><th></th>");
        for (int j = 0; j < columns; j++)
            html.Append("<th>").Append(WebUtility.HtmlEncode(Token(translation.SourceTokens, j))).Append("</th>");
        html.Append("</tr>\n");
        for (int i = 0; i < rows; i++)
        {
            html.Append("<tr><th>").Append(WebUtility.HtmlEncode(Token(translation.OutputTokens, i))).Append("</th>");
            for (int j = 0; j < columns; j++)
            {
                float w = weights[i, j];
                html.Append(CultureInfo.InvariantCulture,
                    $"<td title=\"{w:0.000}\" style=\"width:14px;height:14px;background:rgba(31,119,180,{Math.Clamp(w, 0f, 1f):0.00})\"></td>");
            }
            html.Append("</tr>\n");
        }
        return html.Append("</table></div>").ToString();

        static string Token(IReadOnlyList<string> tokens, int index) => index < tokens.Count ? tokens[index] : "";
    }
}
