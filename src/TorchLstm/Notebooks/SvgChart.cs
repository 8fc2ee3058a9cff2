using System.Globalization;
using System.Net;
using System.Text;

namespace TorchLstm.Notebooks;

/// <summary>
/// Small line charts as inline SVG for notebook displays: drawn in microseconds and a few kilobytes,
/// so a display can be redrawn every epoch (the PNG plots in <c>TorchLstm.Reporting.Plots</c> are for files).
/// </summary>
internal static class SvgChart
{
    private static readonly string[] Colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];

    /// <summary>One line: a name for the legend and one value per x (non-finite values leave a gap).</summary>
    public sealed record Series(string Name, IReadOnlyList<double> Values);

    /// <summary>Lines over x = 1..n with the y range and the last x labelled, and a legend; the first series is drawn on top.</summary>
    public static string Lines(IReadOnlyList<Series> series, int width, int height, bool logScale, string title, int? markedIndex = null, string xLabel = "epoch")
    {
        const int left = 62, right = 10, top = 22, bottom = 34;
        var c = CultureInfo.InvariantCulture;
        double Transform(double v) => logScale ? Math.Log10(v) : v;
        var finite = series.SelectMany(s => s.Values).Where(v => double.IsFinite(v) && (!logScale || v > 0)).ToList();
        int count = series.Max(s => s.Values.Count);
        var svg = new StringBuilder();
        svg.Append(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append(c, $"<text x=\"{left}\" y=\"14\" font-weight=\"bold\">{WebUtility.HtmlEncode(title)}</text>");
        if (finite.Count == 0 || count == 0) return svg.Append("</svg>").ToString();

        double low = Transform(finite.Min()), high = Transform(finite.Max());
        if (high - low < 1e-12) { low -= 0.5; high += 0.5; }
        double plotWidth = width - left - right, plotHeight = height - top - bottom;
        double X(int i) => left + (count == 1 ? plotWidth / 2 : plotWidth * i / (count - 1));
        double Y(double v) => top + plotHeight * (1 - (Transform(v) - low) / (high - low));

        svg.Append(c, $"<rect x=\"{left}\" y=\"{top}\" width=\"{plotWidth:0.#}\" height=\"{plotHeight:0.#}\" fill=\"none\" stroke=\"#bbb\"/>");
        foreach (double edge in new[] { low, high })
        {
            double value = logScale ? Math.Pow(10, edge) : edge;
            double y = top + plotHeight * (1 - (edge - low) / (high - low));
            svg.Append(c, $"<text x=\"{left - 4}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Label(value)}</text>");
        }
        svg.Append(c, $"<text x=\"{left}\" y=\"{height - 20}\" text-anchor=\"middle\">1</text>");
        if (count > 1) svg.Append(c, $"<text x=\"{left + plotWidth:0.#}\" y=\"{height - 20}\" text-anchor=\"middle\">{count}</text>");
        svg.Append(c, $"<text x=\"{left + plotWidth / 2:0.#}\" y=\"{height - 20}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(xLabel)}</text>");

        if (markedIndex is int marked && marked >= 0 && marked < count)
            svg.Append(c, $"<line x1=\"{X(marked):0.#}\" y1=\"{top}\" x2=\"{X(marked):0.#}\" y2=\"{top + plotHeight:0.#}\" stroke=\"#999\" stroke-dasharray=\"3,3\"/>");

        double legendX = left;
        for (int s = 0; s < series.Count; s++)
        {
            string colour = Colours[s % Colours.Length];
            var points = new StringBuilder();
            for (int i = 0; i < series[s].Values.Count; i++)
            {
                double v = series[s].Values[i];
                if (!double.IsFinite(v) || (logScale && v <= 0)) continue;
                points.Append(c, $"{X(i):0.#},{Y(v):0.#} ");
            }
            if (series[s].Values.Count == 1 && points.Length > 0)
                svg.Append(c, $"<circle cx=\"{X(0):0.#}\" cy=\"{Y(series[s].Values[0]):0.#}\" r=\"3\" fill=\"{colour}\"/>");
            else
                svg.Append(c, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{points.ToString().TrimEnd()}\"/>");
            svg.Append(c, $"<rect x=\"{legendX:0.#}\" y=\"{height - 11}\" width=\"12\" height=\"3\" fill=\"{colour}\"/>");
            svg.Append(c, $"<text x=\"{legendX + 16:0.#}\" y=\"{height - 6}\">{WebUtility.HtmlEncode(series[s].Name)}</text>");
            legendX += 24 + 7 * series[s].Name.Length;
        }
        return svg.Append("</svg>").ToString();
    }

    private static string Label(double value) =>
        value != 0 && (Math.Abs(value) < 1e-3 || Math.Abs(value) >= 1e5)
            ? value.ToString("0.00e+0", CultureInfo.InvariantCulture)
            : value.ToString("G4", CultureInfo.InvariantCulture);
}
