using Microsoft.Data.Analysis;
using TorchLstm.Data;
using TorchLstm.Forecasting;
using TorchLstm.Models;
using TorchSharp;

namespace TorchLstm.Tests.Forecasting;

public class FutureForecastTests
{
    private static DateTime[] Dates(DataFrame frame) => ((PrimitiveDataFrameColumn<DateTime>)frame.Columns[FutureForecast.DateColumn]).Select(d => d!.Value).ToArray();

    private static double[] Values(DataFrame frame, string column) => ((DoubleDataFrameColumn)frame.Columns[column]).Select(v => v!.Value).ToArray();

    [Fact]
    public void A_daily_forecast_of_the_seattle_data_starts_the_day_after_its_end_on_the_original_scale()
    {
        using var table = TimeSeriesTable.FromDataFrame(BundledDatasets.SeattleWeather(), "temp_max", dateColumn: "date");
        torch.random.manual_seed(1);
        using var model = new StackedLstm(table.FeatureCount, [4], 3);
        var scaler = new MinMaxScaler().Fit(table.Values.narrow(0, 0, 1000));
        var network = NetworkForecaster.FromScaled(model, scaler, table.TargetIndex, lookback: 30, horizon: 3);

        var forecast = network.Forecast(table, 3);

        Assert.Equal(new[] { new DateTime(2016, 1, 1), new DateTime(2016, 1, 2), new DateTime(2016, 1, 3) }, Dates(forecast));
        // Direct: the network on the last 30 rows, scaled in and mapped back to °C by hand.
        model.eval();
        using (torch.no_grad())
        {
            using var scaledWindow = scaler.Transform(table.Values.narrow(0, table.Length - 30, 30).unsqueeze(0));
            using var scaledForecast = model.call(scaledWindow);
            using var celsius = scaler.InverseTransformColumn(scaledForecast, table.TargetIndex);
            var expected = celsius[0].to(torch.ScalarType.Float64).data<double>().ToArray();
            Assert.Equal(expected, Values(forecast, "temp_max"), new ToleranceComparer(1e-5));
        }

        var persistence = new Persistence().Forecast(table, 1);
        Assert.Equal(5.6, Values(persistence, "temp_max")[0], 5);
        var error = Assert.Throws<ArgumentException>(() => new Persistence().Forecast(table, 4));
        Assert.Contains("would need the future values of 'precipitation', 'temp_min', 'wind'", error.Message);
    }

    /// <summary>Exports <paramref name="model"/> with its scaler as TorchScript, loads the file back and hands it to <paramref name="use"/>.</summary>
    private static void WithExportedFile(torch.nn.Module<torch.Tensor, torch.Tensor> model, Scaler scaler,
        Action<torch.jit.ScriptModule<torch.Tensor, torch.Tensor>> use)
    {
        string path = Path.Combine(Path.GetTempPath(), $"forecast-{Guid.NewGuid():N}.pt");
        try
        {
            TorchLstm.Export.TorchScript.Save(TorchLstm.Export.ScaledForecaster.FromScaler(model, scaler, 0), path);
            using var loaded = TorchLstm.Export.TorchScript.Load(path);
            use(loaded);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_forecast_from_an_exported_torchscript_file_equals_the_model_and_scaler_in_memory()
    {
        using var table = TimeSeriesTable.FromDataFrame(BundledDatasets.Co2Concentration(), "CO2", ["CO2", "adjusted CO2"], dateColumn: "Date");
        torch.random.manual_seed(4);
        using var model = new StackedGru(2, [6], 4);
        var scaler = new StandardScaler().Fit(table.Values.narrow(0, 0, 500));
        WithExportedFile(model, scaler, loaded =>
        {
            var fromFile = NetworkForecaster.OnOriginalScale(loaded, lookback: 24, horizon: 4).Forecast(table, 4);
            var inMemory = NetworkForecaster.FromScaled(model, scaler, 0, lookback: 24, horizon: 4).Forecast(table, 4);

            Assert.Equal(new DateTime(2020, 8, 1), Dates(fromFile)[^1]);
            Assert.Equal(Values(inMemory, "CO2"), Values(fromFile, "CO2"), new ToleranceComparer(1e-3));
            // On the original scale: near the last measured concentration (416 ppm), not near 0.
            Assert.All(Values(fromFile, "CO2"), v => Assert.InRange(v, 200, 700));
        });
    }

    [Fact]
    public void An_exported_quantile_network_gives_the_same_points_and_quantiles_as_in_memory()
    {
        using var table = TimeSeriesTable.FromDataFrame(BundledDatasets.Co2Concentration(), "CO2", ["CO2", "adjusted CO2"], dateColumn: "Date");
        double[] levels = [0.1, 0.5, 0.9];
        torch.random.manual_seed(5);
        // Horizon 2, so 2 × (1 point + 3 quantiles) outputs.
        using var model = new StackedLstm(2, [6], 8);
        var scaler = new StandardScaler().Fit(table.Values.narrow(0, 0, 500));
        WithExportedFile(model, scaler, loaded =>
        {
            var fromFile = QuantileNetworkForecaster.OnOriginalScale(loaded, lookback: 12, horizon: 2, levels);
            var inMemory = QuantileNetworkForecaster.FromScaled(model, scaler, 0, lookback: 12, horizon: 2, levels);
            using var windows = new ForecastWindows(table.Values.narrow(0, 700, 24).unfold(0, 12, 1).permute(0, 2, 1).contiguous(), 0);

            var (filePoints, fileQuantiles) = fromFile.PredictBoth(windows);
            var (memoryPoints, memoryQuantiles) = inMemory.PredictBoth(windows);
            Assert.Equal(13, filePoints.GetLength(0));
            for (int w = 0; w < 13; w++)
                for (int h = 0; h < 2; h++)
                {
                    Assert.Equal(memoryPoints[w, h], filePoints[w, h], 3);
                    for (int q = 0; q < levels.Length; q++) Assert.Equal(memoryQuantiles[w, h, q], fileQuantiles[w, h, q], 3);
                    // On the original scale and sorted: near the concentrations of the 2010s, never a negative width.
                    Assert.InRange(fileQuantiles[w, h, 1], 200, 700);
                    Assert.True(fileQuantiles[w, h, 0] <= fileQuantiles[w, h, 2]);
                }
        });
    }

    [Fact]
    public void The_bundled_monthly_co2_series_continues_on_the_first_of_each_month()
    {
        using var table = TimeSeriesTable.FromDataFrame(BundledDatasets.Co2Concentration(), "CO2", ["CO2"], dateColumn: "Date");
        Assert.Equal(SeriesFrequency.Monthly, SeriesFrequency.Infer(table.Timestamps!));
        var forecast = new SeasonalNaive(12, horizon: 14).Forecast(table, 14);
        var dates = Dates(forecast);
        Assert.Equal(new DateTime(2020, 5, 1), dates[0]);
        Assert.Equal(new DateTime(2021, 6, 1), dates[^1]);
        // Seasonal naive: May 2020 repeats May 2019; June 2021 (14 steps on) repeats June 2019 again.
        using var co2 = table.Values.select(1, 0).to(torch.ScalarType.Float64);
        var series = co2.data<double>().ToArray();
        Assert.Equal(series[^12], Values(forecast, "CO2")[0], 4);
        Assert.Equal(series[^11], Values(forecast, "CO2")[13], 4);
    }

    [Fact]
    public void Month_end_dates_stay_on_month_ends_through_february_of_a_leap_year()
    {
        var ends = new[] { new DateTime(2019, 10, 31), new DateTime(2019, 11, 30), new DateTime(2019, 12, 31), new DateTime(2020, 1, 31) };
        var frequency = SeriesFrequency.Infer(ends);
        Assert.Equal(SeriesFrequency.MonthlyAtMonthEnd, frequency);
        Assert.Equal("monthly (month end)", frequency.ToString());
        using var values = torch.tensor(new float[] { 1, 2, 3, 4 });
        using var table = TimeSeriesTable.FromTensor(values, timestamps: ends);
        var forecast = new Drift(4).Forecast(table, 3);
        Assert.Equal(new[] { new DateTime(2020, 2, 29), new DateTime(2020, 3, 31), new DateTime(2020, 4, 30) }, Dates(forecast));
        Assert.Equal(new double[] { 5, 6, 7 }, Values(forecast, "y"), new ToleranceComparer(1e-6));

        // Mid-month dates keep their day, and a quarterly series its three-month step.
        Assert.Equal(new DateTime(2021, 3, 15), SeriesFrequency.Infer([new(2020, 11, 15), new(2020, 12, 15), new(2021, 1, 15)]).Advance(new DateTime(2021, 1, 15), 2));
        Assert.Equal("quarterly", SeriesFrequency.Infer([new(2020, 1, 1), new(2020, 4, 1), new(2020, 7, 1)]).ToString());
    }

    [Fact]
    public void A_one_step_model_forecasts_recursively_and_follows_a_noiseless_autoregression()
    {
        // y(t) = 0.6 y(t−1) − 0.3 y(t−2) + 2, started away from its fixed point.
        var y = new List<double> { 10, -4 };
        while (y.Count < 230) y.Add(0.6 * y[^1] - 0.3 * y[^2] + 2);
        using var all = torch.tensor(y.Select(v => (float)v).ToArray());
        using var history = TimeSeriesTable.FromTensor(all.narrow(0, 0, 12));
        var ridge = RidgeAutoregression.Fit(history, lookback: 2, horizon: 1, penalty: 0);

        var forecast = ridge.Forecast(history, 6);

        Assert.Equal(Enumerable.Range(1, 6).ToArray(), ((Int32DataFrameColumn)forecast.Columns["step"]).Select(s => s!.Value).ToArray());
        var values = Values(forecast, "y");
        for (int k = 0; k < 6; k++) Assert.Equal(y[12 + k], values[k], 3);
    }

    [Fact]
    public void Irregular_timestamps_are_named_with_rows_dates_and_the_expected_frequency()
    {
        var dates = Enumerable.Range(0, 10).Select(i => new DateTime(2021, 1, 1).AddDays(i)).ToList();
        dates[6] = dates[6].AddHours(5);
        var error = Assert.Throws<DataValidationException>(() => SeriesFrequency.Infer(dates));
        Assert.Contains("the series looks daily, but 2 row(s) are off that grid: row 7 (2021-01-07 05:00:00, after 2021-01-06), row 8 (2021-01-08, after 2021-01-07 05:00:00)", error.Message);
        Assert.Equal(7, error.Row);

        dates[6] = dates[4];
        Assert.Contains("row 7 (2021-01-05) does not come after row 6 (2021-01-06)", Assert.Throws<DataValidationException>(() => SeriesFrequency.Infer(dates)).Message);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
