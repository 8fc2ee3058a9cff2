using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace TorchLstm.NotebookRunner;

/// <summary>
/// Runs a notebook's C# cells in order in one Roslyn scripting session, as the .NET Interactive C#
/// kernel would: variables carry from cell to cell, <c>display(...)</c> and console output are captured,
/// and a cell's last expression becomes its result.
/// </summary>
public static class NotebookExecutor
{
    /// <summary>The namespaces .NET Interactive's C# kernel imports by default.</summary>
    public static readonly IReadOnlyList<string> DefaultImports =
        ["System", "System.Text", "System.Collections", "System.Collections.Generic", "System.Threading.Tasks", "System.Linq"];

    private static readonly Lazy<ImmutableArray<MetadataReference>> FrameworkReferences = new(LoadFrameworkReferences);

    /// <summary>Runs every code cell of <paramref name="notebook"/>.</summary>
    /// <exception cref="NotebookExecutionException">A cell failed to compile or threw; the message names the notebook, cell and line.</exception>
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
        var results = new List<CellResult>();
        OutputCollector? current = null;
        var globals = new NotebookGlobals(() => current);
        ScriptState<object>? state = null;
        var scriptOptions = ScriptOptions.Default
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithReferences(FrameworkReferences.Value)
            .WithImports(DefaultImports)
            .WithEmitDebugInformation(true)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(
                Path.GetDirectoryName(notebook.Path) ?? Directory.GetCurrentDirectory()));

        foreach (var cell in notebook.Cells.Where(c => c.Kind == NotebookCellKind.Code))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var prepared = CellPreprocessor.Prepare(cell, notebook.Name);
            if (prepared.Skip || string.IsNullOrWhiteSpace(prepared.Code) && prepared.Packages.Count == 0) continue;
            foreach (var package in prepared.Packages)
                scriptOptions = scriptOptions.AddReferences(PackageResolver.Resolve(package, notebook.Name, cell.Number));

            string cellPath = $"{notebook.Name}#cell{cell.Number}";
            var cellOptions = scriptOptions.WithFilePath(cellPath);
            var collector = new OutputCollector();
            current = collector;
            var cellClock = Stopwatch.StartNew();
            try
            {
                // A stream (rather than a string) gives the source an encoding, which Roslyn needs to
                // emit the debug information that puts cell line numbers into stack traces.
                using var code = new MemoryStream(Encoding.UTF8.GetBytes(prepared.Code));
                var script = state is null
                    ? CSharpScript.Create(code, cellOptions, typeof(NotebookGlobals))
                    : state.Script.ContinueWith(code, cellOptions);
                using (ConsoleCapture.Begin(collector))
                {
                    state = state is null
                        ? await script.RunAsync(globals, cancellationToken).ConfigureAwait(false)
                        : await script.RunFromAsync(state, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (CompilationErrorException e)
            {
                throw CompileFailure(notebook.Name, cell.Number, e);
            }
            catch (Exception e) when (e is not NotebookExecutionException and not OperationCanceledException)
            {
                throw RuntimeFailure(notebook.Name, cell.Number, cellPath, e, collector);
            }
            finally
            {
                current = null;
            }

            if (state.ReturnValue is { } value && ReturnsValue(state))
                collector.Add(new RichOutput(OutputFormatter.Format(value), IsResult: true));
            results.Add(new CellResult(cell, results.Count + 1, collector.Finish(), cellClock.Elapsed));
            options.Progress?.WriteLine($"{notebook.Name}: cell {cell.Number} done in {cellClock.Elapsed.TotalSeconds:F1} s");
        }
        return new NotebookResult(notebook, results, clock.Elapsed);
    }

    /// <summary>Whether the submission ended in an expression (rather than a statement), as .NET Interactive decides what to show.</summary>
    private static bool ReturnsValue(ScriptState<object> state)
    {
        var compilation = state.Script.GetCompilation();
        var tree = compilation.SyntaxTrees.LastOrDefault();
        if (tree?.GetRoot() is not Microsoft.CodeAnalysis.CSharp.Syntax.CompilationUnitSyntax root) return false;
        var last = root.Members.LastOrDefault() as Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax;
        return last?.Statement is Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionStatementSyntax expression
            && expression.SemicolonToken.IsMissing;
    }

    private static NotebookExecutionException CompileFailure(string notebookName, int cellNumber, CompilationErrorException e)
    {
        var errors = e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        int? firstLine = errors.Count > 0 ? errors[0].Location.GetLineSpan().StartLinePosition.Line + 1 : null;
        var lines = errors.Select(d =>
        {
            var position = d.Location.GetLineSpan().StartLinePosition;
            return $"  line {position.Line + 1}, column {position.Character + 1}: {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
        });
        return new NotebookExecutionException(notebookName, cellNumber, firstLine,
            $"{notebookName}, cell {cellNumber} does not compile{(firstLine is { } l ? $" (line {l})" : "")}:\n{string.Join("\n", lines)}", e);
    }

    private static NotebookExecutionException RuntimeFailure(string notebookName, int cellNumber, string cellPath, Exception e, OutputCollector collector)
    {
        while (e is TargetInvocationException or AggregateException { InnerExceptions.Count: 1 } && e.InnerException is not null)
            e = e.InnerException;
        int? line = new StackTrace(e, fNeedFileInfo: true).GetFrames()
            .FirstOrDefault(f => f.GetFileName() == cellPath && f.GetFileLineNumber() > 0)?.GetFileLineNumber();
        string printed = string.Concat(collector.Finish().OfType<StreamOutput>().Select(s => s.Text));
        string tail = printed.Length == 0 ? "" : "\nOutput before the failure:\n" + Tail(printed, 2000);
        var failure = new NotebookExecutionException(notebookName, cellNumber, line,
            $"{notebookName}, cell {cellNumber}{(line is { } l ? $", line {l}" : "")} threw {e.GetType().Name}: {e.Message}{tail}", e);
        return failure;
    }

    private static string Tail(string text, int maxChars) => text.Length <= maxChars ? text : "…" + text[^maxChars..];

    private static ImmutableArray<MetadataReference> LoadFrameworkReferences()
    {
        // Everything in the shared framework, as a .NET Interactive kernel can use it without #r.
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return Directory.GetFiles(frameworkDirectory, "*.dll")
            .Where(IsManagedAssembly)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
