using System.Diagnostics;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace TorchLstm.NotebookRunner;

/// <summary>
/// Runs a notebook's code cells in order in the real .NET Interactive C# kernel (a
/// <see cref="CompositeKernel"/> holding a <see cref="CSharpKernel"/> with <c>#r "nuget:"</c> support,
/// hosted in this process), and keeps what the kernel produced for each cell, as a front end would.
/// </summary>
/// <remarks>
/// Hosting the kernel in-process, rather than driving <c>dotnet-repl</c>, gives each cell's failure as
/// an event with its exception and diagnostics, and lets a display that is updated in place (package
/// installation, live training progress) be stored once, in its final state.
/// </remarks>
public static class NotebookExecutor
{
    /// <summary>Runs every code cell of <paramref name="notebook"/>.</summary>
    /// <exception cref="NotebookExecutionException">A cell failed to compile, threw, or was rejected by the kernel; the message names the notebook, cell and line.</exception>
    public static NotebookResult Run(NotebookDocument notebook, NotebookRunOptions? options = null) =>
        RunAsync(notebook, options).GetAwaiter().GetResult();

    /// <inheritdoc cref="Run"/>
    public static async Task<NotebookResult> RunAsync(NotebookDocument notebook, NotebookRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        options ??= new NotebookRunOptions();
        var saved = options.Environment.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        foreach (var (name, value) in options.Environment) Environment.SetEnvironmentVariable(name, value);
        try
        {
            return await RunCellsAsync(notebook, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        }
    }

    private static async Task<NotebookResult> RunCellsAsync(NotebookDocument notebook, NotebookRunOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var kernel = CreateKernel(out var csharp);
        var debugInfo = new CellDebugInformation(csharp);
        foreach (var source in options.PackageSources)
            await SetUpAsync(kernel, $"#i \"nuget: {source}\"", notebook.Name).ConfigureAwait(false);

        var results = new List<CellResult>();
        foreach (var cell in notebook.Cells.Where(c => c.Kind == NotebookCellKind.Code))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (string.IsNullOrWhiteSpace(cell.Source)) continue;
            string cellPath = $"{notebook.Name}#cell{cell.Number}";
            debugInfo.NameNextSubmission(cellPath);
            var cellClock = Stopwatch.StartNew();
            var command = new SubmitCode(cell.Source, TargetKernelName(cell));
            var result = await kernel.SendAsync(command, cancellationToken).ConfigureAwait(false);
            var outputs = CellOutputs.From(result.Events);
            if (result.Events.OfType<CommandFailed>().FirstOrDefault(f => f.Command == command) is { } failed)
                throw CellFailures.Describe(notebook.Name, cell, cellPath, failed, result.Events, outputs);
            results.Add(new CellResult(cell, results.Count + 1, outputs, cellClock.Elapsed));
            options.Progress?.WriteLine($"{notebook.Name}: cell {cell.Number} done in {cellClock.Elapsed.TotalSeconds:F1} s");
        }
        return new NotebookResult(notebook, results, clock.Elapsed);
    }

    /// <summary>The kernels a .NET Interactive C# notebook gets: C# with NuGet, the kernel helpers (<c>display</c>) and package extensions.</summary>
    private static CompositeKernel CreateKernel(out CSharpKernel csharp)
    {
        var extensions = new PackageExtensionLoader();
        CompositeKernel? root = null;
        csharp = new CSharpKernel().UseKernelHelpers().UseValueSharing();
        csharp.UseNugetDirective(async (kernel, packages) =>
        {
            kernel.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
            NativeLibraries.Remember(packages);
            await extensions.LoadAsync(packages, root!).ConfigureAwait(false);
        });
        root = new CompositeKernel { csharp };
        root.DefaultKernelName = csharp.Name;
        return root;
    }

    private static string? TargetKernelName(NotebookCell cell) =>
        cell.Language.ToLowerInvariant() switch
        {
            "c#" or "csharp" => "csharp",
            var other => other, // the kernel rejects a language it does not have, and so the cell fails
        };

    private static async Task SetUpAsync(Kernel kernel, string code, string notebookName)
    {
        var command = new SubmitCode(code);
        var result = await kernel.SendAsync(command).ConfigureAwait(false);
        if (result.Events.OfType<CommandFailed>().FirstOrDefault() is { } failed)
            throw new NotebookExecutionException($"{notebookName}: the kernel could not be set up ({code}): {failed.Message}");
    }
}
