using ScottPlot;
using static TorchLstm.Reporting.PlotInput;
using static TorchLstm.Reporting.PlotRendering;

namespace TorchLstm.Reporting;

public static partial class Plots
{
    /// <summary>
    /// A series drawn as a line with flagged points highlighted (e.g. anomalies whose prediction error
    /// crossed a threshold), x being the position in the series.
    /// </summary>
    /// <param name="path">PNG file to write.</param>
    /// <param name="values">The series (values or prediction errors).</param>
    /// <param name="flagged">One flag per value; true points get a red marker.</param>
    /// <param name="threshold">Optional horizontal line, e.g. the error threshold that raised the flags.</param>
    /// <param name="seriesName">Legend text of the series and the name used in error messages.</param>
    /// <param name="firstIndex">x position of the first value.</param>
    /// <param name="options">Title, labels, size, <see cref="PlotOptions.LogY"/>.</param>
    /// <exception cref="ArgumentException">The series is empty, has non-finite values, or has a different length from the flags.</exception>
    public static void FlaggedPoints(
        string path, IReadOnlyList<double> values, IReadOnlyList<bool> flagged, double? threshold = null,
        string seriesName = "value", int firstIndex = 0, PlotOptions? options = null)
    {
        CheckPath(path);
        options = CheckOptions(options);
        ArgumentNullException.ThrowIfNull(values);
        DrawFlagged(path, Indexes(values.Count, firstIndex), dates: false, values, flagged, threshold, seriesName, options);
    }

    /// <summary>A series over time with flagged points highlighted (e.g. anomalies in a sensor series).</summary>
    /// <param name="path">PNG file to write.</param>
    /// <param name="time">Timestamp of each value, in increasing order.</param>
    /// <param name="values">The series (values or prediction errors).</param>
    /// <param name="flagged">One flag per value; true points get a red marker.</param>
    /// <param name="threshold">Optional horizontal line, e.g. the error threshold that raised the flags.</param>
    /// <param name="seriesName">Legend text of the series and the name used in error messages.</param>
    /// <param name="options">Title, labels, size, <see cref="PlotOptions.LogY"/>.</param>
    /// <exception cref="ArgumentException">The series is empty, has non-finite values, lengths differ, or time goes backwards.</exception>
    public static void FlaggedPoints(
        string path, IReadOnlyList<DateTime> time, IReadOnlyList<double> values, IReadOnlyList<bool> flagged,
        double? threshold = null, string seriesName = "value", PlotOptions? options = null)
    {
        CheckPath(path);
        options = CheckOptions(options);
        ArgumentNullException.ThrowIfNull(values);
        var xs = CheckTimeAgainst(time, values.Count, seriesName, nameof(time));
        DrawFlagged(path, xs, dates: true, values, flagged, threshold, seriesName, options);
    }

    private static void DrawFlagged(
        string path, double[] xs, bool dates, IReadOnlyList<double> values, IReadOnlyList<bool> flagged,
        double? threshold, string seriesName, PlotOptions options)
    {
        var ys = CheckSeries(values, seriesName, nameof(values), options.LogY);
        CheckSameLength(ys.Length, seriesName, flagged, "flagged", nameof(flagged));
        if (threshold is { } limit && (!double.IsFinite(limit) || (options.LogY && limit <= 0)))
            throw new ArgumentOutOfRangeException(nameof(threshold), limit, options.LogY ? "The threshold must be finite and above 0 on a log axis." : "The threshold must be finite.");

        var plot = NewPlot(options, "Flagged points", dates ? "time" : "index", seriesName);
        var scaled = ToAxisScale(ys, options.LogY);
        AddLine(plot, xs, scaled, seriesName);

        var flaggedX = Enumerable.Range(0, ys.Length).Where(i => flagged[i]).Select(i => xs[i]).ToArray();
        var flaggedY = Enumerable.Range(0, ys.Length).Where(i => flagged[i]).Select(i => scaled[i]).ToArray();
        if (flaggedX.Length > 0)
        {
            var markers = plot.Add.Markers(flaggedX, flaggedY, MarkerShape.FilledCircle, 9, Colors.Red);
            markers.LegendText = $"flagged ({flaggedX.Length})";
        }
        if (threshold is { } t)
        {
            var line = plot.Add.HorizontalLine(ToAxisScale(t, options.LogY), 1.5f, Colors.OrangeRed, LinePattern.Dashed);
            line.LegendText = "threshold";
        }
        if (dates)
        {
            plot.Axes.DateTimeTicksBottom();
            plot.XLabel(options.XLabel ?? "time"); // the date axis replaces the bottom axis and its label
        }
        if (options.LogY) UseLogTicks(plot, plot.Axes.Left);
        plot.ShowLegend(Edge.Bottom);
        SavePngAtomically(plot, path, options);
    }
}
