using TorchLstm.Data;
using TorchLstm.Forecasting;
using TorchLstm.Models;
using TorchLstm.Export;
using TorchSharp;

namespace TorchLstm.Tests.Forecasting;

public class BaselineTests(ITestOutputHelper output)
{
    // One window per row of `rows`; a single feature (the target).
    private static ForecastWindows Windows(double[][] rows, DateTime[,]? stamps = null)
    {
        var flat = rows.SelectMany(r => r).Select(v => (float)v).ToArray();
        return new ForecastWindows(torch.tensor(flat, [rows.Length, rows[0].Length, 1]), 0, stamps);
    }

    [Fact]
    public void Persistence_seasonal_naive_and_drift_follow_their_formulas()
    {
        using var windows = Windows([[1, 2, 3, 4, 5, 6, 7, 8], [10, 12, 11, 13, 12, 14, 13, 20]]);

        Assert.Equal(new double[,] { { 8, 8, 8 }, { 20, 20, 20 } }, new Persistence(3).Predict(windows));
        // Period 3: the next values repeat the last season (6, 7, 8) / (14, 13, 20), then again.
        Assert.Equal(new double[,] { { 6, 7, 8, 6 }, { 14, 13, 20, 14 } }, new SeasonalNaive(3, 4).Predict(windows));
        // Drift over the last 4 values: slope (8 − 5)/3 = 1 and (20 − 12)/3 = 8/3.
        var drift = new Drift(4, 2).Predict(windows);
        Assert.Equal(9, drift[0, 0], 12);
        Assert.Equal(10, drift[0, 1], 12);
        Assert.Equal(20 + 8.0 / 3, drift[1, 0], 12);
        Assert.Equal(20 + 16.0 / 3, drift[1, 1], 12);
    }

    [Fact]
    public void A_window_shorter_than_the_lookback_is_rejected_with_the_numbers()
    {
        using var windows = Windows([[1, 2, 3]]);
        var error = Assert.Throws<ArgumentException>(() => new SeasonalNaive(7).Predict(windows));
        Assert.Contains("seasonal_naive_7 needs windows of at least 7 rows; got 3", error.Message);
    }

    [Fact]
    public void Climatology_averages_the_training_values_of_each_calendar_day_and_month()
    {
        // Two years of daily values: value = year offset (0 or 10) + day of month.
        var dates = Enumerable.Range(0, 731).Select(i => new DateTime(2019, 1, 1).AddDays(i)).ToArray();
        var values = dates.Select(d => (d.Year == 2019 ? 0.0 : 10.0) + d.Day).ToArray();
        var daily = Climatology.Fit(dates, values);
        Assert.Equal(5 + 15.0, daily.ValueAt(new DateTime(2031, 3, 15)), 12);
        // 29 February was seen once (2020) and keeps its own slot; 1 March is the same slot in both years.
        Assert.Equal(10 + 29.0, daily.ValueAt(new DateTime(2024, 2, 29)), 12);
        Assert.Equal(5 + 1.0, daily.ValueAt(new DateTime(2023, 3, 1)), 12);

        var monthly = Climatology.Fit(dates, values, ClimatologyPeriod.MonthOfYear, horizon: 2);
        // January in both years: mean day 16 plus the mean year offset 5; February has 28 days in 2019 and 29 in 2020.
        double february = (Enumerable.Range(1, 28).Sum() + Enumerable.Range(1, 29).Sum(d => d + 10.0)) / 57;
        using var windows = Windows([[0]], new DateTime[,] { { new(2030, 1, 31), new(2030, 2, 28) } });
        var forecast = monthly.Predict(windows);
        Assert.Equal(21, forecast[0, 0], 12);
        Assert.Equal(february, forecast[0, 1], 12);

        // A day never seen in training falls back to the overall mean.
        var partial = Climatology.Fit(dates[..10], values[..10]);
        Assert.Equal(values[..10].Average(), partial.ValueAt(new DateTime(2030, 7, 1)), 12);
        using var undated = Windows([[0]]);
        Assert.Contains("target timestamps", Assert.Throws<ArgumentException>(() => daily.Predict(undated)).Message);
    }

    [Fact]
    public void Ridge_autoregression_recovers_a_noiseless_linear_process_for_every_horizon_step()
    {
        // y(t) = 0.6 y(t−1) − 0.3 y(t−2) + 2 + a slow sine input, two features per row.
        int rows = 300;
        var data = new float[rows * 2];
        double y1 = 0, y2 = 0;
        for (int t = 0; t < rows; t++)
        {
            double x = Math.Sin(t * 0.37);
            double y = 0.6 * y1 - 0.3 * y2 + 2 + x;
            data[2 * t] = (float)x;
            data[2 * t + 1] = (float)y;
            (y2, y1) = (y1, y);
        }
        using var values = torch.tensor(data, [rows, 2]);
        using var table = TimeSeriesTable.FromTensor(values, ["x", "y"], targetIndex: 1);
        using var train = TimeSeriesTable.FromTensor(values.narrow(0, 0, 200), ["x", "y"], targetIndex: 1);
        var ridge = RidgeAutoregression.Fit(train, lookback: 4, horizon: 1, penalty: 1e-9);
        using var windows = SlidingWindows.Create(values.narrow(0, 200, 100), 4, 1, targetColumn: 1);
        using var raw = new ForecastWindows(windows.Inputs.clone(), 1);
        var forecast = ridge.Predict(raw);
        var truth = windows.Targets.to(torch.ScalarType.Float64).data<double>().ToArray();
        for (int i = 0; i < truth.Length; i++) Assert.Equal(truth[i], forecast[i, 0], 3);

        // With a large penalty the coefficients shrink towards the training mean.
        var shrunk = RidgeAutoregression.Fit(train, 4, 1, penalty: 1e9).Predict(raw);
        double trainMean = values.narrow(0, 4, 196).select(1, 1).mean().ToDouble();
        Assert.Equal(trainMean, shrunk[0, 0], 3);
    }

    [Fact]
    public void A_network_forecaster_equals_the_scaled_model_by_hand_and_its_exported_form()
    {
        torch.random.manual_seed(3);
        using var model = new StackedLstm(2, [5], 2);
        using var rows = torch.rand(40, 2) * 10 + 5;
        var scaler = new MinMaxScaler().Fit(rows);
        using var windows = SlidingWindows.Create(rows, 6, 2, targetColumn: 1);
        using var raw = new ForecastWindows(windows.Inputs.clone(), 1);

        var forecaster = NetworkForecaster.FromScaled(model, scaler, 1, lookback: 6, horizon: 2, name: "lstm");
        var forecast = forecaster.Predict(raw);
        model.eval();
        using var byHand = torch.no_grad();
        using var expected = scaler.InverseTransformColumn(model.call(scaler.Transform(windows.Inputs)), 1);
        var exported = NetworkForecaster.OnOriginalScale(ScaledForecaster.FromScaler(model, scaler, 1), 6, 2).Predict(raw);
        for (int i = 0; i < expected.shape[0]; i++)
            for (int h = 0; h < 2; h++)
            {
                Assert.Equal(expected[i, h].ToDouble(), forecast[i, h], 5);
                Assert.Equal(forecast[i, h], exported[i, h], 4);
            }
    }

    [Fact]
    public void On_the_seattle_test_period_the_ridge_autoregression_beats_persistence_and_every_baseline_is_measured()
    {
        using var table = TimeSeriesTable.FromDataFrame(BundledDatasets.SeattleWeather(), "temp_max", dateColumn: "date");
        using var data = ForecastData.Prepare(table);
        using var test = ForecastWindows.FromData(data, data.Test!);
        using var training = TimeSeriesTable.FromTensor(data.Split.Train(table.Values), table.Columns, table.TargetIndex,
            table.Timestamps!.Take((int)data.Split.TrainCount).ToArray());
        var truth = ForecastMetrics.Flatten(ToMatrix(data.OriginalTargets(data.Test!)));
        double scale = ForecastMetrics.NaiveScale(training);

        IForecaster[] forecasters =
        [
            new Persistence(), new SeasonalNaive(7), new Drift(30),
            Climatology.Fit(training), Climatology.Fit(training, ClimatologyPeriod.MonthOfYear), RidgeAutoregression.FitSelectingPenalty(data),
        ];
        var rmse = new Dictionary<string, double>();
        foreach (var forecaster in forecasters)
        {
            var accuracy = ForecastMetrics.Evaluate(ForecastMetrics.Flatten(forecaster.Predict(test)), truth, scale);
            rmse[forecaster.Name] = accuracy.Rmse;
            output.WriteLine($"{forecaster.Name}: {accuracy}");
        }

        Assert.Equal(293, truth.Length);
        // The main job's persistence figure, recomputed through the forecaster interface.
        Assert.Equal(3.063, rmse["persistence"], 3);
        output.WriteLine($"ridge penalty chosen on validation: {((RidgeAutoregression)forecasters[^1]).Penalty}");
        Assert.True(rmse["ridge_ar"] < 0.985 * rmse["persistence"], $"ridge {rmse["ridge_ar"]:F3} vs persistence {rmse["persistence"]:F3}");
        Assert.True(rmse["persistence"] < rmse["seasonal_naive_7"] && rmse["persistence"] < rmse["drift"]);
        // MASE of persistence: its test MAE over its own in-sample MAE on the training days.
        Assert.Equal(1.063, ForecastMetrics.Evaluate(ForecastMetrics.Flatten(forecasters[0].Predict(test)), truth, scale).Mase, 3);
    }

    private static double[,] ToMatrix(torch.Tensor values)
    {
        using var cpu = values.to(torch.ScalarType.Float64).contiguous();
        var flat = cpu.data<double>().ToArray();
        var matrix = new double[cpu.shape[0], cpu.shape[1]];
        Buffer.BlockCopy(flat, 0, matrix, 0, flat.Length * sizeof(double));
        return matrix;
    }
}
