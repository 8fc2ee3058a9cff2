using TorchLstm.Forecasting;
using TorchSharp;

namespace TorchLstm.Tests.Forecasting;

public class AccuracyTests
{
    [Fact]
    public void Smape_and_mase_follow_their_definitions()
    {
        double[] actual = [100, 200, 0, 50];
        double[] forecast = [110, 180, 0, 100];
        // 200/4 · (10/210 + 20/380 + 0 + 50/150)
        Assert.Equal(50 * (10.0 / 210 + 20.0 / 380 + 50.0 / 150), ForecastMetrics.Smape(forecast, actual), 12);

        double[] training = [1, 3, 2, 6, 4];
        Assert.Equal((2 + 1 + 4 + 2) / 4.0, ForecastMetrics.NaiveScale(training), 12);
        Assert.Equal((1 + 3 + 2) / 3.0, ForecastMetrics.NaiveScale(training, seasonalPeriod: 2), 12);
        Assert.Equal(20.0 / 2.25, ForecastMetrics.Mase(forecast, actual, 2.25), 12);

        var all = ForecastMetrics.Evaluate(forecast, actual, 2.25);
        Assert.Equal(20, all.Mae, 12);
        Assert.Equal(Math.Sqrt((100 + 400 + 0 + 2500) / 4.0), all.Rmse, 12);
        Assert.Contains("does not change over the seasonal period", Assert.Throws<ArgumentException>(() => ForecastMetrics.NaiveScale([2, 2, 2])).Message);
    }

    [Fact]
    public void The_metric_objects_sum_over_batches_to_the_array_values()
    {
        double[] actual = [100, 200, 0, 50, 3];
        double[] forecast = [110, 180, 0, 100, -1];
        using var p = torch.tensor(forecast);
        using var t = torch.tensor(actual);
        var smape = new SymmetricMeanAbsolutePercentageError();
        var mase = new MeanAbsoluteScaledError(2.5);
        // Two batches, as the runner would see them.
        double[] Totals(TorchLstm.Training.Metric metric)
        {
            using var first = metric.BatchStatistics(p[..2], t[..2]);
            using var second = metric.BatchStatistics(p[2..], t[2..]);
            return [first.ToDouble() + second.ToDouble()];
        }
        Assert.Equal(ForecastMetrics.Smape(forecast, actual), smape.Result(Totals(smape), 5), 9);
        Assert.Equal(ForecastMetrics.Mase(forecast, actual, 2.5), mase.Result(Totals(mase), 5), 9);
        Assert.Equal("smape", smape.Name);
        Assert.Equal("mase", mase.Name);
    }

    [Theory]
    [InlineData(1.0, 1)] // Cauchy: P(|T| ≥ 1) = 1/2
    [InlineData(2.5, 1)]
    [InlineData(0.7, 2)]
    [InlineData(4.0, 2)]
    public void The_t_p_value_matches_the_closed_forms_for_one_and_two_degrees_of_freedom(double t, int df)
    {
        double expected = df == 1 ? 1 - 2 * Math.Atan(t) / Math.PI : 1 - t / Math.Sqrt(2 + t * t);
        Assert.Equal(expected, StudentT.TwoSidedPValue(t, df), 12);
    }

    [Fact]
    public void The_t_p_value_matches_published_critical_values()
    {
        // t(0.975; 10) = 2.228138852 and t(0.995; 30) = 2.749995654 (standard tables).
        Assert.Equal(0.05, StudentT.TwoSidedPValue(2.228138852, 10), 8);
        Assert.Equal(0.01, StudentT.TwoSidedPValue(-2.749995654, 30), 8);
        Assert.Equal(1.0, StudentT.TwoSidedPValue(0, 7), 12);
    }

    [Fact]
    public void Diebold_mariano_matches_a_hand_computed_example_at_horizon_two()
    {
        // e1 = (1, −2, 3, −1, 2, 0), e2 = (0.5, −1, 1, −1.5, 1, 0.5): d = e1² − e2² = (0.75, 3, 8, −1.25, 3, −0.25),
        // d̄ = 13.25/6 = 2.2083333, γ0 = 54.927083/6 = 9.1545139, γ1 = −21.282986/6 = −3.5471644,
        // variance of d̄ = (γ0 + 2γ1)/6 = 0.3433642, DM = 2.2083333/√0.3433642 = 3.7686614,
        // HLN factor √((6 + 1 − 4 + 2/6)/6) = √(5/9), corrected 2.8089944; with 5 degrees of freedom the
        // two-sided p is 1 − (2/π)(θ + sinθ(cosθ + ⅔cos³θ)), θ = atan(t/√5): 0.0375928.
        var result = DieboldMariano.TestErrors([1, -2, 3, -1, 2, 0], [0.5, -1, 1, -1.5, 1, 0.5], horizon: 2);
        Assert.Equal(2.208333333333, result.MeanLossDifference, 10);
        Assert.Equal(3.768661431963, result.UncorrectedStatistic, 9);
        Assert.Equal(2.808994382017, result.Statistic, 9);
        Assert.Equal(0.037592758796, result.PValue, 9);
        Assert.Equal(5, result.DegreesOfFreedom);
        Assert.False(result.UsedBartlettWeights);

        // From forecasts: the same errors with actual = 10 give the same test; swapping the forecasts flips the sign.
        double[] actual = [10, 10, 10, 10, 10, 10];
        double[] first = [9, 12, 7, 11, 8, 10];
        double[] second = [9.5, 11, 9, 11.5, 9, 9.5];
        var fromForecasts = DieboldMariano.Test(first, second, actual, 2);
        Assert.Equal(result.Statistic, fromForecasts.Statistic, 12);
        Assert.Equal(-result.Statistic, DieboldMariano.Test(second, first, actual, 2).Statistic, 12);
    }

    [Fact]
    public void Diebold_mariano_rejects_identical_losses_and_bad_horizons()
    {
        Assert.Contains("same squared error", Assert.Throws<ArgumentException>(() => DieboldMariano.TestErrors([1, 2, 3], [-1, 2, -3])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DieboldMariano.TestErrors([1, 2, 3], [1, 1, 1], horizon: 3));
    }
}
