using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>
/// A set of tensors whose dimension 0 indexes the same samples: a whole dataset or one mini-batch of
/// it. The runner batches, shuffles, moves and disposes such a set tensor by tensor, then rebuilds it
/// with <see cref="WithTensors"/>, so a model with several inputs (source and target ids, inputs and a
/// mask, ...) trains on its own typed data without packing everything into one tensor.
/// </summary>
/// <typeparam name="TSelf">The implementing type, so that rebuilding keeps the type.</typeparam>
public interface ISampleBatch<TSelf> where TSelf : ISampleBatch<TSelf>
{
    /// <summary>The tensors, in a fixed order; each has the samples in dimension 0.</summary>
    IReadOnlyList<Tensor> Tensors { get; }

    /// <summary>
    /// The same kind of set made of <paramref name="tensors"/> (in the order of <see cref="Tensors"/>):
    /// a gathered or sliced batch, or the set moved to another device. It must not copy or take ownership.
    /// </summary>
    TSelf WithTensors(IReadOnlyList<Tensor> tensors);
}

/// <summary>Helpers over <see cref="ISampleBatch{TSelf}"/>.</summary>
public static class SampleBatch
{
    /// <summary>Samples in the set (dimension 0 of its first tensor).</summary>
    public static long Count<TBatch>(TBatch batch) where TBatch : ISampleBatch<TBatch>
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.Tensors.Count == 0 ? 0 : batch.Tensors[0].shape[0];
    }

    /// <summary>
    /// Checks that the set has at least one tensor, that every tensor has a sample dimension, and that
    /// all agree on the number of samples.
    /// </summary>
    /// <exception cref="ArgumentException">A check fails; the message starts with <paramref name="name"/>.</exception>
    public static void Validate<TBatch>(TBatch batch, string name) where TBatch : ISampleBatch<TBatch>
    {
        ArgumentNullException.ThrowIfNull(batch, name);
        var tensors = batch.Tensors;
        if (tensors.Count == 0)
            throw new ArgumentException($"{name}: a {typeof(TBatch).Name} must hold at least one tensor", name);
        for (int i = 0; i < tensors.Count; i++)
        {
            if (tensors[i] is null)
                throw new ArgumentException($"{name}: tensor {i} of the {typeof(TBatch).Name} is null", name);
            if (tensors[i].dim() == 0)
                throw new ArgumentException(
                    $"{name}: every tensor needs a sample dimension, but tensor {i} of the {typeof(TBatch).Name} is a scalar", name);
        }
        long count = tensors[0].shape[0];
        for (int i = 1; i < tensors.Count; i++)
            if (tensors[i].shape[0] != count)
                throw new ArgumentException(
                    $"{name}: tensor 0 of the {typeof(TBatch).Name} holds {count} samples but tensor {i} holds {tensors[i].shape[0]}", name);
    }
}
