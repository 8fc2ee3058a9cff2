using ScottPlot;
using static TorchLstm.Reporting.PlotInput;
using static TorchLstm.Reporting.PlotRendering;

namespace TorchLstm.Reporting;

public static partial class Plots
{
    /// <summary>
    /// A heatmap with a label on every row and column and a colour bar, e.g. an attention map with the
    /// output characters as rows (top to bottom) and the source characters as columns (left to right).
    /// </summary>
    /// <param name="path">PNG file to write.</param>
    /// <param name="values">Cell values, <c>values[row, column]</c>; row 0 is drawn at the top.</param>
    /// <param name="rowLabels">One label per row.</param>
    /// <param name="columnLabels">One label per column.</param>
    /// <param name="colorBarLabel">Caption of the colour bar.</param>
    /// <param name="options">Title, axis labels and size (log axes do not apply).</param>
    /// <exception cref="ArgumentException">The matrix is empty or has a non-finite cell, or a label count differs from the matrix.</exception>
    public static void Heatmap(
        string path, double[,] values, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels,
        string colorBarLabel = "value", PlotOptions? options = null)
    {
        CheckPath(path);
        options = CheckOptions(options);
        ArgumentNullException.ThrowIfNull(values);
        int rows = values.GetLength(0), columns = values.GetLength(1);
        if (rows == 0 || columns == 0)
            throw new ArgumentException($"The heatmap matrix is {rows}×{columns}; it needs at least one row and one column.", nameof(values));
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                if (!double.IsFinite(values[r, c]))
                    throw new ArgumentException($"Heatmap cell [{r}, {c}] is {Describe(values[r, c])}; only finite values can be plotted.", nameof(values));
        ArgumentNullException.ThrowIfNull(rowLabels);
        ArgumentNullException.ThrowIfNull(columnLabels);
        if (rowLabels.Count != rows)
            throw new ArgumentException($"There are {rowLabels.Count} row labels for {rows} rows; give one label per row.", nameof(rowLabels));
        if (columnLabels.Count != columns)
            throw new ArgumentException($"There are {columnLabels.Count} column labels for {columns} columns; give one label per column.", nameof(columnLabels));

        var plot = NewPlot(options, "Heatmap", "", "");
        var heatmap = plot.Add.Heatmap((double[,])values.Clone());
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        // Outer edges of the cells: cell (r, c) is then centred on x = c and y = rows - 1 - r (row 0 drawn on top), where the ticks go.
        heatmap.Rectangle = new CoordinateRect(-0.5, columns - 0.5, -0.5, rows - 0.5);
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = colorBarLabel;

        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, columns).Select(c => (double)c).ToArray(), columnLabels.ToArray());
        plot.Axes.Left.SetTicks(Enumerable.Range(0, rows).Select(r => (double)(rows - 1 - r)).ToArray(), rowLabels.ToArray());
        plot.Axes.Margins(0, 0);
        plot.HideGrid();
        SavePngAtomically(plot, path, options);
    }
}
