using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>Splits a dataset into mini-batches.</summary>
public static class Batches
{
    /// <summary>
    /// Yields (inputs, targets) mini-batches of at most <paramref name="batchSize"/> samples.
    /// </summary>
    /// <remarks>
    /// With <paramref name="shuffle"/> the order is a permutation drawn from <paramref name="generator"/>
    /// (so one seed fixes it); without, batches follow the dataset's order, as evaluation needs.
    /// The yielded tensors are views or gathers made in the caller's dispose scope: dispose them (or
    /// run the loop body in a scope) each iteration.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">Inputs and targets hold different numbers of samples.</exception>
    public static IEnumerable<(Tensor Inputs, Tensor Targets)> Iterate(
        SequenceDataset data, int batchSize, bool shuffle = false, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.Validate(nameof(data));
        return Iterate<SequenceDataset>(data, batchSize, shuffle, generator).Select(b => (b.Inputs, b.Targets));
    }

    /// <summary>
    /// Yields mini-batches of at most <paramref name="batchSize"/> samples of any
    /// <see cref="ISampleBatch{TSelf}"/>, every tensor cut or gathered at the same samples.
    /// </summary>
    /// <remarks>
    /// The same order and lifetime rules as the (inputs, targets) overload: with <paramref name="shuffle"/>
    /// one permutation drawn from <paramref name="generator"/> per call; the batch's tensors are made in
    /// the caller's dispose scope and are the caller's to dispose.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">The tensors disagree on the number of samples.</exception>
    public static IEnumerable<TBatch> Iterate<TBatch>(TBatch data, int batchSize, bool shuffle = false, Generator? generator = null)
        where TBatch : ISampleBatch<TBatch>
    {
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be at least 1");
        SampleBatch.Validate(data, nameof(data));
        return IterateCore(data, batchSize, shuffle, generator);
    }

    private static IEnumerable<TBatch> IterateCore<TBatch>(TBatch data, int batchSize, bool shuffle, Generator? generator)
        where TBatch : ISampleBatch<TBatch>
    {
        var tensors = data.Tensors;
        long count = SampleBatch.Count(data);
        var parts = new Tensor[tensors.Count];
        if (!shuffle)
        {
            for (long start = 0; start < count; start += batchSize)
            {
                long length = Math.Min(batchSize, count - start);
                for (int i = 0; i < parts.Length; i++) parts[i] = tensors[i].narrow(0, start, length);
                yield return data.WithTensors([.. parts]);
            }
            yield break;
        }

        var first = tensors[0];
        // Tensors may live on different devices (for example targets kept on the CPU for metrics); each
        // other device gets its own copy of the batch's indices, freed with it. torch.Device has
        // reference equality only, so compare type and index.
        var onOtherDevice = tensors.Select(t => t.device_type != first.device_type || t.device_index != first.device_index).ToArray();
        using var order = torch.randperm(count, generator: generator, device: first.device);
        for (long start = 0; start < count; start += batchSize)
        {
            long length = Math.Min(batchSize, count - start);
            using var index = order.narrow(0, start, length);
            for (int i = 0; i < parts.Length; i++)
            {
                if (!onOtherDevice[i])
                {
                    parts[i] = tensors[i].index_select(0, index);
                    continue;
                }
                using var moved = index.to(tensors[i].device);
                parts[i] = tensors[i].index_select(0, moved);
            }
            yield return data.WithTensors([.. parts]);
        }
    }
}
