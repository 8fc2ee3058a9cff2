using System.Globalization;

namespace TorchLstm.Anomaly;

/// <summary>
/// How well flags match true labels: the confusion counts and precision, recall and F1 of the
/// "anomaly" class. A ratio whose denominator is 0 is reported as 0 (as scikit-learn's
/// <c>zero_division=0</c>), so a detector that flags nothing scores 0, not NaN.
/// </summary>
/// <param name="TruePositives">Flagged and truly anomalous.</param>
/// <param name="FalsePositives">Flagged but normal (false alarms).</param>
/// <param name="FalseNegatives">Anomalous but not flagged (missed).</param>
/// <param name="TrueNegatives">Normal and not flagged.</param>
public sealed record DetectionScores(int TruePositives, int FalsePositives, int FalseNegatives, int TrueNegatives)
{
    /// <summary>Share of flags that are real anomalies: TP / (TP + FP).</summary>
    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>Share of real anomalies that were flagged: TP / (TP + FN).</summary>
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>Harmonic mean of precision and recall.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>Counts the four outcomes.</summary>
    /// <param name="flagged">Whether each point was flagged.</param>
    /// <param name="labels">Whether each point really is an anomaly; same length.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static DetectionScores Compute(IReadOnlyList<bool> flagged, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(flagged);
        ArgumentNullException.ThrowIfNull(labels);
        if (flagged.Count != labels.Count)
            throw new ArgumentException($"flagged has {flagged.Count} entries but labels has {labels.Count}; they must describe the same points.", nameof(labels));
        int tp = 0, fp = 0, fn = 0, tn = 0;
        for (int i = 0; i < flagged.Count; i++)
        {
            switch (flagged[i], labels[i])
            {
                case (true, true): tp++; break;
                case (true, false): fp++; break;
                case (false, true): fn++; break;
                default: tn++; break;
            }
        }
        return new DetectionScores(tp, fp, fn, tn);
    }

    /// <summary>e.g. "precision 0.750, recall 0.600, F1 0.667 (TP 3, FP 1, FN 2, TN 94)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"precision {Precision:F3}, recall {Recall:F3}, F1 {F1:F3} (TP {TruePositives}, FP {FalsePositives}, FN {FalseNegatives}, TN {TrueNegatives})");

    private static double Ratio(int numerator, int denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
