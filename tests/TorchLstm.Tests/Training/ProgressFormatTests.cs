using TorchLstm.Training;

namespace TorchLstm.Tests.Training;

public class ProgressFormatTests
{
    [Fact]
    public void Every_logged_value_prints_with_four_decimals_and_small_ones_in_scientific_notation()
    {
        var logs = new Dictionary<string, double>
        {
            ["loss"] = 0.41851,
            ["mae"] = 0.574834,
            ["val_loss"] = 0.0000123456,
            ["val_mae"] = 12.5,
            ["lr"] = 0.001,
            ["seconds"] = 0.523,
        };

        string line = ProgressReporter.FormatLine(3, 20, logs, meanEpochSeconds: 0.5);

        Assert.Equal("Epoch 3/20 - loss: 0.4185 - mae: 0.5748 - val_loss: 1.235e-05 - val_mae: 12.5000 - lr: 1.0e-03 - 0.52s - ETA 8.5s", line);
    }

    [Theory]
    [InlineData(0.0, "0.0000")]
    [InlineData(0.001, "0.0010")]
    [InlineData(0.00099, "9.900e-04")]
    [InlineData(-0.25, "-0.2500")]
    [InlineData(double.NaN, "NaN")]
    public void Values_format_consistently(double value, string expected) => Assert.Equal(expected, ProgressReporter.FormatValue(value));
}
