using System.Diagnostics;
using System.IO.Compression;

namespace TorchLstm.NotebookRunner;

/// <summary>
/// Puts the working tree's TorchLstm (and the unpublished TorchLstm.Workshop, which notebook 03 uses)
/// into the local package folder that notebooks restore <c>#r "nuget: TorchLstm, 0.1.0"</c> from, so a
/// kernel runs the code of this checkout.
/// </summary>
public static class LibraryPackage
{
    /// <summary>The package folder under the repository root (named in the repository's <c>nuget.config</c>).</summary>
    public const string FolderName = "artifacts/packages";

    /// <summary>
    /// Packs <c>src/TorchLstm</c> and <c>src/TorchLstm.Workshop</c> into <see cref="FolderName"/> and, when NuGet's global cache holds a
    /// different build under the same version, removes that cached copy so the next restore takes
    /// the new one (NuGet never re-reads a version it has cached).
    /// </summary>
    /// <param name="repositoryRoot">The folder holding <c>TorchLstm.sln</c>.</param>
    /// <param name="configuration">Build configuration to pack (Debug for a test build, Release otherwise).</param>
    /// <param name="build">False to pack what the configuration's last build produced, without building.</param>
    /// <returns>The full path of the package folder.</returns>
    /// <exception cref="InvalidOperationException"><c>dotnet pack</c> failed; the message carries its output.</exception>
    public static string Refresh(string repositoryRoot, string configuration = "Release", bool build = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repositoryRoot);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        string folder = Path.GetFullPath(Path.Combine(repositoryRoot, FolderName));
        foreach (string id in PackageIds)
            Pack(repositoryRoot, id, folder, configuration, build);
        return folder;
    }

    /// <summary>The packages the notebooks restore from <see cref="FolderName"/>: the library, and the workshop of notebook 03.</summary>
    public static IReadOnlyList<string> PackageIds { get; } = ["TorchLstm", "TorchLstm.Workshop"];

    private static void Pack(string repositoryRoot, string id, string folder, string configuration, bool build)
    {
        string project = Path.Combine(repositoryRoot, "src", id, id + ".csproj");
        if (!File.Exists(project))
            throw new FileNotFoundException($"No project at '{project}'; pass the repository root.", project);

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = repositoryRoot,
        };
        foreach (var argument in new[] { "pack", project, "-c", configuration, "-o", folder, "-nologo", "-v", "quiet" })
            start.ArgumentList.Add(argument);
        if (!build) start.ArgumentList.Add("--no-build");
        using var pack = Process.Start(start)!;
        var output = pack.StandardOutput.ReadToEndAsync();
        string errors = pack.StandardError.ReadToEnd();
        pack.WaitForExit();
        if (pack.ExitCode != 0)
            throw new InvalidOperationException($"dotnet pack {project} failed (exit {pack.ExitCode}):\n{output.Result}{errors}");

        // "TorchLstm.*" would also match "TorchLstm.Workshop.*": the version must follow the id directly.
        string package = Directory.GetFiles(folder, id + ".*.nupkg")
            .Where(f => char.IsAsciiDigit(Path.GetFileName(f)[(id.Length + 1)..][0]))
            .OrderByDescending(File.GetLastWriteTimeUtc).First();
        ForgetStaleCachedCopy(id, package);
    }

    private static void ForgetStaleCachedCopy(string id, string packagePath)
    {
        string version = Path.GetFileNameWithoutExtension(packagePath)[(id.Length + 1)..];
        string cacheRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string cached = Path.Combine(cacheRoot, id.ToLowerInvariant(), version);
        if (!Directory.Exists(cached)) return;

        using var archive = ZipFile.OpenRead(packagePath);
        foreach (var entry in archive.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.Ordinal)))
        {
            string cachedFile = Path.Combine(cached, entry.FullName);
            if (File.Exists(cachedFile) && SameBytes(entry, cachedFile)) continue;
            Directory.Delete(cached, recursive: true);
            return;
        }
    }

    private static bool SameBytes(ZipArchiveEntry entry, string path)
    {
        using var packed = new MemoryStream();
        using (var stream = entry.Open()) stream.CopyTo(packed);
        return packed.ToArray().AsSpan().SequenceEqual(File.ReadAllBytes(path));
    }
}
