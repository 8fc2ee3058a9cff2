using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Models.Scratch;

/// <summary>Comparison helpers: the largest absolute difference, and gradients relative to the largest reference gradient.</summary>
internal static class CrossCheck
{
    internal static double MaxAbsDiff(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        return (actual - expected).abs().max().ToDouble();
    }

    internal static void Close(Tensor actual, Tensor expected, double tolerance, string what)
    {
        double diff = MaxAbsDiff(actual, expected);
        Assert.True(diff <= tolerance, $"{what}: max |difference| {diff:E2} exceeds {tolerance:E0}");
    }

    internal static void GradientsClose(Tensor? actual, Tensor? expected, double tolerance, string what)
    {
        Assert.True(expected is not null, $"{what}: reference gradient missing");
        Assert.True(actual is not null, $"{what}: gradient missing");
        double scale = Math.Max(expected!.abs().max().ToDouble(), 1e-30);
        double relative = MaxAbsDiff(actual!, expected) / scale;
        Assert.True(relative <= tolerance, $"{what}: gradient differs by {relative:E2} of the largest gradient, more than {tolerance:E0}");
    }

    /// <summary>Copies every parameter of <paramref name="source"/> into <paramref name="target"/> by name.</summary>
    internal static void CopyParameters(nn.Module source, nn.Module target)
    {
        var (missing, unexpected) = target.load_state_dict(source.state_dict(), strict: true);
        Assert.Empty(missing);
        Assert.Empty(unexpected);
    }

    /// <summary>A fixed random weighting so every output element gets its own gradient.</summary>
    internal static Tensor Weighting(Tensor like, Generator generator) =>
        torch.randn(like.shape, like.dtype, generator: generator);
}
