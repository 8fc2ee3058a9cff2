using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Models;

internal static class ModelTestHelpers
{
    internal static Tensor Parameter(nn.Module module, string name) =>
        module.named_parameters().Single(p => p.name == name).parameter;

    internal static long ParameterCount(nn.Module module) =>
        module.parameters().Sum(p => p.numel());

    internal static double MaxAbsDifference(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        return (a - b).abs().max().item<float>();
    }

    /// <summary>Copies every parameter of <paramref name="target"/> from <paramref name="source"/>'s parameter named prefix + name + suffix.</summary>
    internal static void CopyParameters(nn.Module target, nn.Module source, string prefix, string suffix = "")
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in target.named_parameters())
            parameter.copy_(Parameter(source, prefix + name + suffix));
    }
}
