using ScottPlot;
using static TorchLstm.Reporting.PlotInput;
using static TorchLstm.Reporting.PlotRendering;

namespace TorchLstm.Reporting;

public static partial class Plots
{
    /// <summary>
    /// Observed values over time inside the shaded band of their prediction intervals, with the point forecast when
    /// given and the flagged points (values outside their interval) in red: the picture of per-point anomaly thresholds.
    /// </summary>
    /// <param name="path">PNG file to write.</param>
    /// <param name="time">Timestamp of each value, in increasing order.</param>
    /// <param name="actual">Observed values.</param>
    /// <param name="lower">Lower bound of each value's interval.</param>
    /// <param name="upper">Upper bound of each value's interval.</param>
    /// <param name="flagged">One flag per value (true points get a red marker); null marks none.</param>
    /// <param name="forecast">The point forecast of each value; null draws none.</param>
    /// <param name="seriesName">Legend text of the observed series and the name used in error messages.</param>
    /// <param name="bandName">Legend text of the band, e.g. <c>95 % interval</c>.</param>
    /// <param name="options">Title, labels, size.</param>
    /// <exception cref="ArgumentException">A series is empty, has non-finite values or another length, or time goes backwards.</exception>
    public static void IntervalBand(
        string path, IReadOnlyList<DateTime> time, IReadOnlyList<double> actual, IReadOnlyList<double> lower, IReadOnlyList<double> upper,
        IReadOnlyList<bool>? flagged = null, IReadOnlyList<double>? forecast = null, string seriesName = "observed",
        string bandName = "prediction interval", PlotOptions? options = null)
    {
        CheckPath(path);
        options = CheckOptions(options);
        var ys = CheckSeries(actual, seriesName, nameof(actual));
        var xs = CheckTimeAgainst(time, ys.Length, seriesName, nameof(time));
        var low = CheckSeries(lower, "lower", nameof(lower));
        var high = CheckSeries(upper, "upper", nameof(upper));
        CheckSameLength(ys.Length, seriesName, low.Length, "lower", nameof(lower));
        CheckSameLength(ys.Length, seriesName, high.Length, "upper", nameof(upper));
        if (flagged is not null) CheckSameLength(ys.Length, seriesName, flagged, "flagged", nameof(flagged));
        double[]? point = null;
        if (forecast is not null)
        {
            point = CheckSeries(forecast, "forecast", nameof(forecast));
            CheckSameLength(ys.Length, seriesName, point.Length, "forecast", nameof(forecast));
        }

        var plot = NewPlot(options, "Prediction intervals", "time", seriesName);
        var band = plot.Add.FillY(xs, low, high);
        band.FillColor = Colors.SteelBlue.WithAlpha(0.25);
        band.LineColor = Colors.SteelBlue.WithAlpha(0.5);
        band.LegendText = bandName;
        if (point is not null)
        {
            var line = plot.Add.ScatterLine(xs, point);
            line.LegendText = "forecast";
            line.LineWidth = 1;
            line.Color = Colors.SteelBlue;
        }
        var observed = plot.Add.ScatterLine(xs, ys);
        observed.LegendText = seriesName;
        observed.LineWidth = 1.5f;
        observed.Color = Colors.Black;
        if (flagged is not null)
        {
            var marked = Enumerable.Range(0, ys.Length).Where(i => flagged[i]).ToArray();
            if (marked.Length > 0)
            {
                var markers = plot.Add.Markers(marked.Select(i => xs[i]).ToArray(), marked.Select(i => ys[i]).ToArray(), MarkerShape.FilledCircle, 9, Colors.Red);
                markers.LegendText = $"outside the interval ({marked.Length})";
            }
        }
        plot.Axes.DateTimeTicksBottom();
        plot.XLabel(options.XLabel ?? "time");
        plot.ShowLegend(Edge.Bottom);
        SavePngAtomically(plot, path, options);
    }
}
