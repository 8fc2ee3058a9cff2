using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>Splits a <see cref="SequenceDataset"/> into mini-batches.</summary>
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
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be at least 1");
        data.Validate(nameof(data));
        return IterateCore(data, batchSize, shuffle, generator);
    }

    private static IEnumerable<(Tensor, Tensor)> IterateCore(SequenceDataset data, int batchSize, bool shuffle, Generator? generator)
    {
        long count = data.Count;
        if (!shuffle)
        {
            for (long start = 0; start < count; start += batchSize)
            {
                long length = Math.Min(batchSize, count - start);
                yield return (data.Inputs.narrow(0, start, length), data.Targets.narrow(0, start, length));
            }
            yield break;
        }

        using var order = torch.randperm(count, generator: generator, device: data.Inputs.device);
        for (long start = 0; start < count; start += batchSize)
        {
            long length = Math.Min(batchSize, count - start);
            using var index = order.narrow(0, start, length);
            // Targets may live elsewhere (for example on the CPU for metrics); their copy of the index is freed here too.
            // torch.Device has reference equality only, so compare type and index.
            bool sameDevice = data.Targets.device_type == data.Inputs.device_type && data.Targets.device_index == data.Inputs.device_index;
            using var targetIndex = sameDevice ? null : index.to(data.Targets.device);
            yield return (data.Inputs.index_select(0, index), data.Targets.index_select(0, targetIndex ?? index));
        }
    }
}
