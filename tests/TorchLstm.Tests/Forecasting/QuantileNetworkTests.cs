using TorchLstm.Anomaly;
using TorchLstm.Data;
using TorchLstm.Experiments;
using TorchLstm.Forecasting;
using TorchLstm.Models;
using TorchLstm.Training;
using TorchSharp;

namespace TorchLstm.Tests.Forecasting;

/// <summary>One small quantile LSTM trained on a sine with known Gaussian noise, shared by the tests that read it.</summary>
public sealed class NoisySineQuantileNetwork : IDisposable
{
    public const double NoiseStd = 0.2;
    public const int Lookback = 25;
    public static readonly double[] Levels = [0.025, 0.1, 0.5, 0.9, 0.975];

    public NoisySineQuantileNetwork()
    {
        var random = new Random(17);
        Series = new double[1500];
        for (int t = 0; t < Series.Length; t++)
        {
            double noise = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            Series[t] = Math.Sin(2 * Math.PI * t / 25) + NoiseStd * noise;
        }
        Table = TimeSeriesTable.FromTensor(torch.tensor(Series, torch.ScalarType.Float32));
        var data = ForecastData.Prepare(Table, new ForecastDataOptions { Lookback = Lookback });
        var options = new ForecastExperimentOptions
        {
            Quantiles = Levels,
            HiddenSizes = [16],
            Data = data.Options,
            Training = new TrainingOptions { Epochs = 60, BatchSize = 32, LearningRate = 0.01, Seed = 3, Progress = ProgressMode.None },
        };
        var trained = ForecastExperiment.Train(data, 1, options, TextWriter.Null);
        Result = ForecastResult.Evaluate(trained.Model, trained.Forecaster, trained.History, data, trained.Summary, trained.Seconds, options.Quantiles);
    }

    public double[] Series { get; }

    public TimeSeriesTable Table { get; }

    public ForecastResult Result { get; }

    public void Dispose()
    {
        Result.Dispose();
        Table.Dispose();
    }
}

public class QuantileNetworkTests(NoisySineQuantileNetwork fixture, ITestOutputHelper output) : IClassFixture<NoisySineQuantileNetwork>
{
    private static readonly double[] Levels = NoisySineQuantileNetwork.Levels;

    [Fact]
    public void A_quantile_network_on_a_series_with_known_noise_covers_near_nominal_with_the_noise_width()
    {
        var result = fixture.Result;
        Assert.Equal(6, result.Model.OutputSize); // a point and five quantiles for one step
        var quantiles = result.PredictedQuantiles!;
        var c80 = PredictionIntervals.Coverage(quantiles, Levels, result.Truth, 0.8);
        var c95 = PredictionIntervals.Coverage(quantiles, Levels, result.Truth, 0.95);
        output.WriteLine($"{c80}; {c95}; point RMSE {result.Rmse:F4}; {result.History.Count} epochs");
        Assert.InRange(c80.Coverage, 0.74, 0.87);
        Assert.InRange(c95.Coverage, 0.91, 0.985);
        // N(0, 0.2²): the 80 % interval is ±1.2816σ wide, the 95 % one ±1.96σ.
        Assert.InRange(c80.MeanWidth, 0.85 * 2 * 1.2816 * NoisySineQuantileNetwork.NoiseStd, 1.25 * 2 * 1.2816 * NoisySineQuantileNetwork.NoiseStd);
        Assert.InRange(c95.MeanWidth, 0.85 * 2 * 1.96 * NoisySineQuantileNetwork.NoiseStd, 1.25 * 2 * 1.96 * NoisySineQuantileNetwork.NoiseStd);
        // The point output is a forecast, not a quantile: its RMSE is near the noise.
        Assert.InRange(result.Rmse, NoisySineQuantileNetwork.NoiseStd * 0.9, NoisySineQuantileNetwork.NoiseStd * 1.2);
    }

    [Fact]
    public void The_forecaster_gives_the_results_point_and_sorted_quantiles_on_the_original_scale()
    {
        var result = fixture.Result;
        var forecaster = QuantileNetworkForecaster.FromResult(result);
        Assert.Equal(Levels, forecaster.Quantiles);
        Assert.Equal(1, forecaster.Horizon);
        using var test = ForecastWindows.FromData(result.Data, result.Data.Test!);
        var (point, quantiles) = forecaster.PredictBoth(test);
        for (int i = 0; i < point.GetLength(0); i++)
        {
            Assert.Equal(result.Predicted[i, 0], point[i, 0], 5);
            for (int q = 0; q < Levels.Length; q++)
            {
                Assert.Equal(result.PredictedQuantiles![i, 0, q], quantiles[i, 0, q], 5);
                if (q > 0) Assert.True(quantiles[i, 0, q] >= quantiles[i, 0, q - 1]);
            }
        }
    }

    [Fact]
    public void The_baseline_report_compares_the_quantile_networks_point_forecast_and_the_point_reader_refuses_it()
    {
        var (table, _) = BaselineReport.Compare(fixture.Result, fixture.Table);
        Assert.Equal("lstm", table["model"][0]);
        Assert.Equal(fixture.Result.Rmse, (double)table["rmse"][0]!, 9);
        var error = Assert.Throws<ArgumentException>(() => NetworkForecaster.FromResult(fixture.Result));
        Assert.Contains("QuantileNetworkForecaster.FromResult", error.Message);
    }

    [Fact]
    public void Metrics_json_reports_the_levels_and_the_test_coverage_of_both_intervals()
    {
        var result = fixture.Result;
        var json = result.MetricsJson();
        Assert.Equal(Levels, json["quantiles"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal(PredictionIntervals.Coverage(result.PredictedQuantiles!, Levels, result.Truth, 0.8).Coverage, json["coverage_80"]!.GetValue<double>());
        Assert.Equal(PredictionIntervals.Coverage(result.PredictedQuantiles!, Levels, result.Truth, 0.95).Coverage, json["coverage_95"]!.GetValue<double>());
    }

    [Fact]
    public void Outputs_split_into_points_and_sorted_quantiles_step_by_step()
    {
        // Two windows, horizon 2, levels [a, b]: per step [point, a, b]; window 1 step 0 has crossing quantiles.
        double[] flat = [10, 9, 11, 20, 18, 23, /**/ 30, 31, 29, 40, 39, 41];
        var (point, quantiles) = QuantileOutputs.Split(flat, rows: 2, horizon: 2, levels: 2);
        Assert.Equal(new double[,] { { 10, 20 }, { 30, 40 } }, point);
        Assert.Equal(new double[,,] { { { 9, 11 }, { 18, 23 } }, { { 29, 31 }, { 39, 41 } } }, quantiles);
        Assert.Throws<InvalidOperationException>(() => QuantileOutputs.Split(flat, rows: 2, horizon: 3, levels: 2));
    }

    [Fact]
    public void Streaming_monitoring_flags_injected_spikes_in_the_test_block_and_few_normal_points()
    {
        var series = fixture.Series;
        int testStart = series.Length - 300;
        var injected = AnomalyInjection.Inject(series, new AnomalyInjectionOptions { Count = 6, Magnitude = 4, StartIndex = testStart, Seed = 5 });
        var labels = injected.Labels.Skip(testStart).ToArray();

        MonitoringStep[] Monitor(bool replaceFlagged, double[]? values = null)
        {
            using var predictor = StreamingPredictor.FromResult(fixture.Result);
            var monitor = new StreamingMonitor(predictor, nominal: 0.95, replaceFlagged: replaceFlagged);
            // Warm up on the clean history just before the test block, as a model deployed there would be.
            for (int t = testStart - 200; t < testStart; t++) monitor.Observe(series[t]);
            return Enumerable.Range(testStart, 300).Select(t => monitor.Observe((values ?? injected.Values)[t])).ToArray();
        }

        var fed = Monitor(replaceFlagged: false);
        var replaced = Monitor(replaceFlagged: true);
        var fedScores = DetectionScores.Compute(fed.Select(s => s.IsAnomaly).ToArray(), labels);
        var replacedScores = DetectionScores.Compute(replaced.Select(s => s.IsAnomaly).ToArray(), labels);
        output.WriteLine($"spikes fed to the network: {fedScores}; replaced by the forecast: {replacedScores}");

        Assert.Equal(6, fedScores.TruePositives);
        Assert.Equal(6, replacedScores.TruePositives);
        // On the clean series about 5 % of the points fall outside their 95 % interval, as nominal.
        double cleanRate = Monitor(replaceFlagged: false, values: series).Count(s => s.IsAnomaly) / 300.0;
        output.WriteLine($"false alarms on the clean series: {cleanRate:P1}");
        Assert.InRange(cleanRate, 0.01, 0.10);
        // A spike fed to the network throws the next forecasts off; replaced, it leaves the state alone.
        Assert.True(replacedScores.FalsePositives <= fedScores.FalsePositives, $"{replacedScores} against {fedScores}");
        Assert.Equal(6, replaced.Count(s => s.Replaced && labels[(int)(s.Step - 201)]));
        Assert.DoesNotContain(replaced.Zip(replaced.Skip(1)), pair => pair.First.Replaced && pair.Second.Replaced);
        foreach (int start in injected.Starts)
        {
            var step = fed[start - testStart];
            Assert.True(step.Severity > 1, $"a spike of 4σ of the series lies more than one interval width outside: {step}");
        }
        Assert.True(fed.Where((s, i) => !labels[i] && !s.IsAnomaly).All(s => s.Severity == 0));
    }
}
