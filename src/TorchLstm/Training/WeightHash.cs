using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>A fingerprint of a model's weights, to show that two runs ended with bit-identical parameters.</summary>
internal static class WeightHash
{
    /// <summary>
    /// SHA-256 over the raw bytes of every tensor of <paramref name="module"/>'s state dict (parameters
    /// and buffers), in state-dict order, as lowercase hexadecimal. Names and shapes are not hashed:
    /// equal hashes mean equal bytes in the same order.
    /// </summary>
    public static string Sha256(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (_, tensor) in module.state_dict())
            hash.AppendData(TensorBytes.Of(tensor));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
