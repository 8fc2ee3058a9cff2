using System.Globalization;
using ScottPlot;

namespace TorchLstm.Reporting;

/// <summary>Shared ScottPlot plumbing: styling, log axes, and the atomic PNG write.</summary>
internal static class PlotRendering
{
    public static Plot NewPlot(PlotOptions options, string defaultTitle, string defaultXLabel, string defaultYLabel)
    {
        var plot = new Plot();
        plot.Title(options.Title ?? defaultTitle);
        plot.XLabel(options.XLabel ?? defaultXLabel);
        plot.YLabel(options.YLabel ?? defaultYLabel);
        return plot;
    }

    /// <summary>Data for a log axis is drawn as log10; the ticks are relabelled back to the original units.</summary>
    public static double[] ToAxisScale(double[] values, bool log) => log ? values.Select(Math.Log10).ToArray() : values;

    public static double ToAxisScale(double value, bool log) => log ? Math.Log10(value) : value;

    /// <summary>
    /// Labels a log10-scaled axis in the data's own units: 1, 10, 100 … over wide ranges, 1-2-5 steps over
    /// a couple of decades, more within one, with unlabelled minor ticks at every integer multiple.
    /// </summary>
    /// <remarks>Call after every plottable is added: the ticks are chosen for the axis's autoscaled range.</remarks>
    public static void UseLogTicks(Plot plot, IAxis axis)
    {
        plot.Axes.AutoScale();
        var (majors, minors) = LogTicks(axis.Range.Min, axis.Range.Max);
        if (majors.Count < 2)
        {
            // A range narrower than one labelled step: evenly spaced ticks, still labelled in data units.
            axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = position => LogTickLabel(Math.Pow(10, position)) };
            return;
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var (position, label) in majors) ticks.AddMajor(position, label);
        foreach (double position in minors) ticks.AddMinor(position);
        axis.TickGenerator = ticks;
    }

    /// <summary>Labelled and unlabelled tick positions (log10 units) for the axis range [low, high], also in log10 units.</summary>
    internal static (List<(double Position, string Label)> Majors, List<double> Minors) LogTicks(double low, double high)
    {
        double decades = high - low;
        int[] labelled = decades <= 1.2 ? [1, 2, 3, 5, 7] : decades <= 2.5 ? [1, 2, 5] : [1];
        var majors = new List<(double, string)>();
        var minors = new List<double>();
        for (int decade = (int)Math.Floor(low); decade <= (int)Math.Ceiling(high); decade++)
        {
            for (int multiple = 1; multiple <= 9; multiple++)
            {
                double position = decade + Math.Log10(multiple);
                if (position < low || position > high) continue;
                if (labelled.Contains(multiple)) majors.Add((position, LogTickLabel(multiple * Math.Pow(10, decade))));
                else minors.Add(position);
            }
        }
        return (majors, minors);
    }

    private static string LogTickLabel(double value) =>
        value >= 1000 ? value.ToString("#,0", CultureInfo.InvariantCulture)
        : value >= 1e-3 ? value.ToString("G4", CultureInfo.InvariantCulture)
        : value.ToString("0.##e+0", CultureInfo.InvariantCulture);

    /// <summary>Renders to memory, writes a temporary file beside the target and renames it, so readers never see half a PNG.</summary>
    public static void SavePngAtomically(Plot plot, string path, PlotOptions options)
    {
        byte[] png = plot.GetImageBytes(options.Width, options.Height, ImageFormat.Png);
        IO.AtomicFile.Write(path, stream => stream.Write(png));
    }

    public static double[] Indexes(int count, int firstIndex) =>
        Enumerable.Range(0, count).Select(i => (double)(firstIndex + i)).ToArray();
}
