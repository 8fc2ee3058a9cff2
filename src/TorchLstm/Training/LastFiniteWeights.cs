using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>
/// A copy of the weights as they were after the last epoch that ended with finite losses and
/// weights; the copy tensors are allocated once and overwritten in place, so keeping it costs one
/// model's worth of memory and one device copy per epoch.
/// </summary>
internal sealed class LastFiniteWeights : IDisposable
{
    private readonly (Tensor Live, Tensor Copy)[] pairs;

    public LastFiniteWeights(nn.Module model)
    {
        using var noGrad = no_grad();
        pairs = model.state_dict().Values.Select(live => (live, Copy(live))).ToArray();
    }

    private static Tensor Copy(Tensor live)
    {
        using var detached = live.detach();
        return detached.clone().DetachFromDisposeScope();
    }

    public void Capture()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (live, copy) in pairs) copy.copy_(live);
    }

    public void Restore()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (live, copy) in pairs) live.copy_(copy);
    }

    /// <summary>Whether every weight is finite now (one device synchronisation).</summary>
    public bool LiveWeightsAreFinite()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var allFinite = ones(1, ScalarType.Bool, pairs.Length == 0 ? CPU : pairs[0].Live.device);
        foreach (var (live, _) in pairs)
            if (live.is_floating_point()) allFinite = allFinite.logical_and(live.isfinite().all());
        return allFinite.item<bool>();
    }

    public void Dispose()
    {
        foreach (var (_, copy) in pairs) copy.Dispose();
    }
}
