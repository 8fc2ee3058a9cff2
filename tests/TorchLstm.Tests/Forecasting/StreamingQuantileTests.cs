using TorchLstm.Data;
using TorchLstm.Forecasting;
using TorchLstm.Models;
using TorchSharp;

namespace TorchLstm.Tests.Forecasting;

public class StreamingQuantileTests
{
    private static readonly double[] Levels = [0.1, 0.5, 0.9];

    [Fact]
    public void Streamed_points_and_quantiles_equal_the_whole_history_run_at_every_step_and_resume_from_a_saved_state()
    {
        torch.random.manual_seed(21);
        const int steps = 40, horizon = 2;
        using var inner = new StackedLstm(2, [8, 5], horizon * (1 + Levels.Length));
        using var model = new ResidualForecaster(inner, targetColumn: 1);
        using var raw = torch.rand(steps, 2, dtype: torch.ScalarType.Float64) * 20 + 5;
        var scaler = new StandardScaler().Fit(raw.narrow(0, 0, 25));
        using var scaled = scaler.Transform(raw).to(torch.ScalarType.Float32);
        using var streaming = new StreamingPredictor(model, scaler, targetIndex: 1, Levels);
        Assert.Equal(horizon, streaming.Horizon);
        Assert.Null(streaming.LastQuantiles);

        string? saved = null;
        var afterSave = new List<double[,]>();
        for (int t = 1; t <= steps; t++)
        {
            var point = streaming.Update(raw[t - 1].data<double>().ToArray());
            double[] whole;
            using (torch.no_grad())
            using (var output = model.call(scaled.narrow(0, 0, t).unsqueeze(0)))
            using (var original = scaler.InverseTransformColumn(output[0].to(torch.ScalarType.Float64), 1))
                whole = original.data<double>().ToArray();
            var quantiles = streaming.LastQuantiles!;
            for (int h = 0; h < horizon; h++)
            {
                Assert.Equal(whole[h * 4], point[h], 1e-4);
                var expected = whole.Skip(h * 4 + 1).Take(3).Order().ToArray();
                for (int q = 0; q < 3; q++) Assert.Equal(expected[q], quantiles[h, q], 1e-4);
            }
            if (t == 25) saved = streaming.SaveState().ToJson();
            if (t > 25) afterSave.Add(quantiles);
        }

        using var resumed = new StreamingPredictor(model, scaler, targetIndex: 1, Levels);
        resumed.RestoreState(StreamingState.FromJson(saved!));
        Assert.Equal(25, resumed.Steps);
        Assert.NotNull(resumed.LastQuantiles);
        for (int t = 26; t <= steps; t++)
        {
            resumed.Update(raw[t - 1].data<double>().ToArray());
            var quantiles = resumed.LastQuantiles!;
            for (int h = 0; h < horizon; h++)
                for (int q = 0; q < 3; q++) Assert.Equal(afterSave[t - 26][h, q], quantiles[h, q], 1e-9);
        }
    }

    [Fact]
    public void On_the_networks_own_scale_streamed_points_and_quantiles_equal_the_whole_run_within_1e5()
    {
        // The 1e-5 criterion on the network's own (scaled) outputs; the scaler of the test above magnifies float32 rounding.
        torch.random.manual_seed(4);
        using var model = new StackedGru(1, [6], 1 + Levels.Length);
        using var rows = torch.randn(60, 1);
        using var streaming = new StreamingPredictor(model, quantiles: Levels);
        for (int t = 1; t <= 60; t++)
        {
            var point = streaming.Update(rows[t - 1].to(torch.ScalarType.Float64).data<double>().ToArray());
            using var noGrad = torch.no_grad();
            using var output = model.call(rows.narrow(0, 0, t).unsqueeze(0));
            var whole = output[0].to(torch.ScalarType.Float64).data<double>().ToArray();
            Assert.Equal(whole[0], point[0], 1e-5);
            var sorted = whole.Skip(1).Order().ToArray();
            for (int q = 0; q < 3; q++) Assert.Equal(sorted[q], streaming.LastQuantiles![0, q], 1e-5);
        }
    }

    [Fact]
    public void A_model_whose_output_is_not_a_point_and_the_quantiles_per_step_is_refused()
    {
        using var model = new StackedLstm(1, [4], 5);
        var error = Assert.Throws<ArgumentException>(() => new StreamingPredictor(model, quantiles: Levels));
        Assert.Contains("outputs 5 values per forecast, which is not a point and 3 quantiles", error.Message);
        Assert.Throws<ArgumentException>(() => new StreamingPredictor(model, quantiles: [0.9, 0.1]));
    }

    [Fact]
    public void A_monitor_needs_the_quantiles_of_its_interval()
    {
        using var model = new StackedLstm(1, [4], 4);
        using var predictor = new StreamingPredictor(model, quantiles: Levels);
        var error = Assert.Throws<ArgumentException>(() => new StreamingMonitor(predictor, nominal: 0.95));
        Assert.Contains("needs the 0.025 and 0.975 quantiles", error.Message);
        using var pointModel = new StackedLstm(1, [4], 1);
        using var pointPredictor = new StreamingPredictor(pointModel);
        Assert.Throws<ArgumentException>(() => new StreamingMonitor(pointPredictor));

        var monitor = new StreamingMonitor(predictor, nominal: 0.8);
        var first = monitor.Observe(0.3);
        Assert.Null(first.Lower);
        Assert.False(first.IsAnomaly);
        var interval = monitor.NextInterval!.Value;
        Assert.Equal(first.NextLower, interval.Lower);
        Assert.Equal(predictor.LastQuantiles![0, 0], interval.Lower);
        Assert.Equal(predictor.LastQuantiles![0, 2], interval.Upper);
        var second = monitor.Observe(interval.Upper + 2 * (interval.Upper - interval.Lower));
        Assert.True(second.IsAnomaly);
        Assert.Equal(2.0, second.Severity, 9);
    }
}
