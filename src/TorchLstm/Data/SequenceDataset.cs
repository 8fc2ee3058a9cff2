using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>
/// Paired model inputs and targets whose first dimension indexes samples, for example windows
/// shaped (samples, window, features) with targets shaped (samples, horizon).
/// </summary>
/// <param name="Inputs">Model inputs; dimension 0 is the sample.</param>
/// <param name="Targets">Expected outputs; dimension 0 is the sample.</param>
public sealed record SequenceDataset(Tensor Inputs, Tensor Targets) : ISampleBatch<SequenceDataset>, IDisposable
{
    /// <summary><see cref="Inputs"/> and <see cref="Targets"/>, in that order.</summary>
    public IReadOnlyList<Tensor> Tensors => [Inputs, Targets];

    /// <summary>A dataset of the given inputs and targets (no copies).</summary>
    public SequenceDataset WithTensors(IReadOnlyList<Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count != 2)
            throw new ArgumentException($"a SequenceDataset is made of 2 tensors (inputs, targets), got {tensors.Count}", nameof(tensors));
        return new SequenceDataset(tensors[0], tensors[1]);
    }

    /// <summary>Number of samples.</summary>
    public long Count => Inputs.shape[0];

    /// <summary>Checks that inputs and targets hold the same number of samples.</summary>
    /// <exception cref="ArgumentException">The sample counts differ or a tensor has no dimensions.</exception>
    public SequenceDataset Validate(string name = "dataset")
    {
        if (Inputs.dim() == 0 || Targets.dim() == 0)
            throw new ArgumentException($"{name}: inputs and targets must have a sample dimension (got shapes [{string.Join(", ", Inputs.shape)}] and [{string.Join(", ", Targets.shape)}])");
        if (Inputs.shape[0] != Targets.shape[0])
            throw new ArgumentException($"{name}: inputs hold {Inputs.shape[0]} samples but targets hold {Targets.shape[0]}");
        return this;
    }

    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
    }
}
