namespace TorchLstm.Forecasting;

/// <summary>
/// The Diebold–Mariano test of equal accuracy of two forecasts of the same values, on the squared-error
/// loss differential, with the Harvey–Leybourne–Newbold small-sample correction and a Student t p-value
/// (as R's <c>forecast::dm.test</c> computes it).
/// </summary>
/// <remarks>
/// <para>With d(t) = e₁(t)² − e₂(t)², n values and mean d̄, the long-run variance of d̄ is
/// (γ₀ + 2 Σₖ₌₁^{h−1} γₖ) / n, γₖ the lag-k autocovariance of d (divided by n): h-step forecast errors
/// are autocorrelated up to lag h − 1, and the truncated uniform-weight sum is the estimator the
/// correction was derived for. Where it is not positive (possible for h &gt; 1 on short series) the
/// Newey–West (Bartlett-weighted) sum over the same lags is used instead, which is never negative.</para>
/// <para>DM = d̄ / √variance, and the corrected statistic
/// DM · √((n + 1 − 2h + h(h − 1)/n) / n) is compared with t(n − 1).</para>
/// </remarks>
public static class DieboldMariano
{
    /// <summary>Tests whether two forecasts of <paramref name="actual"/> are equally accurate.</summary>
    /// <param name="first">The first forecast (for example the network).</param>
    /// <param name="second">The second forecast (for example the best baseline).</param>
    /// <param name="actual">The observed values.</param>
    /// <param name="horizon">The forecast horizon h ≥ 1 the forecasts were made at.</param>
    /// <exception cref="ArgumentException">The arrays differ in length, hold fewer than 3 values or a non-finite one, or the losses are identical at every point.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The horizon is below 1 or not below the number of values.</exception>
    public static DieboldMarianoResult Test(IReadOnlyList<double> first, IReadOnlyList<double> second, IReadOnlyList<double> actual, int horizon = 1)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(actual);
        if (first.Count != actual.Count || second.Count != actual.Count)
            throw new ArgumentException($"both forecasts must have one value per actual value: got {first.Count}, {second.Count} and {actual.Count}", nameof(actual));
        var firstErrors = new double[actual.Count];
        var secondErrors = new double[actual.Count];
        for (int i = 0; i < actual.Count; i++)
        {
            firstErrors[i] = actual[i] - first[i];
            secondErrors[i] = actual[i] - second[i];
        }
        return TestErrors(firstErrors, secondErrors, horizon);
    }

    /// <summary>Tests whether two series of forecast errors (actual − forecast) have equal mean squared error.</summary>
    /// <exception cref="ArgumentException">The arrays differ in length, hold fewer than 3 values or a non-finite one, or the losses are identical at every point.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The horizon is below 1 or not below the number of values.</exception>
    public static DieboldMarianoResult TestErrors(IReadOnlyList<double> firstErrors, IReadOnlyList<double> secondErrors, int horizon = 1)
    {
        ArgumentNullException.ThrowIfNull(firstErrors);
        ArgumentNullException.ThrowIfNull(secondErrors);
        int n = firstErrors.Count;
        if (secondErrors.Count != n)
            throw new ArgumentException($"the error series must be equally long: got {n} and {secondErrors.Count}", nameof(secondErrors));
        if (n < 3)
            throw new ArgumentException($"the Diebold–Mariano test needs at least 3 paired errors; got {n}", nameof(firstErrors));
        if (horizon < 1 || horizon >= n)
            throw new ArgumentOutOfRangeException(nameof(horizon), horizon, $"the horizon must be in [1, {n - 1}] for {n} errors");

        var d = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(firstErrors[i]) || !double.IsFinite(secondErrors[i]))
                throw new ArgumentException($"error {i} is not finite ({firstErrors[i]}, {secondErrors[i]})", nameof(firstErrors));
            d[i] = firstErrors[i] * firstErrors[i] - secondErrors[i] * secondErrors[i];
        }
        double mean = d.Average();
        var autocovariance = new double[horizon];
        for (int k = 0; k < horizon; k++)
        {
            double sum = 0;
            for (int t = k; t < n; t++) sum += (d[t] - mean) * (d[t - k] - mean);
            autocovariance[k] = sum / n;
        }
        double longRun = autocovariance[0];
        for (int k = 1; k < horizon; k++) longRun += 2 * autocovariance[k];
        bool bartlett = false;
        if (!(longRun > 0))
        {
            bartlett = true;
            longRun = autocovariance[0];
            for (int k = 1; k < horizon; k++) longRun += 2 * (1 - (double)k / horizon) * autocovariance[k];
        }
        if (!(longRun > 0))
            throw new ArgumentException("the two forecasts have the same squared error at every point; there is no difference to test", nameof(secondErrors));

        double statistic = mean / Math.Sqrt(longRun / n);
        double correction = Math.Sqrt((n + 1 - 2.0 * horizon + horizon * (horizon - 1.0) / n) / n);
        double corrected = statistic * correction;
        return new DieboldMarianoResult(corrected, statistic, mean, StudentT.TwoSidedPValue(corrected, n - 1), n - 1, horizon, n, bartlett);
    }
}

/// <summary>The outcome of <see cref="DieboldMariano.Test"/>.</summary>
/// <param name="Statistic">The corrected statistic; positive when the first forecast has the larger squared error.</param>
/// <param name="UncorrectedStatistic">The statistic before the Harvey–Leybourne–Newbold correction.</param>
/// <param name="MeanLossDifference">Mean of e₁² − e₂²: the first forecast's MSE minus the second's.</param>
/// <param name="PValue">Two-sided p-value from t(n − 1): the chance of a difference this large if both forecasts were equally accurate.</param>
/// <param name="DegreesOfFreedom">n − 1.</param>
/// <param name="Horizon">The horizon h the variance allowed for.</param>
/// <param name="Count">Number of paired values n.</param>
/// <param name="UsedBartlettWeights">True when the uniform-weight variance was not positive and the Newey–West weights were used.</param>
public sealed record DieboldMarianoResult(
    double Statistic, double UncorrectedStatistic, double MeanLossDifference, double PValue, int DegreesOfFreedom, int Horizon, int Count, bool UsedBartlettWeights);
