using Microsoft.Data.Analysis;
using TorchLstm.Data;
using TorchSharp;

namespace TorchLstm.Tests.Data;

public class BundledDatasetsTests
{
    [Fact]
    public void Seattle_weather_has_1461_rows_and_the_expected_columns()
    {
        var frame = BundledDatasets.SeattleWeather();
        Assert.Equal(1461, frame.Rows.Count);
        Assert.Equal(new[] { "date", "precipitation", "temp_max", "temp_min", "wind", "weather" }, frame.Columns.Select(c => c.Name));
        Assert.IsType<StringDataFrameColumn>(frame.Columns["weather"]);
        Assert.IsType<DoubleDataFrameColumn>(frame.Columns["temp_max"]);
        Assert.Equal(12.8, frame.Columns["temp_max"][0]);
        Assert.Equal("drizzle", frame.Columns["weather"][0]);
    }

    [Fact]
    public void Co2_has_monthly_rows_and_two_numeric_columns()
    {
        var frame = BundledDatasets.Co2Concentration();
        Assert.Equal(741, frame.Rows.Count);
        Assert.Equal(new[] { "Date", "CO2", "adjusted CO2" }, frame.Columns.Select(c => c.Name));
        Assert.Equal(315.70, frame.Columns["CO2"][0]);
        using var table = TimeSeriesTable.FromDataFrame(frame, "CO2", dateColumn: "Date");
        Assert.Equal(new DateTime(2020, 4, 1), table.Timestamps![^1]);
    }

    [Fact]
    public void Stocks_filter_by_symbol_and_their_dates_parse()
    {
        var msft = BundledDatasets.Stocks("MSFT");
        Assert.Equal(123, msft.Rows.Count);
        Assert.All(((StringDataFrameColumn)msft.Columns["symbol"]).ToArray(), s => Assert.Equal("MSFT", s));
        using var table = TimeSeriesTable.FromDataFrame(msft, "price", dateColumn: "date");
        Assert.Equal(new DateTime(2000, 1, 1), table.Timestamps![0]);
        Assert.Equal(39.81f, table.Values[0, 0].item<float>(), 3);

        var e = Assert.Throws<ArgumentException>(() => BundledDatasets.Stocks("XYZ"));
        Assert.Contains("'XYZ' is not in the stocks dataset", e.Message);
        Assert.Contains("AAPL", e.Message);
        Assert.Equal(560, BundledDatasets.Stocks().Rows.Count);
    }

    [Fact]
    public void Raw_text_of_an_unknown_file_lists_the_bundled_ones()
    {
        Assert.StartsWith("date,precipitation", BundledDatasets.ReadCsvText("seattle-weather.csv"));
        var e = Assert.Throws<ArgumentException>(() => BundledDatasets.ReadCsvText("iris.csv"));
        Assert.Contains("seattle-weather.csv, co2-concentration.csv, stocks.csv", e.Message);
    }

    [Fact]
    public void Noisy_sine_is_deterministic_per_seed_with_residual_variance_near_noise_squared()
    {
        using var a = BundledDatasets.NoisySine(seed: 1);
        using var b = BundledDatasets.NoisySine(seed: 1);
        using var c = BundledDatasets.NoisySine(seed: 2);
        Assert.Equal(new long[] { 1000 }, a.shape);
        Assert.Equal(torch.ScalarType.Float32, a.dtype);
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        Assert.NotEqual(a.data<float>().ToArray(), c.data<float>().ToArray());

        using var x = torch.linspace(0, 50, 1000, dtype: torch.ScalarType.Float32);
        using var residual = a - x.sin();
        double variance = residual.var().item<float>();
        Assert.InRange(variance, 0.0085, 0.0115);
        Assert.InRange(residual.mean().item<float>(), -0.01f, 0.01f);

        using var clean = BundledDatasets.NoisySine(points: 5, end: 4, noise: 0);
        Assert.Equal(new[] { 0f, MathF.Sin(1), MathF.Sin(2), MathF.Sin(3), MathF.Sin(4) }, clean.data<float>().ToArray());
    }
}
