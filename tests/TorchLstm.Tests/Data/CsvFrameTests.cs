using Microsoft.Data.Analysis;
using TorchLstm.Data;

namespace TorchLstm.Tests.Data;

public class CsvFrameTests
{
    [Fact]
    public void Numeric_columns_become_doubles_and_others_strings_with_quotes_honoured()
    {
        const string text = "id,name,value\r\n1,\"Smith, \"\"J\"\"\",2.5\r\n2,\"two\nlines\",-1e3\r\n3,plain,\n";
        var frame = CsvFrame.Parse(text);

        Assert.Equal(3, frame.Rows.Count);
        Assert.IsType<DoubleDataFrameColumn>(frame.Columns["id"]);
        Assert.IsType<StringDataFrameColumn>(frame.Columns["name"]);
        Assert.IsType<DoubleDataFrameColumn>(frame.Columns["value"]);
        Assert.Equal("Smith, \"J\"", frame.Columns["name"][0]);
        Assert.Equal("two\nlines", frame.Columns["name"][1]);
        Assert.Equal(2.5, frame.Columns["value"][0]);
        Assert.Equal(-1000.0, frame.Columns["value"][1]);
        Assert.Null(frame.Columns["value"][2]);
    }

    [Fact]
    public void One_non_numeric_cell_anywhere_makes_the_column_text()
    {
        var frame = CsvFrame.Parse("a,b\n1,2\n2,3\n3,x\n");
        Assert.IsType<DoubleDataFrameColumn>(frame.Columns["a"]);
        Assert.IsType<StringDataFrameColumn>(frame.Columns["b"]);
        Assert.Equal("2", frame.Columns["b"][0]);
    }

    [Fact]
    public void Blank_lines_are_skipped_and_reader_and_file_give_the_same_frame()
    {
        string path = Path.Combine(Path.GetTempPath(), $"csv-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "a,b\n\n1,2\n\n3,4");
        try
        {
            var fromFile = CsvFrame.Load(path);
            using var reader = new StringReader("a,b\n\n1,2\n\n3,4");
            var fromReader = CsvFrame.Read(reader);
            Assert.Equal(2, fromFile.Rows.Count);
            Assert.Equal(new object?[] { 1.0, 3.0 }, new[] { fromFile.Columns["a"][0], fromFile.Columns["a"][1] });
            Assert.Equal(fromFile.Columns["b"][1], fromReader.Columns["b"][1]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Fields_longer_than_the_read_buffer_survive_intact()
    {
        string longText = new('x', 100_000);
        string longQuoted = string.Concat(Enumerable.Repeat("a\"\"b,", 30_000));
        var frame = CsvFrame.Parse($"n,s\n1,{longText}\n2,\"{longQuoted}\"\n3,z\n");
        Assert.Equal(longText, frame.Columns["s"][0]);
        Assert.Equal(longQuoted.Replace("\"\"", "\""), frame.Columns["s"][1]);
        Assert.Equal("z", frame.Columns["s"][2]);
        Assert.Equal(3.0, frame.Columns["n"][2]);
    }

    [Fact]
    public void Empty_input_is_rejected()
    {
        var e = Assert.Throws<DataValidationException>(() => CsvFrame.Parse(""));
        Assert.Contains("empty", e.Message);
        Assert.Contains("header", e.Message);
    }

    [Fact]
    public void Header_only_is_rejected()
    {
        var e = Assert.Throws<DataValidationException>(() => CsvFrame.Parse("a,b\n"));
        Assert.Contains("no data rows", e.Message);
        Assert.Contains("a,b", e.Message);
    }

    [Fact]
    public void Ragged_row_names_line_row_and_field_counts()
    {
        // Line 4 is data row 3; a quoted line break on row 1 shifts the file line by one.
        var e = Assert.Throws<DataValidationException>(() => CsvFrame.Parse("a,b,c\n1,\"x\ny\",3\n4,5,6\n7,8\n"));
        Assert.Equal(3, e.Row);
        Assert.Null(e.Column);
        Assert.Contains("line 5 (data row 3) has 2 fields but the header has 3", e.Message);
    }

    [Fact]
    public void Duplicate_column_name_is_rejected_with_both_positions()
    {
        var e = Assert.Throws<DataValidationException>(() => CsvFrame.Parse("a,b,a\n1,2,3\n"));
        Assert.Equal("a", e.Column);
        Assert.Contains("'a' appears twice", e.Message);
        Assert.Contains("columns 1 and 3", e.Message);
    }

    [Fact]
    public void Blank_column_name_is_rejected_with_its_position()
    {
        var e = Assert.Throws<DataValidationException>(() => CsvFrame.Parse("a, ,c\n1,2,3\n"));
        Assert.Contains("column 2 of 3", e.Message);
        Assert.Contains("blank name", e.Message);
    }

    [Fact]
    public void Unclosed_quote_names_the_line_where_it_opens()
    {
        var e = Assert.Throws<DataValidationException>(() => CsvFrame.Parse("a,b\n1,2\n3,\"oops\n4,5\n"));
        Assert.Contains("opens on line 3", e.Message);
    }

    [Fact]
    public void Missing_file_gives_FileNotFoundException()
    {
        var e = Assert.Throws<FileNotFoundException>(() => CsvFrame.Load("/nonexistent/dir/none.csv"));
        Assert.Contains("none.csv", e.Message);
    }
}
