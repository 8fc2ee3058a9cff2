namespace TorchLstm.Benchmarks;

/// <summary>One thing to time: a name and a function returning one measurement (for example ms per epoch).</summary>
/// <param name="Name">Key of the candidate's timings.</param>
/// <param name="Measure">Runs the workload once and returns its measurement.</param>
public sealed record BenchmarkCandidate(string Name, Func<double> Measure);

/// <summary>
/// Interleaved repeated measurement: every repeat runs each candidate once, back to back, reversing
/// the order on alternate repeats so that neither side always runs first (warmer caches, a load spike
/// at the start). On a shared machine this keeps ratios meaningful even when absolute times are not.
/// </summary>
public static class PairedRuns
{
    /// <summary>The order candidates run in on a 0-based repeat: as given on even repeats, reversed on odd ones.</summary>
    public static IReadOnlyList<int> Order(int candidateCount, int repeat)
    {
        if (candidateCount < 1) throw new ArgumentOutOfRangeException(nameof(candidateCount), candidateCount, "at least one candidate is needed");
        if (repeat < 0) throw new ArgumentOutOfRangeException(nameof(repeat), repeat, "repeat numbers start at 0");
        var order = Enumerable.Range(0, candidateCount).ToArray();
        if (repeat % 2 == 1) Array.Reverse(order);
        return order;
    }

    /// <summary>Runs every candidate <paramref name="repeats"/> times, interleaved; returns each one's measurements in repeat order.</summary>
    /// <param name="repeats">Accepted: 1 or more (3 or more for a meaningful median).</param>
    /// <param name="candidates">Distinctly named candidates.</param>
    /// <param name="report">Called after each measurement with (name, 0-based repeat, value), e.g. to print progress.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="repeats"/> is below 1.</exception>
    /// <exception cref="ArgumentException">No candidates, or two share a name.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyList<double>> Run(
        int repeats, IReadOnlyList<BenchmarkCandidate> candidates, Action<string, int, double>? report = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), repeats, "repeats must be 1 or more");
        if (candidates.Count == 0) throw new ArgumentException("at least one candidate is needed", nameof(candidates));
        var results = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var candidate in candidates)
            if (!results.TryAdd(candidate.Name, new List<double>(repeats)))
                throw new ArgumentException($"two candidates are named '{candidate.Name}'; names must be distinct", nameof(candidates));
        for (int repeat = 0; repeat < repeats; repeat++)
        {
            foreach (int i in Order(candidates.Count, repeat))
            {
                double value = candidates[i].Measure();
                results[candidates[i].Name].Add(value);
                report?.Invoke(candidates[i].Name, repeat, value);
            }
        }
        return results.ToDictionary(r => r.Key, r => (IReadOnlyList<double>)r.Value, StringComparer.Ordinal);
    }
}
