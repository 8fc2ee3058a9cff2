using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Benchmarks;

/// <summary>
/// The hand-written TorchSharp loop a user would write without this library: shuffled mini-batches,
/// MSE, zero_grad / backward / step, one dispose scope per batch, nothing read back from the device.
/// The yardstick the shared runner is measured against.
/// </summary>
public static class BareLoop
{
    /// <summary>One training epoch over <paramref name="data"/> in batches drawn with <paramref name="generator"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1.</exception>
    public static void TrainEpoch(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, SequenceDataset data, int batchSize, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        model.train();
        // The iterator's index tensors are made outside the batch scopes; this bounds them to the epoch.
        using var epochScope = NewDisposeScope();
        foreach (var (inputs, targets) in Batches.Iterate(data, batchSize, shuffle: true, generator))
        {
            using var scope = NewDisposeScope();
            using var x = inputs;
            using var y = targets;
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.forward(x), y);
            loss.backward();
            optimizer.step();
        }
    }

    /// <summary>One pass of the model over <paramref name="inputs"/> in eval mode without gradients, in order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1.</exception>
    public static void InferencePass(nn.Module<Tensor, Tensor> model, Tensor inputs, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be 1 or more");
        model.eval();
        using var noGrad = no_grad();
        long count = inputs.shape[0];
        for (long start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            model.forward(inputs.narrow(0, start, Math.Min(batchSize, count - start)));
        }
    }

    /// <summary>
    /// The shuffle orders <see cref="Batches.Iterate"/> draws for the first <paramref name="epochs"/> epochs
    /// from <paramref name="generator"/>, as one (epochs, count) int64 tensor, so another framework can
    /// replay exactly the same batches (pass a generator in the state the training run starts from).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> or <paramref name="epochs"/> is below 1.</exception>
    public static Tensor ShuffleOrders(long count, int epochs, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be 1 or more");
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be 1 or more");
        using var scope = NewDisposeScope();
        var rows = new Tensor[epochs];
        for (int e = 0; e < epochs; e++) rows[e] = randperm(count, generator: generator);
        return stack(rows).MoveToOuterDisposeScope();
    }
}
