using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive;

namespace TorchLstm.NotebookRunner;

/// <summary>
/// Keeps the native libraries of every restored package findable for the life of the process.
/// </summary>
/// <remarks>
/// A kernel resolves its packages' native libraries only until it is disposed, which the
/// <c>dotnet-interactive</c> tool never does before its process ends. This host runs one kernel per
/// notebook and disposes it, while objects of that notebook (SkiaSharp's, for example) may still be
/// finalized later and need their native library: without this fallback the finalizer thread fails
/// with <see cref="DllNotFoundException"/> and takes the process down.
/// </remarks>
internal static class NativeLibraries
{
    private static readonly ConcurrentDictionary<string, byte> PackageRoots = new(StringComparer.Ordinal);
    private static int installed;

    public static void Remember(IEnumerable<ResolvedPackageReference> packages)
    {
        foreach (var package in packages)
            foreach (var root in package.ProbingPaths)
                PackageRoots.TryAdd(root, 0);
        if (Interlocked.Exchange(ref installed, 1) == 0)
            AssemblyLoadContext.Default.ResolvingUnmanagedDll += Resolve;
    }

    private static IntPtr Resolve(Assembly assembly, string name)
    {
        string[] runtimes = [RuntimeInformation.RuntimeIdentifier, $"{OperatingSystemName()}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}"];
        string[] files = [name, $"lib{name}.so", $"{name}.so", $"lib{name}.dylib", $"{name}.dll"];
        foreach (var root in PackageRoots.Keys)
            foreach (var runtime in runtimes.Distinct())
                foreach (var file in files)
                {
                    string path = Path.Combine(root, "runtimes", runtime, "native", file);
                    if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle)) return handle;
                }
        return IntPtr.Zero;
    }

    private static string OperatingSystemName() =>
        OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
}
