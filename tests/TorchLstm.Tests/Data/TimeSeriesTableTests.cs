using TorchLstm.Data;
using TorchSharp;

namespace TorchLstm.Tests.Data;

public class TimeSeriesTableTests
{
    private const string Csv = "date,label,a,b,target\n2020-01-01,x,1,10,100\n2020-01-02,y,2,20,200\n2020-01-03,z,3,30,300\n";

    [Fact]
    public void Default_features_are_the_numeric_columns_in_frame_order()
    {
        using var table = TimeSeriesTable.FromDataFrame(CsvFrame.Parse(Csv), "target", dateColumn: "date");

        Assert.Equal(new[] { "a", "b", "target" }, table.Columns);
        Assert.Equal(2, table.TargetIndex);
        Assert.Equal(torch.ScalarType.Float32, table.Values.dtype);
        Assert.Equal(new long[] { 3, 3 }, table.Values.shape);
        Assert.Equal(new float[] { 1, 10, 100, 2, 20, 200, 3, 30, 300 }, table.Values.data<float>().ToArray());
        Assert.Equal(new DateTime(2020, 1, 3), table.Timestamps![2]);
    }

    [Fact]
    public void Explicit_features_keep_their_order_and_the_target_is_appended()
    {
        using var table = TimeSeriesTable.FromDataFrame(CsvFrame.Parse(Csv), "a", features: ["target", "b"]);
        Assert.Equal(new[] { "target", "b", "a" }, table.Columns);
        Assert.Equal(2, table.TargetIndex);
        Assert.Equal(new float[] { 200, 20, 2 }, table.Values[1].data<float>().ToArray());
        Assert.Null(table.Timestamps);
    }

    [Fact]
    public void Missing_column_lists_the_available_ones()
    {
        var e = Assert.Throws<DataValidationException>(() => TimeSeriesTable.FromDataFrame(CsvFrame.Parse(Csv), "price"));
        Assert.Equal("price", e.Column);
        Assert.Contains("'price' does not exist", e.Message);
        Assert.Contains("'date', 'label', 'a', 'b', 'target'", e.Message);
    }

    [Fact]
    public void Non_numeric_column_names_column_row_and_value()
    {
        var e = Assert.Throws<DataValidationException>(() => TimeSeriesTable.FromDataFrame(CsvFrame.Parse(Csv), "target", features: ["label"]));
        Assert.Equal("label", e.Column);
        Assert.Equal(1, e.Row);
        Assert.Contains("column 'label', row 1", e.Message);
        Assert.Contains("'x'", e.Message);
    }

    [Fact]
    public void Empty_cell_names_column_and_row()
    {
        var e = Assert.Throws<DataValidationException>(() => TimeSeriesTable.FromDataFrame(CsvFrame.Parse("a,b\n1,2\n3,\n5,6\n"), "b"));
        Assert.Equal(("b", 2L), (e.Column, e.Row));
        Assert.Contains("column 'b', row 2", e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Theory]
    [InlineData("NaN", "NaN")]
    [InlineData("Infinity", "outside the finite float32 range")]
    [InlineData("1e39", "outside the finite float32 range")]
    public void NaN_and_infinite_cells_name_column_and_row(string cell, string expected)
    {
        var e = Assert.Throws<DataValidationException>(() => TimeSeriesTable.FromDataFrame(CsvFrame.Parse($"a,b\n1,2\n3,4\n{cell},6\n"), "b"));
        Assert.Equal(("a", 3L), (e.Column, e.Row));
        Assert.Contains("column 'a', row 3", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Unparseable_date_names_column_and_row()
    {
        var e = Assert.Throws<DataValidationException>(() =>
            TimeSeriesTable.FromDataFrame(CsvFrame.Parse("when,v\n2020-01-01,1\nsoon,2\n"), "v", dateColumn: "when"));
        Assert.Equal(("when", 2L), (e.Column, e.Row));
        Assert.Contains("not a date", e.Message);
    }

    [Fact]
    public void Duplicate_feature_is_an_argument_error()
    {
        var e = Assert.Throws<ArgumentException>(() => TimeSeriesTable.FromDataFrame(CsvFrame.Parse(Csv), "a", features: ["b", "b"]));
        Assert.Equal("features", e.ParamName);
        Assert.Contains("'b' is listed 2 times", e.Message);
    }

    [Fact]
    public void FromTensor_copies_to_float32_and_rejects_NaN_with_its_time_step()
    {
        using var source = torch.tensor(new double[] { 1, 2, 3 });
        using var table = TimeSeriesTable.FromTensor(source);
        Assert.Equal(new[] { "y" }, table.Columns);
        Assert.Equal(new long[] { 3, 1 }, table.Values.shape);
        Assert.Equal(torch.ScalarType.Float32, table.Values.dtype);

        using var bad = torch.tensor(new float[] { 1, 2, float.NaN, 4 });
        var e = Assert.Throws<ArgumentException>(() => TimeSeriesTable.FromTensor(bad));
        Assert.Contains("time step 2", e.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeriesTable.FromTensor(source, targetIndex: 1));
        Assert.Equal("targetIndex", range.ParamName);
    }
}
