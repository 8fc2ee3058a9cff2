using static TorchSharp.torch;

namespace TorchLstm.Data.Text;

/// <summary>
/// Source and target token ids of a sequence-to-sequence task, one row per sample: sources shaped
/// (samples, sourceLength) and targets shaped (samples, targetLength), each padded at the end with
/// <see cref="SpecialTokens.PadId"/>, as <see cref="Vocabulary.EncodeBatch"/> writes them.
/// </summary>
/// <param name="SourceIds">Integer source ids; dimension 0 is the sample.</param>
/// <param name="TargetIds">Integer target ids (the output tokens, then the end token, then padding); dimension 0 is the sample.</param>
public sealed record TokenPairs(Tensor SourceIds, Tensor TargetIds) : ISampleBatch<TokenPairs>, IDisposable
{
    /// <summary>Number of pairs.</summary>
    public long Count => SourceIds.shape[0];

    /// <summary><see cref="SourceIds"/> and <see cref="TargetIds"/>, in that order.</summary>
    public IReadOnlyList<Tensor> Tensors => [SourceIds, TargetIds];

    /// <summary>Pairs of the given source and target ids (no copies).</summary>
    public TokenPairs WithTensors(IReadOnlyList<Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count != 2)
            throw new ArgumentException($"TokenPairs are made of 2 tensors (source ids, target ids), got {tensors.Count}", nameof(tensors));
        return new TokenPairs(tensors[0], tensors[1]);
    }

    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        SourceIds.Dispose();
        TargetIds.Dispose();
    }
}
