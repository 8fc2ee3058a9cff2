namespace TorchLstm.Reporting;

/// <summary>Title, axis labels, image size and axis scales shared by every plot in <see cref="Plots"/>.</summary>
/// <remarks>Log axes plot log10 of the data with ticks labelled in the original units; they need positive values.</remarks>
public sealed record PlotOptions
{
    /// <summary>Title above the plot; each plot has a sensible default when null.</summary>
    public string? Title { get; init; }

    /// <summary>Label of the horizontal axis; null keeps the plot's default.</summary>
    public string? XLabel { get; init; }

    /// <summary>Label of the vertical axis; null keeps the plot's default.</summary>
    public string? YLabel { get; init; }

    /// <summary>Image width in pixels (16 to 8192).</summary>
    public int Width { get; init; } = 800;

    /// <summary>Image height in pixels (16 to 8192).</summary>
    public int Height { get; init; } = 500;

    /// <summary>Logarithmic horizontal axis (only where x is numeric: <see cref="Plots.Lines"/>).</summary>
    public bool LogX { get; init; }

    /// <summary>Logarithmic vertical axis (loss curves, line plots, predictions, flagged series).</summary>
    public bool LogY { get; init; }
}

/// <summary>A named series of y values, e.g. a baseline forecast or one curve of a scaling plot.</summary>
/// <param name="Name">Legend text; also used in error messages.</param>
/// <param name="Values">One value per x position; all finite.</param>
public sealed record NamedSeries(string Name, IReadOnlyList<double> Values);
