using System.Text;
using Microsoft.Data.Analysis;
using TorchLstm.Data;

namespace TorchLstm.Tests.Data;

/// <summary>Column typing over many rows: numbers parsed as they arrive, text kept exactly as written.</summary>
public class CsvColumnTypingTests
{
    private static string Csv(int rows, Func<int, string> first, Func<int, string> second)
    {
        var text = new StringBuilder("a,b\n");
        for (int r = 0; r < rows; r++) text.Append(first(r)).Append(',').Append(second(r)).Append('\n');
        return text.ToString();
    }

    [Fact]
    public void A_text_cell_after_thousands_of_numbers_keeps_every_earlier_cell_as_written()
    {
        // Formatting a number back would lose "1.50" and "+2e0"; the original text must survive buffer growth.
        const int rows = 5000;
        string Cell(int r) => r == rows - 1 ? "n/a" : r % 2 == 0 ? $"{r}.50" : $"+{r}e0";
        var frame = CsvFrame.Parse(Csv(rows, Cell, r => r.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var text = Assert.IsType<StringDataFrameColumn>(frame.Columns["a"]);
        Assert.Equal("0.50", text[0]);
        Assert.Equal("+1e0", text[1]);
        Assert.Equal("4998.50", text[4998]);
        Assert.Equal("n/a", text[rows - 1]);
        var numbers = Assert.IsType<DoubleDataFrameColumn>(frame.Columns["b"]);
        Assert.Equal(4999.0, numbers[4999]);
        Assert.Equal(0, numbers.NullCount);
    }

    [Fact]
    public void Blank_cells_in_a_long_numeric_column_are_missing_values_at_their_rows()
    {
        const int rows = 3000;
        var frame = CsvFrame.Parse(Csv(rows, r => r % 1000 == 7 ? " " : (r * 0.25).ToString(System.Globalization.CultureInfo.InvariantCulture), r => "x"));
        var numbers = Assert.IsType<DoubleDataFrameColumn>(frame.Columns["a"]);
        Assert.Equal(rows, numbers.Length);
        Assert.Equal(3, numbers.NullCount);
        Assert.Null(numbers[1007]);
        Assert.Equal(1006 * 0.25, numbers[1006]);
        Assert.Equal(2999 * 0.25, numbers[2999]);
        Assert.IsType<StringDataFrameColumn>(frame.Columns["b"]);
    }

    [Fact]
    public void A_table_from_a_long_CSV_holds_every_value_and_still_names_a_missing_cell()
    {
        const int rows = 4000;
        var frame = CsvFrame.Parse(Csv(rows, r => (r * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture), r => (r % 7).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var table = TimeSeriesTable.FromDataFrame(frame, target: "a", features: ["b", "a"]);
        Assert.Equal([rows, 2L], table.Values.shape);
        Assert.Equal(3999 * 0.5f, table.Values[3999, 1].item<float>());
        Assert.Equal(3999 % 7, table.Values[3999, 0].item<float>());

        var gappy = CsvFrame.Parse(Csv(rows, r => r == 2500 ? "" : "1", r => "2"));
        var error = Assert.Throws<DataValidationException>(() => TimeSeriesTable.FromDataFrame(gappy, target: "a"));
        Assert.Contains("column 'a', row 2501", error.Message);
    }
}
