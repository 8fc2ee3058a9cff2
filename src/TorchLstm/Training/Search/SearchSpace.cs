using System.Globalization;

namespace TorchLstm.Training.Search;

/// <summary>
/// The values a hyper-parameter search may try; every combination of one value per list is a
/// candidate configuration. Defaults are one value each (the seed tutorials' LSTM(50), lr 1e-3, window 50).
/// </summary>
public sealed record SearchSpace
{
    /// <summary>Hidden units per recurrent layer. Accepted: non-empty, each 1 or more.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [50];

    /// <summary>Number of stacked recurrent layers. Accepted: non-empty, each 1 or more.</summary>
    public IReadOnlyList<int> Layers { get; init; } = [1];

    /// <summary>Dropout after each recurrent layer. Accepted: non-empty, each in [0, 1).</summary>
    public IReadOnlyList<double> Dropouts { get; init; } = [0.0];

    /// <summary>Initial learning rates. Accepted: non-empty, each finite and greater than 0.</summary>
    public IReadOnlyList<double> LearningRates { get; init; } = [1e-3];

    /// <summary>Input window lengths (time steps per sample). Accepted: non-empty, each 1 or more.</summary>
    public IReadOnlyList<int> Lookbacks { get; init; } = [50];

    /// <summary>Number of combinations (the grid's size).</summary>
    public long Size => (long)HiddenSizes.Count * Layers.Count * Dropouts.Count * LearningRates.Count * Lookbacks.Count;

    /// <summary>Checks every list.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">A list is empty or repeats a value; the parameter name is the property's.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its accepted range; the parameter name is the property's.</exception>
    public SearchSpace Validate()
    {
        Check(HiddenSizes, nameof(HiddenSizes), v => v >= 1, "1 or more");
        Check(Layers, nameof(Layers), v => v >= 1, "1 or more");
        Check(Dropouts, nameof(Dropouts), v => v >= 0 && v < 1, "in [0, 1)");
        Check(LearningRates, nameof(LearningRates), v => double.IsFinite(v) && v > 0, "finite and greater than 0");
        Check(Lookbacks, nameof(Lookbacks), v => v >= 1, "1 or more");
        return this;
    }

    /// <summary>Every combination, in a fixed order (hidden size outermost, lookback innermost).</summary>
    public IEnumerable<TrialConfig> Enumerate()
    {
        foreach (int hidden in HiddenSizes)
            foreach (int layers in Layers)
                foreach (double dropout in Dropouts)
                    foreach (double rate in LearningRates)
                        foreach (int lookback in Lookbacks)
                            yield return new TrialConfig(hidden, layers, dropout, rate, lookback);
    }

    private static void Check<T>(IReadOnlyList<T>? values, string name, Func<T, bool> accepted, string rule)
        where T : IFormattable
    {
        if (values is null || values.Count == 0)
            throw new ArgumentException($"SearchSpace.{name} needs at least one value.", name);
        foreach (var value in values)
            if (!accepted(value))
                throw new ArgumentOutOfRangeException(name, value, $"SearchSpace.{name} values must be {rule} (got {value.ToString(null, CultureInfo.InvariantCulture)}).");
        if (values.Distinct().Count() != values.Count)
            throw new ArgumentException($"SearchSpace.{name} repeats a value ({string.Join(", ", values.Select(v => v.ToString(null, CultureInfo.InvariantCulture)))}); each combination would be tried twice.", name);
    }
}

/// <summary>One configuration a search tries.</summary>
/// <param name="HiddenSize">Hidden units per recurrent layer.</param>
/// <param name="Layers">Number of stacked recurrent layers.</param>
/// <param name="Dropout">Dropout after each layer.</param>
/// <param name="LearningRate">Initial learning rate.</param>
/// <param name="Lookback">Input window length.</param>
public sealed record TrialConfig(int HiddenSize, int Layers, double Dropout, double LearningRate, int Lookback)
{
    /// <summary>The hidden sizes of the stacked model, first to last layer (all equal).</summary>
    public int[] LayerSizes => Enumerable.Repeat(HiddenSize, Layers).ToArray();

    /// <summary>e.g. "hidden 32×2, dropout 0.1, lr 0.003, lookback 20".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"hidden {HiddenSize}×{Layers}, dropout {Dropout:0.###}, lr {LearningRate:0.#####}, lookback {Lookback}");
}
