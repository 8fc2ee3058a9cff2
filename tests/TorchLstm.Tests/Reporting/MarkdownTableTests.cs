using System.Globalization;
using TorchLstm.Reporting;

namespace TorchLstm.Tests.Reporting;

public class MarkdownTableTests
{
    [Fact]
    public void Columns_align_and_numeric_columns_are_right_aligned()
    {
        var table = new MarkdownTable(["model", "test MSE", "epochs"], precision: 3)
            .AddRow("LSTM", 0.012345, 20)
            .AddRow("SimpleRNN", 0.5, 7);

        Assert.Equal(
            "| model     | test MSE | epochs |\n" +
            "| --------- | -------: | -----: |\n" +
            "| LSTM      |    0.012 |     20 |\n" +
            "| SimpleRNN |    0.500 |      7 |\n",
            table.ToString());
        Assert.Equal(2, table.RowCount);
    }

    [Fact]
    public void Numbers_are_formatted_with_the_invariant_culture_whatever_the_current_one()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var table = new MarkdownTable(["x", "when"], precision: 2).AddRow(1234.5678, new DateTime(2024, 3, 1));
            string text = table.ToString();
            Assert.Contains("1234.57", text);
            Assert.Contains("03/01/2024", text);
            Assert.DoesNotContain("1234,57", text);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Column_precision_overrides_the_table_precision_and_special_values_are_readable()
    {
        var table = new MarkdownTable(["a", "b"], precision: 1).SetColumnPrecision("b", 4)
            .AddRow(0.26, 0.123456)
            .AddRow(double.NaN, double.PositiveInfinity)
            .AddRow(null, 1f);

        string[] lines = table.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal("|   a |      b |", lines[0]);
        Assert.Equal("| 0.3 | 0.1235 |", lines[2]);
        Assert.Equal("| NaN |    inf |", lines[3]);
        Assert.Equal("|     | 1.0000 |", lines[4]);
    }

    [Fact]
    public void Pipes_and_line_breaks_in_cells_cannot_break_the_table()
    {
        string text = new MarkdownTable(["note"]).AddRow("a|b\nc").ToString();
        Assert.Equal("| note   |\n| ------ |\n| a\\|b c |\n", text);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_cells_names_the_row_and_the_columns()
    {
        var table = new MarkdownTable(["model", "mse"]).AddRow("LSTM", 0.1);
        var error = Assert.Throws<ArgumentException>(() => table.AddRow("GRU"));
        Assert.Equal("cells", error.ParamName);
        Assert.Contains("Row 2 has 1 cell(s) but the table has 2 column(s) (model, mse)", error.Message);
    }

    [Fact]
    public void Bad_headers_and_precisions_are_rejected()
    {
        Assert.Equal("headers", Assert.Throws<ArgumentException>(() => new MarkdownTable([])).ParamName);
        Assert.Contains("Header 1 is blank", Assert.Throws<ArgumentException>(() => new MarkdownTable(["a", " "])).Message);
        Assert.Equal("precision", Assert.Throws<ArgumentOutOfRangeException>(() => new MarkdownTable(["a"], precision: -1)).ParamName);
        Assert.Contains("No column is named 'c'", Assert.Throws<ArgumentException>(() => new MarkdownTable(["a", "b"]).SetColumnPrecision("c", 2)).Message);
    }
}
