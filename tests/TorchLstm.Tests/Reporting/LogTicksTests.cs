using TorchLstm.Reporting;

namespace TorchLstm.Tests.Reporting;

public class LogTicksTests
{
    private static string[] Labels(double low, double high) =>
        PlotRendering.LogTicks(Math.Log10(low), Math.Log10(high)).Majors.Select(m => m.Label).ToArray();

    [Fact]
    public void Sequence_lengths_25_to_800_get_one_two_five_labels_in_plain_numbers()
    {
        Assert.Equal(["50", "100", "200", "500"], Labels(22, 900));
        var (majors, minors) = PlotRendering.LogTicks(Math.Log10(22), Math.Log10(900));
        Assert.Equal(Math.Log10(200), majors[2].Position, 12);
        Assert.Contains(minors, p => Math.Abs(p - Math.Log10(30)) < 1e-12);
    }

    [Fact]
    public void Wide_ranges_label_only_powers_of_ten_and_large_values_get_thousands_separators()
    {
        Assert.Equal(["0.001", "0.01", "0.1", "1", "10", "100", "1,000", "10,000"], Labels(0.0009, 20_000));
    }

    [Fact]
    public void Less_than_a_decade_gets_more_labels_and_tiny_values_use_exponents()
    {
        Assert.Equal(["20", "30", "50", "70", "100"], Labels(15, 110));
        Assert.Equal(["1e-5", "2e-5", "5e-5", "1e-4"], Labels(0.9e-5, 1.5e-4));
    }
}
