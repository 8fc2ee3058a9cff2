using TorchLstm.Forecasting;
using TorchSharp;

namespace TorchLstm.Tests.Forecasting;

public class PredictionIntervalTests
{
    private static readonly double[] Levels = [0.025, 0.1, 0.5, 0.9, 0.975];

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void Coverage_width_and_pinball_loss_of_a_small_case_equal_the_hand_counts()
    {
        // Three windows, one step, levels 0.1 / 0.5 / 0.9: the 80 % interval is [q0.1, q0.9].
        var quantiles = new double[3, 1, 3] { { { 0, 1, 2 } }, { { 1, 2, 4 } }, { { -1, 0, 1 } } };
        var actual = new double[3, 1] { { 2 }, { 5 }, { 0.5 } };
        double[] levels = [0.1, 0.5, 0.9];

        var coverage = PredictionIntervals.Coverage(quantiles, levels, actual, 0.8);
        Assert.Equal(2.0 / 3, coverage.Coverage, 12); // 2 sits on its upper bound (included), 5 is above 4
        Assert.Equal((2 + 3 + 2) / 3.0, coverage.MeanWidth, 12);
        Assert.Equal(3, coverage.Count);

        var pinball = PredictionIntervals.PinballLoss(quantiles, levels, actual);
        Assert.Equal((0.1 * 2 + 0.1 * 4 + 0.1 * 1.5) / 3, pinball[0], 12);
        Assert.Equal((0.5 * 1 + 0.5 * 3 + 0.5 * 0.5) / 3, pinball[1], 12);
        Assert.Equal((0 + 0.9 * 1 + 0.1 * 0.5) / 3, pinball[2], 12);

        var report = PredictionIntervals.CalibrationReport(quantiles, levels, actual);
        Assert.Equal(4, report.Rows.Count); // the 80 % interval (no 95 % quantiles here) and three levels
        Assert.Equal("80 % interval", report["item"][0]);
        Assert.Equal(2.0 / 3, (double)report["empirical"][0]!, 12);
        Assert.Null(report["pinball"][0]);
        Assert.Equal("q0.9", report["item"][3]);
        Assert.Equal(2.0 / 3, (double)report["empirical"][3]!, 12); // 2 ≤ 2, 5 > 4, 0.5 ≤ 1
        Assert.Equal(pinball[2], (double)report["pinball"][3]!, 12);
    }

    [Fact]
    public void An_interval_whose_quantiles_are_missing_is_refused_naming_the_levels_it_needs()
    {
        var quantiles = new double[1, 1, 2];
        var error = Assert.Throws<ArgumentException>(() => PredictionIntervals.Coverage(quantiles, [0.1, 0.9], new double[1, 1], 0.95));
        Assert.Contains("needs the 0.025 and 0.975 quantiles, but the levels are [0.1, 0.9]", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => PredictionIntervals.Coverage(quantiles, [0.1, 0.9], new double[1, 1], 1.0));
    }

    [Fact]
    public void Empirical_intervals_on_gaussian_residuals_cover_near_nominal_on_new_windows()
    {
        // y = last value + N(0, 1.5²): persistence is the point forecast and its errors are the noise.
        var random = new Random(3);
        (ForecastWindows Windows, double[,] Actual) Make(int count)
        {
            var inputs = new double[count * 4];
            var actual = new double[count, 1];
            for (int i = 0; i < count; i++)
            {
                for (int t = 0; t < 4; t++) inputs[i * 4 + t] = 10 * random.NextDouble();
                actual[i, 0] = inputs[i * 4 + 3] + 1.5 * Gaussian(random);
            }
            return (new ForecastWindows(torch.tensor(inputs, [count, 4, 1], torch.ScalarType.Float64), 0), actual);
        }

        var (calibration, calibrationActual) = Make(2000);
        var (test, testActual) = Make(4000);
        using (calibration)
        using (test)
        {
            var intervals = EmpiricalIntervals.Fit(new Persistence(), calibration, calibrationActual, Levels);
            Assert.Equal("persistence+empirical", intervals.Name);
            Assert.Equal(2000, intervals.CalibrationCount);
            // The offsets estimate the normal quantiles of N(0, 1.5²): ±1.2816σ and ±1.96σ.
            Assert.Equal(1.5 * 1.2816, intervals.Offsets[0, 3], 0.15);
            Assert.Equal(-1.5 * 1.96, intervals.Offsets[0, 0], 0.2);

            var quantiles = intervals.PredictQuantiles(test);
            var c80 = PredictionIntervals.Coverage(quantiles, Levels, testActual, 0.8);
            var c95 = PredictionIntervals.Coverage(quantiles, Levels, testActual, 0.95);
            Assert.InRange(c80.Coverage, 0.775, 0.825);
            Assert.InRange(c95.Coverage, 0.935, 0.965);
            Assert.Equal(2 * 1.2816 * 1.5, c80.MeanWidth, 0.3);
        }
    }

    [Fact]
    public void Conformalizing_too_narrow_quantiles_brings_their_coverage_back_to_nominal()
    {
        // A forecaster whose quantiles assume σ = 0.5 while the noise has σ = 1.5: its 80 % interval covers ~32 %.
        var random = new Random(9);
        (ForecastWindows, double[,]) Make(int count)
        {
            var inputs = new double[count];
            var actual = new double[count, 1];
            for (int i = 0; i < count; i++)
            {
                inputs[i] = 5 * Gaussian(random);
                actual[i, 0] = inputs[i] + 1.5 * Gaussian(random);
            }
            return (new ForecastWindows(torch.tensor(inputs, [count, 1, 1], torch.ScalarType.Float64), 0), actual);
        }
        var (calibration, calibrationActual) = Make(1500);
        var (test, testActual) = Make(3000);
        using (calibration)
        using (test)
        {
            var narrow = EmpiricalIntervals.Fit(new Persistence(), calibration, Scale(calibrationActual, calibration, 1.0 / 3), Levels);
            double before = PredictionIntervals.Coverage(narrow.PredictQuantiles(test), Levels, testActual, 0.8).Coverage;
            Assert.InRange(before, 0.2, 0.45);

            var corrected = EmpiricalIntervals.Conformalize(narrow, calibration, calibrationActual);
            Assert.Equal("persistence+empirical+conformal", corrected.Name);
            var quantiles = corrected.PredictQuantiles(test);
            Assert.InRange(PredictionIntervals.Coverage(quantiles, Levels, testActual, 0.8).Coverage, 0.77, 0.83);
            Assert.InRange(PredictionIntervals.Coverage(quantiles, Levels, testActual, 0.95).Coverage, 0.93, 0.97);
            for (int i = 0; i < quantiles.GetLength(0); i++)
                for (int q = 1; q < Levels.Length; q++)
                    Assert.True(quantiles[i, 0, q] >= quantiles[i, 0, q - 1]);
        }
    }

    [Fact]
    public void Calibration_values_of_the_wrong_shape_are_refused()
    {
        using var windows = new ForecastWindows(torch.zeros(5, 3, 1), 0);
        var error = Assert.Throws<ArgumentException>(() => EmpiricalIntervals.Fit(new Persistence(), windows, new double[4, 1], Levels));
        Assert.Contains("need [5, 1]", error.Message);
        Assert.Equal("calibrationActual", error.ParamName);
    }

    // The residuals' scale shrunk by a factor: actual values pulled towards the window's last value.
    private static double[,] Scale(double[,] actual, ForecastWindows windows, double factor)
    {
        var last = windows.Inputs.select(1, -1).select(1, 0).to(torch.ScalarType.Float64).data<double>().ToArray();
        var scaled = new double[actual.GetLength(0), 1];
        for (int i = 0; i < last.Length; i++) scaled[i, 0] = last[i] + factor * (actual[i, 0] - last[i]);
        return scaled;
    }
}
