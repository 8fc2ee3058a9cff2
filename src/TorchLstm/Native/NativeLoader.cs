using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using TorchSharp;

namespace TorchLstm.Native;

/// <summary>
/// Makes TorchSharp load the libtorch it was built for, from its own NuGet package, whatever else the
/// machine has — a system libtorch (Debian's <c>python3-torch</c>), an <c>LD_LIBRARY_PATH</c> pointing at
/// another build, an old libstdc++ — in a console app, a test host, a file-based app or a notebook kernel.
/// </summary>
/// <remarks>
/// <para>Two faults are handled on Linux. First, TorchSharp loads libtorch by bare name (<c>torch_cpu</c>);
/// where its package folder is not on the app's native search path (a .NET Interactive kernel resolves
/// packages from the NuGet cache) the system loader finds a system libtorch instead, and TorchSharp's glue
/// then fails with undefined symbols. So before TorchSharp initialises, the package's <c>libc10</c>,
/// <c>libtorch_cpu</c> and <c>libtorch</c> are loaded by absolute path; later loads by name resolve to them
/// through their sonames. Second, TorchSharp 0.107's glue <c>libLibTorchSharp.so</c> lists
/// <c>GLIBCXX_3.4.32</c> as required, for a marker symbol nothing calls; where the system's libstdc++ is
/// older (Debian 12) a copy with that one requirement flagged weak is written to a per-user cache folder
/// and loaded instead. System files and the NuGet cache are never modified.</para>
/// <para>The preload runs when any TorchLstm type is first used. Code that calls TorchSharp before touching
/// TorchLstm (a notebook's first cell) should call <see cref="EnsureLoaded"/> first: once another libtorch
/// is in the process nothing can take it out, and <see cref="EnsureLoaded"/> then says so.</para>
/// </remarks>
public static class NativeLoader
{
    /// <summary>The library TorchSharp's P/Invokes name.</summary>
    internal const string GlueLibraryName = "LibTorchSharp";
    internal const string GlueFileName = "libLibTorchSharp.so";
    private const string MarkerVersionFile = "libstdc++.so.6";
    private const string MarkerVersion = "GLIBCXX_3.4.32";

    /// <summary>Libraries preloaded by absolute path, dependencies first, so that loads by soname find them.</summary>
    private static readonly string[] LibtorchLoadOrder =
        ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];

    private static readonly Lock Gate = new();
    private static int registered;
    private static bool preloaded;
    private static IntPtr glueHandle;
    private static string? failure;
    private static string? mismatch;
    private static bool torchReady;

    /// <summary>What was loaded from where, and why; empty until TorchLstm first needs libtorch.</summary>
    public static string Status { get; private set; } = "";

    /// <summary>Path of the patched copy of TorchSharp's glue in use, or null when the original loaded.</summary>
    public static string? PatchedLibraryPath { get; private set; }

    /// <summary>The folder whose libtorch was loaded, or null when the preload did not run or failed.</summary>
    public static string? LibtorchDirectory { get; private set; }

#pragma warning disable CA2255 // The fix must be in place before any TorchLstm code can reach TorchSharp.
    [ModuleInitializer]
    internal static void RegisterOnModuleLoad() => Register();
#pragma warning restore CA2255

    /// <summary>
    /// Registers the fallback resolver and loads the package's libtorch by absolute path. Idempotent; runs
    /// automatically with TorchLstm; never throws (a failure is kept for <see cref="EnsureLoaded"/>).
    /// </summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1) return;
        if (!OperatingSystem.IsLinux()) return;
        var torchSharp = typeof(torch).Assembly;
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += OnResolvingUnmanagedDll;
        // A notebook kernel may load packages into a context of its own; its events are raised there.
        var own = AssemblyLoadContext.GetLoadContext(torchSharp);
        if (own != null && own != AssemblyLoadContext.Default) own.ResolvingUnmanagedDll += OnResolvingUnmanagedDll;
        Preload(torchSharp);
    }

    /// <summary>
    /// Makes sure libtorch and TorchSharp's glue are loaded and initialised, turning a failure into a
    /// <see cref="NativeLoadException"/> that names the real cause.
    /// </summary>
    /// <exception cref="NativeLoadException">libtorch or TorchSharp's glue could not be loaded, or another
    /// libtorch was already in the process.</exception>
    public static void EnsureLoaded()
    {
        if (Volatile.Read(ref torchReady)) return;
        Register();
        if (mismatch != null) throw new NativeLoadException(mismatch);
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            Volatile.Write(ref torchReady, true);
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException or EntryPointNotFoundException)
        {
            throw new NativeLoadException(Diagnose(), e);
        }
    }

    /// <summary>The torch-related native libraries mapped into this process, with their paths (Linux; empty elsewhere).</summary>
    public static IReadOnlyList<string> LoadedLibraries() => LoadedNativeLibraries.Matching(IsTorchRelated);

    private static bool IsTorchRelated(string fileName) =>
        fileName.StartsWith("libtorch", StringComparison.Ordinal) || fileName.StartsWith("libc10", StringComparison.Ordinal) ||
        fileName.StartsWith("libLibTorchSharp", StringComparison.Ordinal) || fileName.StartsWith("libgomp", StringComparison.Ordinal) ||
        fileName.StartsWith("libstdc++", StringComparison.Ordinal);

    private static void Preload(Assembly torchSharp)
    {
        lock (Gate)
        {
            if (preloaded) return;
            preloaded = true;
            try
            {
                string original = NativePackageLayout.FindOriginalGlue(torchSharp)
                    ?? throw new IOException($"{GlueFileName} was not found beside {torchSharp.Location} or in its NuGet package");
                string directory = NativePackageLayout.FindLibtorchDirectory(torchSharp, Path.GetDirectoryName(original)!)
                    ?? throw new IOException($"libtorch_cpu.so was not found beside {torchSharp.Location} or in a libtorch-cpu-linux-x64 NuGet package");

                mismatch = ForeignLibtorch(directory);
                if (mismatch != null) { Status = mismatch; return; }

                foreach (var library in LibtorchLoadOrder)
                {
                    string path = Path.Combine(directory, library);
                    if (File.Exists(path)) NativeLibrary.Load(path);
                }
                LibtorchDirectory = directory;
                glueHandle = LoadGlue(original);
                Status = $"libtorch loaded from {directory}; TorchSharp's glue from {PatchedLibraryPath ?? original}" +
                         (PatchedLibraryPath != null ? $" (the original needs {MarkerVersion}, which this system's libstdc++ lacks; the copy has that requirement flagged weak)" : "");
            }
            catch (Exception e) when (e is IOException or InvalidDataException or DllNotFoundException or BadImageFormatException or UnauthorizedAccessException)
            {
                failure = e.Message;
                Status = "TorchLstm could not preload libtorch: " + e.Message;
            }
        }
    }

    /// <summary>Describes a libtorch already mapped from another folder than <paramref name="directory"/>, or null.</summary>
    private static string? ForeignLibtorch(string directory)
    {
        // /proc/self/maps names files by their canonical path: compare like with like.
        string expected = LoadedNativeLibraries.Canonical(directory);
        var foreign = LoadedNativeLibraries.Matching(name => name.StartsWith("libtorch_cpu.so", StringComparison.Ordinal) || name.StartsWith("libc10.so", StringComparison.Ordinal))
            .Where(path => !string.Equals(Path.GetDirectoryName(path), expected, StringComparison.Ordinal))
            .ToList();
        if (foreign.Count == 0) return null;
        return $"Another libtorch is already loaded in this process: {string.Join(", ", foreign)}. " +
               $"TorchSharp {typeof(torch).Assembly.GetName().Version} needs the one in {Path.Combine(expected, "libtorch_cpu.so")}, " +
               "and two libtorch builds cannot share a process. Something called TorchSharp (or loaded a system libtorch) before TorchLstm could " +
               "choose: restart the process or kernel and call TorchLstm.Native.NativeLoader.EnsureLoaded() before any other torch call.";
    }

    private static IntPtr LoadGlue(string original)
    {
        if (NativeLibrary.TryLoad(original, out IntPtr handle)) return handle;
        string patched = WritePatchedCopy(original);
        handle = NativeLibrary.Load(patched);
        PatchedLibraryPath = patched;
        return handle;
    }

    private static IntPtr OnResolvingUnmanagedDll(Assembly assembly, string name)
    {
        // Reached when TorchSharp's regular load of its glue failed (the original needs a newer libstdc++):
        // hand back the copy the preload loaded.
        if (assembly.GetName().Name != "TorchSharp" || !IsGlueName(name)) return IntPtr.Zero;
        Preload(assembly);
        return glueHandle;
    }

    private static bool IsGlueName(string name) =>
        name is GlueLibraryName or GlueFileName || name.EndsWith("/" + GlueFileName, StringComparison.Ordinal);

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

    internal static string? FindOriginalGlue(Assembly torchSharp) => NativePackageLayout.FindOriginalGlue(torchSharp);

    private static string Diagnose()
    {
        var lines = new List<string> { "TorchSharp's native libraries could not be loaded." };
        if (failure != null)
            lines.Add($"TorchLstm's preload of the package's libtorch did not apply: {failure}.");
        string? original = NativePackageLayout.FindOriginalGlue(typeof(torch).Assembly);
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
        var loaded = LoadedLibraries();
        if (loaded.Count > 0) lines.Add("Torch libraries in this process: " + string.Join(", ", loaded) + ".");
        lines.Add("If a newer libstdc++ is missing, install GCC 13's libstdc++ (Ubuntu 24.04, Debian 13 and later ship it) " +
                  "or report the loader message above; see the README's Platform notes and `dotnet run experiments/doctor.cs`.");
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>Raised when libtorch or TorchSharp's native glue cannot be loaded; the message names the cause.</summary>
public sealed class NativeLoadException : Exception
{
    /// <summary>Creates the exception with a diagnosis and the original failure.</summary>
    public NativeLoadException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a diagnosis.</summary>
    public NativeLoadException(string message) : base(message) { }
}
