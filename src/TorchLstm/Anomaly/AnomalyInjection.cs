using System.Globalization;

namespace TorchLstm.Anomaly;

/// <summary>The shape of an injected anomaly.</summary>
public enum InjectedAnomalyKind
{
    /// <summary>One point pushed up or down (a sensor glitch).</summary>
    Spike,
    /// <summary>A run of <see cref="AnomalyInjectionOptions.Length"/> points shifted together (a stuck or drifting sensor).</summary>
    LevelShift,
}

/// <summary>Options of <see cref="AnomalyInjection.Inject"/>.</summary>
public sealed record AnomalyInjectionOptions
{
    /// <summary>Number of anomalies; accepted: 1 or more, and they must fit in the allowed range without touching.</summary>
    public int Count { get; init; } = 10;

    /// <summary>Size of each shift in standard deviations of the series (sign chosen at random); accepted: finite and greater than 0.</summary>
    public double Magnitude { get; init; } = 4.0;

    /// <summary>Spike or level shift.</summary>
    public InjectedAnomalyKind Kind { get; init; } = InjectedAnomalyKind.Spike;

    /// <summary>Points per level shift (1 for spikes); accepted: 1 or more.</summary>
    public int Length { get; init; } = 1;

    /// <summary>First index where an anomaly may start (for example the start of the test block); accepted: 0 or more.</summary>
    public int StartIndex { get; init; }

    /// <summary>Seed of the positions and signs: the same seed gives the same anomalies.</summary>
    public long Seed { get; init; } = 42;
}

/// <summary>A series with anomalies added, and where they are.</summary>
/// <param name="Values">The series with the anomalies.</param>
/// <param name="Labels">True at every point that was changed.</param>
/// <param name="Starts">Index of the first point of each anomaly, ascending.</param>
public sealed record InjectedAnomalies(double[] Values, bool[] Labels, int[] Starts);

/// <summary>Adds labelled anomalies to a clean series, for demonstrations and tests of a detector.</summary>
public static class AnomalyInjection
{
    /// <summary>
    /// Copies <paramref name="series"/> and shifts <see cref="AnomalyInjectionOptions.Count"/> non-overlapping,
    /// non-adjacent runs of points by ± magnitude · σ(series), at seeded random positions from
    /// <see cref="AnomalyInjectionOptions.StartIndex"/> on.
    /// </summary>
    /// <exception cref="ArgumentException">The series is empty, has non-finite values, or is constant.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its accepted range, or the anomalies do not fit.</exception>
    public static InjectedAnomalies Inject(IReadOnlyList<double> series, AnomalyInjectionOptions? options = null)
    {
        options ??= new AnomalyInjectionOptions();
        var values = AnomalyInput.CheckErrors(series, nameof(series));
        int length = options.Kind == InjectedAnomalyKind.Spike ? 1 : options.Length;
        if (options.Count < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Count, $"AnomalyInjectionOptions.Count must be 1 or more (got {options.Count}).");
        if (!double.IsFinite(options.Magnitude) || options.Magnitude <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.Magnitude, string.Create(CultureInfo.InvariantCulture, $"AnomalyInjectionOptions.Magnitude must be finite and greater than 0 (got {options.Magnitude})."));
        if (length < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Length, $"AnomalyInjectionOptions.Length must be 1 or more (got {options.Length}).");
        if (options.StartIndex < 0 || options.StartIndex >= values.Length)
            throw new ArgumentOutOfRangeException(nameof(options), options.StartIndex, $"AnomalyInjectionOptions.StartIndex must be in [0, {values.Length - 1}] for a series of {values.Length} points (got {options.StartIndex}).");
        // Each anomaly needs its own run plus one untouched point after it, so that runs never merge.
        int slots = (values.Length - options.StartIndex + 1) / (length + 1);
        if (options.Count > slots)
            throw new ArgumentOutOfRangeException(nameof(options), options.Count,
                $"{options.Count} anomalies of length {length} do not fit in the {values.Length - options.StartIndex} points from index {options.StartIndex} (at most {slots}).");

        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
        if (std == 0)
            throw new ArgumentException("The series is constant, so anomaly sizes in standard deviations are undefined; add a little noise first.", nameof(series));

        var random = new Random(unchecked((int)(options.Seed ^ (options.Seed >> 32))));
        // Spread the free points (those no run needs) at random in front of the runs; sorted offsets
        // keep the runs in order and at least one point apart.
        int free = values.Length - options.StartIndex - options.Count * length - (options.Count - 1);
        var gaps = Enumerable.Range(0, options.Count).Select(_ => random.Next(free + 1)).Order().ToArray();
        var starts = new int[options.Count];
        for (int a = 0; a < options.Count; a++)
            starts[a] = options.StartIndex + gaps[a] + a * (length + 1);

        var labels = new bool[values.Length];
        foreach (int start in starts)
        {
            double shift = (random.Next(2) == 0 ? -1 : 1) * options.Magnitude * std;
            for (int i = start; i < start + length; i++)
            {
                values[i] += shift;
                labels[i] = true;
            }
        }
        return new InjectedAnomalies(values, labels, starts);
    }
}
