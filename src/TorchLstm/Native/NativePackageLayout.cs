using System.Reflection;
using System.Runtime.InteropServices;

namespace TorchLstm.Native;

/// <summary>Where TorchSharp's glue and libtorch live: beside the app, or in the NuGet package folders.</summary>
internal static class NativePackageLayout
{
    /// <summary>The original <c>libLibTorchSharp.so</c> that belongs to this TorchSharp assembly.</summary>
    internal static string? FindOriginalGlue(Assembly torchSharp)
    {
        string dir = Path.GetDirectoryName(torchSharp.Location) ?? "";
        string[] candidates =
        [
            Path.Combine(dir, NativeLoader.GlueFileName),
            Path.Combine(dir, "runtimes", "linux-x64", "native", NativeLoader.GlueFileName),
            // NuGet cache layout: torchsharp/<version>/lib/<tfm>/TorchSharp.dll
            Path.Combine(dir, "..", "..", "runtimes", "linux-x64", "native", NativeLoader.GlueFileName),
        ];
        return candidates.Select(Path.GetFullPath).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// The folder holding the libtorch this TorchSharp needs: the app's own copy first, then the NuGet
    /// package (newest version first), and only then the consolidated copy TorchSharp itself may have made
    /// beside its assembly in the NuGet cache (<c>lib/&lt;tfm&gt;/cpu</c>).
    /// </summary>
    internal static string? FindLibtorchDirectory(Assembly torchSharp, string glueDirectory)
    {
        string dir = Path.GetDirectoryName(torchSharp.Location) ?? "";
        var candidates = new List<string> { dir, Path.Combine(dir, "runtimes", "linux-x64", "native"), glueDirectory };
        foreach (var packages in NuGetPackageRoots(dir))
        {
            foreach (var package in SafeDirectories(packages, "libtorch-cpu-linux-x64").Concat(SafeDirectories(packages, "libtorch-cuda-*-linux-x64")))
                foreach (var version in SafeDirectories(package, "*").OrderByDescending(VersionOf))
                    candidates.Add(Path.Combine(version, "runtimes", "linux-x64", "native"));
        }
        candidates.Add(Path.Combine(dir, "cpu"));
        return candidates.Select(Path.GetFullPath).FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")));
    }

    private static Version VersionOf(string folder) =>
        Version.TryParse(Path.GetFileName(folder).Split('-')[0], out var version) ? version : new Version(0, 0);

    private static IEnumerable<string> NuGetPackageRoots(string torchSharpDirectory)
    {
        // torchsharp/<version>/lib/<tfm>/ → the packages folder is four levels up.
        yield return Path.GetFullPath(Path.Combine(torchSharpDirectory, "..", "..", "..", ".."));
        string? configured = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrEmpty(configured)) yield return configured;
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home)) yield return Path.Combine(home, ".nuget", "packages");
    }

    private static IEnumerable<string> SafeDirectories(string parent, string pattern)
    {
        try { return Directory.Exists(parent) ? Directory.GetDirectories(parent, pattern) : []; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }
}

/// <summary>The shared libraries mapped into this process, read from <c>/proc/self/maps</c>.</summary>
internal static class LoadedNativeLibraries
{
    /// <summary>
    /// The canonical path of <paramref name="path"/> (symbolic links resolved), as <c>/proc/self/maps</c>
    /// names mapped files; the path itself where it cannot be resolved or off Unix.
    /// </summary>
    internal static string Canonical(string path)
    {
        if (OperatingSystem.IsWindows()) return Path.GetFullPath(path);
        IntPtr resolved = RealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return Path.GetFullPath(path);
        try { return Marshal.PtrToStringUTF8(resolved) ?? Path.GetFullPath(path); }
        finally { Free(resolved); }
    }

    [DllImport("libc", EntryPoint = "realpath")]
    private static extern IntPtr RealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);

    /// <summary>Distinct paths of mapped files whose file name satisfies <paramref name="fileName"/>; empty off Linux.</summary>
    internal static IReadOnlyList<string> Matching(Func<string, bool> fileName)
    {
        const string maps = "/proc/self/maps";
        if (!OperatingSystem.IsLinux() || !File.Exists(maps)) return [];
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(maps))
        {
            int slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0) continue;
            string path = line[slash..].Trim();
            if (fileName(Path.GetFileName(path))) paths.Add(path);
        }
        return [.. paths];
    }
}
