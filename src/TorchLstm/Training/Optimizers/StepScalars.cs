using TorchSharp;

namespace TorchLstm.Training.Optimizers;

/// <summary>
/// The native <see cref="Scalar"/>s one optimiser step needs, made once per step and released together
/// when it ends.
/// </summary>
/// <remarks>
/// Why this exists: every <c>double</c> passed where TorchSharp expects a <see cref="Scalar"/> becomes a
/// small native object that only the finaliser frees. TorchSharp's own optimisers make about seven per
/// parameter tensor per step; left to the finaliser they fragment the C heap (measured on the seed workload:
/// about 45 MB of resident memory per epoch), so a loop has to force a garbage collection to stay flat.
/// Values repeat within a step (every parameter shares the betas and, normally, the step count), so each
/// distinct value is converted once.
/// </remarks>
internal sealed class StepScalars : IDisposable
{
    private readonly List<(double Value, Scalar Scalar)> made = new(8);

    /// <summary>The scalar for <paramref name="value"/>, valid until this set is disposed.</summary>
    public Scalar Of(double value)
    {
        // A handful of entries per step: a linear scan beats hashing. Compared bitwise so that -0.0 and NaN stay distinct.
        long bits = BitConverter.DoubleToInt64Bits(value);
        foreach (var (v, s) in made)
            if (BitConverter.DoubleToInt64Bits(v) == bits) return s;
        var scalar = value.ToScalar();
        made.Add((value, scalar));
        return scalar;
    }

    public void Dispose()
    {
        foreach (var (_, scalar) in made) scalar.Dispose();
        made.Clear();
    }
}
