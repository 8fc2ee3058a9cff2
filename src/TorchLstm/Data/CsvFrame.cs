using Microsoft.Data.Analysis;

namespace TorchLstm.Data;

/// <summary>
/// Loads CSV text into a <see cref="DataFrame"/> with a strict RFC 4180 reader: the first record is
/// the header; a column whose every non-empty cell is a number (invariant culture, '.' decimal point)
/// becomes a <see cref="DoubleDataFrameColumn"/> (empty cells become missing values), every other
/// column a <see cref="StringDataFrameColumn"/>. Blank lines are skipped.
/// </summary>
/// <remarks>
/// Written instead of <c>DataFrame.LoadCsv</c> because its type guessing looks at a prefix of the rows
/// only and its errors do not say which line was wrong.
/// </remarks>
public static class CsvFrame
{
    /// <summary>Reads the CSV file at <paramref name="path"/> (UTF-8, BOM allowed).</summary>
    /// <param name="path">Path of the file.</param>
    /// <param name="separator">Field separator; ',' by default.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataValidationException">The file is empty, has only a header, a blank or duplicate column name, a ragged row or an unclosed quote.</exception>
    public static DataFrame Load(string path, char separator = ',')
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"CSV file '{path}' does not exist", path);
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return Read(reader, separator, $"CSV file '{path}'");
    }

    /// <summary>Parses CSV <paramref name="text"/> held in memory.</summary>
    /// <param name="text">The whole CSV content, header first.</param>
    /// <param name="separator">Field separator; ',' by default.</param>
    /// <exception cref="DataValidationException">The text is malformed (see <see cref="Load"/>).</exception>
    public static DataFrame Parse(string text, char separator = ',')
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return Read(reader, separator, "CSV text");
    }

    /// <summary>Reads CSV records from <paramref name="reader"/> until its end.</summary>
    /// <param name="reader">Source of the CSV text, positioned at the header.</param>
    /// <param name="separator">Field separator; ',' by default.</param>
    /// <param name="sourceName">How error messages name the source, for example a file name.</param>
    /// <exception cref="DataValidationException">The input is malformed (see <see cref="Load"/>).</exception>
    public static DataFrame Read(TextReader reader, char separator = ',', string sourceName = "CSV input")
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        var records = new CsvRecordReader(reader, separator, sourceName);
        var fields = new CsvRecord();

        if (!records.TryRead(fields, out long headerLine))
            throw new DataValidationException($"{sourceName} is empty: expected a header row with the column names followed by data rows");
        string[] names = fields.ToStrings();
        ValidateHeader(names, headerLine, sourceName);

        var columns = new CsvColumnBuilder[names.Length];
        for (int i = 0; i < names.Length; i++) columns[i] = new CsvColumnBuilder(names[i]);
        long row = 0;
        while (records.TryRead(fields, out long line))
        {
            row++;
            if (fields.Count != names.Length)
                throw new DataValidationException(
                    $"{sourceName}: line {line} (data row {row}) has {fields.Count} fields but the header has {names.Length} ({string.Join(separator, names)}); quote fields that contain '{separator}'",
                    column: null, row: row);
            for (int i = 0; i < names.Length; i++) columns[i].Add(fields[i]);
        }
        if (row == 0)
            throw new DataValidationException($"{sourceName} has a header ({string.Join(separator, names)}) but no data rows");

        return new DataFrame(columns.Select(c => c.Build()));
    }

    private static void ValidateHeader(string[] names, long line, string sourceName)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i]))
                throw new DataValidationException(
                    $"{sourceName}: line {line}: column {i + 1} of {names.Length} in the header has a blank name; every column needs a non-blank, unique name",
                    column: names[i]);
            if (!seen.TryAdd(names[i], i))
                throw new DataValidationException(
                    $"{sourceName}: line {line}: column name '{names[i]}' appears twice in the header (columns {seen[names[i]] + 1} and {i + 1}); column names must be unique",
                    column: names[i]);
        }
    }
}
