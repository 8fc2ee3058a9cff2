using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using TorchSharp;

namespace TorchLstm.Native;

/// <summary>
/// Makes TorchSharp's native glue load on Linux systems whose libstdc++ is older than the one it
/// was built against (Debian 12 and other GCC 12 systems), without touching system files or the
/// NuGet cache.
/// </summary>
/// <remarks>
/// <para>TorchSharp 0.107's <c>libLibTorchSharp.so</c> lists <c>GLIBCXX_3.4.32</c> as required, but only
/// for a marker symbol nothing calls. When the regular load fails, .NET raises
/// <see cref="AssemblyLoadContext.ResolvingUnmanagedDll"/>; the handler registered here writes a copy of
/// the library with that single version requirement flagged weak into a per-user cache folder, loads
/// libtorch from beside the original, and hands the copy's handle back to TorchSharp.</para>
/// <para>Where the regular load succeeds (newer libstdc++, Windows, macOS) the handler never runs, so this
/// is a no-op there. The handler is registered when any TorchLstm type is first used; code that calls
/// TorchSharp before touching TorchLstm should call <see cref="EnsureLoaded"/> first.</para>
/// </remarks>
public static class NativeLoader
{
    /// <summary>The library TorchSharp's P/Invokes name.</summary>
    internal const string GlueLibraryName = "LibTorchSharp";
    private const string GlueFileName = "libLibTorchSharp.so";
    private const string MarkerVersionFile = "libstdc++.so.6";
    private const string MarkerVersion = "GLIBCXX_3.4.32";

    /// <summary>Libraries preloaded by absolute path so that the cached copy's dependencies resolve by soname.</summary>
    private static readonly string[] LibtorchLoadOrder =
        ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];

    private static readonly Lock Gate = new();
    private static int registered;
    private static IntPtr patchedHandle;
    private static string? failure;
    private static bool torchReady;

    /// <summary>What happened when the native glue was resolved; empty while nothing was needed.</summary>
    public static string Status { get; private set; } = "";

    /// <summary>Path of the patched copy in use, or null when the regular load worked.</summary>
    public static string? PatchedLibraryPath { get; private set; }

#pragma warning disable CA2255 // The fix must be in place before any TorchLstm code can reach TorchSharp.
    [ModuleInitializer]
    internal static void RegisterOnModuleLoad() => Register();
#pragma warning restore CA2255

    /// <summary>Registers the fallback resolver. Idempotent and cheap; runs automatically with TorchLstm.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1) return;
        if (OperatingSystem.IsLinux())
            AssemblyLoadContext.Default.ResolvingUnmanagedDll += OnResolvingUnmanagedDll;
    }

    /// <summary>
    /// Registers the resolver and initialises TorchSharp's CPU backend, turning a load failure into a
    /// <see cref="NativeLoadException"/> that names the real cause.
    /// </summary>
    /// <exception cref="NativeLoadException">libtorch or TorchSharp's glue could not be loaded.</exception>
    public static void EnsureLoaded()
    {
        if (Volatile.Read(ref torchReady)) return;
        Register();
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            Volatile.Write(ref torchReady, true);
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
        {
            throw new NativeLoadException(Diagnose(), e);
        }
    }

    private static IntPtr OnResolvingUnmanagedDll(Assembly assembly, string name)
    {
        if (assembly.GetName().Name != "TorchSharp" || !IsGlueName(name)) return IntPtr.Zero;
        lock (Gate)
        {
            if (patchedHandle != IntPtr.Zero) return patchedHandle;
            if (failure != null) return IntPtr.Zero;
            try
            {
                patchedHandle = LoadPatchedCopy(assembly);
                return patchedHandle;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or DllNotFoundException or BadImageFormatException or UnauthorizedAccessException)
            {
                failure = e.Message;
                Status = "the patched copy of " + GlueFileName + " could not be used: " + e.Message;
                return IntPtr.Zero;
            }
        }
    }

    private static bool IsGlueName(string name) =>
        name is GlueLibraryName or GlueFileName || name.EndsWith("/" + GlueFileName, StringComparison.Ordinal);

    private static IntPtr LoadPatchedCopy(Assembly torchSharp)
    {
        string original = FindOriginalGlue(torchSharp)
            ?? throw new IOException($"{GlueFileName} was not found beside {torchSharp.Location} or in its NuGet package");
        string libtorchDir = FindLibtorchDirectory(torchSharp, Path.GetDirectoryName(original)!)
            ?? throw new IOException($"libtorch_cpu.so was not found beside {torchSharp.Location} or in a libtorch-cpu-linux-x64 NuGet package");

        foreach (var library in LibtorchLoadOrder)
        {
            string path = Path.Combine(libtorchDir, library);
            if (File.Exists(path)) NativeLibrary.Load(path);
        }

        string patched = WritePatchedCopy(original);
        IntPtr handle = NativeLibrary.Load(patched);
        PatchedLibraryPath = patched;
        Status = $"{GlueFileName} needs {MarkerVersion}, which this system's libstdc++ lacks; loaded a copy with that requirement flagged weak: {patched}";
        return handle;
    }

    /// <summary>
    /// Writes (once) a copy of <paramref name="original"/> with its <c>GLIBCXX_3.4.32</c> requirement
    /// flagged weak, into a cache folder keyed by the original's SHA-256, and returns its path.
    /// </summary>
    /// <exception cref="InvalidDataException">The file's layout is not what the fix expects.</exception>
    internal static string WritePatchedCopy(string original)
    {
        byte[] bytes = File.ReadAllBytes(original);
        string key = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        string folder = Path.Combine(CacheRoot(), "native", key);
        string target = Path.Combine(folder, GlueFileName);
        if (File.Exists(target)) return target;

        if (!ElfVersionNeeds.MarkWeak(bytes, MarkerVersionFile, MarkerVersion))
            throw new InvalidDataException(
                $"{original} does not list {MarkerVersion} of {MarkerVersionFile}, so the known fix does not apply; " +
                "the library needs a newer libstdc++ than this system has for another reason");

        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{GlueFileName}.{Environment.ProcessId}.tmp");
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, target, overwrite: true);
        return target;
    }

    private static string CacheRoot()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg)) return Path.Combine(xdg, "torchlstm");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home)
            ? Path.Combine(Path.GetTempPath(), "torchlstm-cache")
            : Path.Combine(home, ".cache", "torchlstm");
    }

    internal static string? FindOriginalGlue(Assembly torchSharp)
    {
        string dir = Path.GetDirectoryName(torchSharp.Location) ?? "";
        string[] candidates =
        [
            Path.Combine(dir, GlueFileName),
            Path.Combine(dir, "runtimes", "linux-x64", "native", GlueFileName),
            // NuGet cache layout: torchsharp/<version>/lib/<tfm>/TorchSharp.dll
            Path.Combine(dir, "..", "..", "runtimes", "linux-x64", "native", GlueFileName),
        ];
        return candidates.Select(Path.GetFullPath).FirstOrDefault(File.Exists);
    }

    private static string? FindLibtorchDirectory(Assembly torchSharp, string glueDirectory)
    {
        string dir = Path.GetDirectoryName(torchSharp.Location) ?? "";
        var candidates = new List<string> { dir, glueDirectory, Path.Combine(dir, "cpu"), Path.Combine(dir, "runtimes", "linux-x64", "native") };
        foreach (var packages in NuGetPackageRoots(dir))
        {
            foreach (var package in SafeDirectories(packages, "libtorch-cpu-linux-x64").Concat(SafeDirectories(packages, "libtorch-cuda-*-linux-x64")))
                foreach (var version in SafeDirectories(package, "*").OrderByDescending(v => v, StringComparer.Ordinal))
                    candidates.Add(Path.Combine(version, "runtimes", "linux-x64", "native"));
        }
        return candidates.Select(Path.GetFullPath).FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")));
    }

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

    private static string Diagnose()
    {
        var lines = new List<string> { "TorchSharp's native libraries could not be loaded." };
        if (failure != null)
            lines.Add($"TorchLstm's fallback for old libstdc++ versions did not apply: {failure}.");
        string? original = FindOriginalGlue(typeof(torch).Assembly);
        if (original != null && OperatingSystem.IsLinux())
        {
            try { NativeLibrary.Free(NativeLibrary.Load(original)); }
            catch (DllNotFoundException e) { lines.Add("The system loader says: " + e.Message.Trim()); }
        }
        else if (original == null)
        {
            lines.Add($"{GlueFileName} is not beside TorchSharp.dll ({typeof(torch).Assembly.Location}) nor in its NuGet package: " +
                      "reference the TorchSharp-cpu package (or TorchSharp-cuda-linux) so that the natives are restored.");
        }
        lines.Add("If a newer libstdc++ is missing, install GCC 13's libstdc++ (Ubuntu 24.04, Debian 13 and later ship it) " +
                  "or report the loader message above; see the README's Platform notes.");
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>Raised when libtorch or TorchSharp's native glue cannot be loaded; the message names the cause.</summary>
public sealed class NativeLoadException : Exception
{
    /// <summary>Creates the exception with a diagnosis and the original failure.</summary>
    public NativeLoadException(string message, Exception inner) : base(message, inner) { }
}
