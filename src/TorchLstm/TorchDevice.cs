using TorchLstm.Native;
using TorchSharp;

namespace TorchLstm;

/// <summary>Chooses the device (CPU or CUDA) that models and tensors follow.</summary>
public static class TorchDevice
{
    /// <summary>
    /// Resolves "cpu", "cuda", "cuda:N" or "auto" (CUDA when available, else CPU) to a torch device.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of the accepted forms.</exception>
    /// <exception cref="InvalidOperationException">CUDA was asked for but is not available, with the reason and the fix.</exception>
    public static torch.Device Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        NativeLoader.EnsureLoaded();
        string normalized = name.Trim().ToLowerInvariant();
        if (normalized == "cpu") return torch.CPU;
        if (normalized == "auto") return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        if (normalized == "cuda" || normalized.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new InvalidOperationException(
                    $"device '{name}' was requested but CUDA is not available: this build references the CPU-only " +
                    "libtorch (TorchSharp-cpu), or no NVIDIA driver/GPU is present. Build with " +
                    "'-p:TorchLstmBackend=cuda' (references TorchSharp-cuda-linux) on a machine with a CUDA 12 driver, or use device 'cpu'.");
            return torch.device(normalized);
        }
        throw new ArgumentException($"unknown device '{name}': use 'cpu', 'cuda', 'cuda:N' or 'auto'", nameof(name));
    }
}
