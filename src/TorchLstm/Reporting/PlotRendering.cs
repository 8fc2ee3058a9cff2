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

    public static void UseLogTicks(IAxis axis)
    {
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = true,
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            LabelFormatter = exponent => Math.Pow(10, exponent).ToString("G3", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Renders to memory, writes a temporary file beside the target and renames it, so readers never see half a PNG.</summary>
    public static void SavePngAtomically(Plot plot, string path, PlotOptions options)
    {
        byte[] png = plot.GetImageBytes(options.Width, options.Height, ImageFormat.Png);
        IO.AtomicFile.Write(path, stream => stream.Write(png));
    }

    public static double[] Indexes(int count, int firstIndex) =>
        Enumerable.Range(0, count).Select(i => (double)(firstIndex + i)).ToArray();
}
