using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>
/// A detached copy of a module's parameters and buffers (its state dict), used to keep the best
/// weights and put them back.
/// </summary>
public sealed class WeightSnapshot : IDisposable
{
    private readonly Dictionary<string, Tensor> tensors;

    private WeightSnapshot(Dictionary<string, Tensor> tensors) => this.tensors = tensors;

    /// <summary>The copied tensors by state-dict name; owned by this snapshot.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => tensors;

    /// <summary>Copies the module's current state dict.</summary>
    public static WeightSnapshot Capture(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var noGrad = no_grad();
        var copies = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in module.state_dict())
        {
            using var detached = tensor.detach();
            // Detached from any dispose scope on purpose: the snapshot outlives the epoch that made it.
            copies[name] = detached.clone().DetachFromDisposeScope();
        }
        return new WeightSnapshot(copies);
    }

    /// <summary>A snapshot holding copies of <paramref name="tensors"/> (the caller keeps the originals).</summary>
    internal static WeightSnapshot CopyOf(IReadOnlyDictionary<string, Tensor> tensors)
    {
        using var noGrad = no_grad();
        var copies = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in tensors)
        {
            using var detached = tensor.detach();
            copies[name] = detached.clone().DetachFromDisposeScope();
        }
        return new WeightSnapshot(copies);
    }

    /// <summary>Copies the snapshot back into the module's tensors in place (optimisers keep their references).</summary>
    /// <exception cref="ArgumentException">The module's state dict has different names or shapes.</exception>
    public void RestoreTo(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var target = module.state_dict();
        if (target.Count != tensors.Count || target.Keys.Any(k => !tensors.ContainsKey(k)))
            throw new ArgumentException(
                $"the snapshot holds [{string.Join(", ", tensors.Keys)}] but the module has [{string.Join(", ", target.Keys)}]",
                nameof(module));
        // copy_ hands back a wrapper of the same storage; the scope releases it.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, tensor) in target)
        {
            var saved = tensors[name];
            if (!saved.shape.SequenceEqual(tensor.shape))
                throw new ArgumentException(
                    $"'{name}' is {Metrics.Shape(saved)} in the snapshot but {Metrics.Shape(tensor)} in the module", nameof(module));
            tensor.copy_(saved);
        }
    }

    /// <summary>Releases the copied tensors.</summary>
    public void Dispose()
    {
        foreach (var tensor in tensors.Values) tensor.Dispose();
        tensors.Clear();
    }
}
