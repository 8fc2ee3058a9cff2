using System.Reflection;
using TorchLstm.NotebookRunner;

namespace TorchLstm.Tests.Notebooks;

/// <summary>The kernel tests share .NET Interactive's process-wide formatters and console capture, so they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class KernelCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "dotnet-interactive kernel";
}

/// <summary>The repository and the working tree's library package that notebooks restore.</summary>
internal static class KernelSetup
{
    public static string RepositoryRoot { get; } = FindRoot();

    private static readonly Lazy<string> PackageFolder = new(() =>
    {
        // Pack the build these tests run against (no rebuild), so the kernel's #r "nuget: TorchLstm" gets this checkout's code.
        string configuration = typeof(TorchLstm.Reporting.MarkdownTable).Assembly
            .GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        return LibraryPackage.Refresh(RepositoryRoot, configuration, build: false);
    });

    public static string NotebookFolder => Path.Combine(RepositoryRoot, "notebooks");

    /// <summary>Options that give the kernel the freshly packed library; quick mode on request.</summary>
    public static NotebookRunOptions Options(bool quick = false) =>
        (quick ? NotebookRunOptions.Quick : new NotebookRunOptions()) with { PackageSources = [PackageFolder.Value] };

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TorchLstm.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"No TorchLstm.sln above {AppContext.BaseDirectory}; the notebook tests run from the repository.");
    }
}
