using System.Globalization;
using System.Text;
using TorchLstm.Notebooks;

namespace TorchLstm.Reporting;

/// <summary>
/// Builds a GitHub-flavoured markdown table whose columns line up in plain text too, for results.md
/// files and README tables.
/// </summary>
/// <remarks>
/// Numbers are written with the invariant culture (a decimal point, never a comma), floating-point
/// numbers with a fixed number of decimals; columns holding only numbers are right-aligned so the
/// decimals line up. A <c>|</c> inside a cell is escaped and line breaks become spaces, so a cell can
/// never break the table.
/// </remarks>
/// <example>
/// <code>
/// var table = new MarkdownTable(["model", "test MSE", "seconds"], precision: 4);
/// table.AddRow("LSTM", 0.01234, 12.5).AddRow("RNN", 0.0456, 7.25);
/// File.WriteAllText("results.md", table.ToString());
/// </code>
/// </example>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = [NotebookFormatterSource.Html, NotebookFormatterSource.PlainText])]
public sealed class MarkdownTable
{
    private const int MaxPrecision = 15;
    private readonly List<object?[]> _rows = [];
    private readonly int?[] _columnPrecision;

    /// <summary>Starts a table with the given column headers.</summary>
    /// <param name="headers">One non-blank header per column.</param>
    /// <param name="precision">Decimals written for floating-point cells (0 to 15); integers are written whole.</param>
    /// <exception cref="ArgumentException">No headers, or a blank header.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="precision"/> outside 0..15.</exception>
    public MarkdownTable(IReadOnlyList<string> headers, int precision = 4)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.Count == 0)
            throw new ArgumentException("A markdown table needs at least one column header.", nameof(headers));
        for (int i = 0; i < headers.Count; i++)
            if (string.IsNullOrWhiteSpace(headers[i]))
                throw new ArgumentException($"Header {i} is blank; every column needs a name.", nameof(headers));
        CheckPrecision(precision, nameof(precision));

        Headers = headers.ToArray();
        Precision = precision;
        _columnPrecision = new int?[headers.Count];
    }

    /// <summary>The column headers.</summary>
    public IReadOnlyList<string> Headers { get; }

    /// <summary>Decimals written for floating-point cells unless a column says otherwise.</summary>
    public int Precision { get; }

    /// <summary>Number of rows added so far.</summary>
    public int RowCount => _rows.Count;

    /// <summary>Adds a row; cells may be strings, numbers, any <see cref="IFormattable"/>, or null (empty cell).</summary>
    /// <returns>This table, so rows can be chained.</returns>
    /// <exception cref="ArgumentException">The row does not have one cell per header.</exception>
    public MarkdownTable AddRow(params object?[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != Headers.Count)
            throw new ArgumentException(
                $"Row {_rows.Count + 1} has {cells.Length} cell(s) but the table has {Headers.Count} column(s) ({string.Join(", ", Headers)}).",
                nameof(cells));
        _rows.Add((object?[])cells.Clone());
        return this;
    }

    /// <summary>Writes the floating-point cells of one column with <paramref name="digits"/> decimals.</summary>
    /// <returns>This table.</returns>
    /// <exception cref="ArgumentException">No column has that header.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="digits"/> outside 0..15.</exception>
    public MarkdownTable SetColumnPrecision(string header, int digits)
    {
        int column = Headers.ToList().IndexOf(header);
        if (column < 0)
            throw new ArgumentException($"No column is named '{header}'; the columns are {string.Join(", ", Headers)}.", nameof(header));
        CheckPrecision(digits, nameof(digits));
        _columnPrecision[column] = digits;
        return this;
    }

    /// <summary>Renders the table: header row, alignment row, then one line per row, each ending with a newline.</summary>
    public override string ToString()
    {
        int columns = Headers.Count;
        var (text, rightAligned) = FormattedCells();
        var widths = new int[columns];
        for (int c = 0; c < columns; c++)
        {
            widths[c] = Math.Max(3, Escape(Headers[c]).Length);
            foreach (var row in text) widths[c] = Math.Max(widths[c], row[c].Length);
        }

        var builder = new StringBuilder();
        AppendLine(builder, Headers.Select(Escape).ToArray(), widths, rightAligned);
        builder.Append('|');
        for (int c = 0; c < columns; c++)
            builder.Append(' ').Append(rightAligned[c] ? new string('-', widths[c] - 1) + ":" : new string('-', widths[c])).Append(" |");
        builder.Append('\n');
        foreach (var row in text) AppendLine(builder, row, widths, rightAligned);
        return builder.ToString();
    }

    /// <summary>
    /// Every cell as the table writes it (markdown-escaped), and which columns are right-aligned
    /// (those holding only numbers); shared by the markdown text and the notebook's HTML table.
    /// </summary>
    internal (string[][] Cells, bool[] RightAligned) FormattedCells()
    {
        int columns = Headers.Count;
        var text = new string[_rows.Count][];
        for (int r = 0; r < _rows.Count; r++)
        {
            text[r] = new string[columns];
            for (int c = 0; c < columns; c++)
                text[r][c] = FormatCell(_rows[r][c], _columnPrecision[c] ?? Precision);
        }
        var rightAligned = new bool[columns];
        for (int c = 0; c < columns; c++)
        {
            var present = _rows.Select(row => row[c]).Where(cell => cell is not null).ToList();
            rightAligned[c] = present.Count > 0 && present.All(IsNumber);
        }
        return (text, rightAligned);
    }

    /// <summary>Formats one value the way a table cell shows it (invariant culture, fixed decimals for floating point).</summary>
    public static string FormatCell(object? value, int precision)
    {
        CheckPrecision(precision, nameof(precision));
        string format = "F" + precision.ToString(CultureInfo.InvariantCulture);
        return value switch
        {
            null => "",
            double d => FormatFloating(d, format),
            float f => FormatFloating(f, format),
            decimal m => m.ToString(format, CultureInfo.InvariantCulture),
            IFormattable formattable => Escape(formattable.ToString(null, CultureInfo.InvariantCulture)),
            _ => Escape(value.ToString() ?? ""),
        };
    }

    private static string FormatFloating(double value, string format) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "inf"
        : double.IsNegativeInfinity(value) ? "-inf"
        : value.ToString(format, CultureInfo.InvariantCulture);

    private static bool IsNumber(object? value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal;

    private static string Escape(string text) =>
        text.Replace("\r\n", " ").Replace('\n', ' ').Replace('\r', ' ').Replace("|", "\\|");

    private static void AppendLine(StringBuilder builder, string[] cells, int[] widths, bool[] rightAligned)
    {
        builder.Append('|');
        for (int c = 0; c < cells.Length; c++)
            builder.Append(' ').Append(rightAligned[c] ? cells[c].PadLeft(widths[c]) : cells[c].PadRight(widths[c])).Append(" |");
        builder.Append('\n');
    }

    private static void CheckPrecision(int digits, string paramName)
    {
        if (digits is < 0 or > MaxPrecision)
            throw new ArgumentOutOfRangeException(paramName, digits, $"Precision must be between 0 and {MaxPrecision} decimals.");
    }
}
