using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.DotNet.Interactive.Events;

namespace TorchLstm.NotebookRunner;

/// <summary>Describes a cell the kernel failed: the notebook, the cell, the line and the exception or compiler errors.</summary>
internal static class CellFailures
{
    public static NotebookExecutionException Describe(string notebookName, NotebookCell cell, string cellPath,
        CommandFailed failed, IEnumerable<KernelEvent> events, IReadOnlyList<CellOutput> outputs)
    {
        var errors = events.OfType<DiagnosticsProduced>()
            .SelectMany(d => d.Diagnostics)
            .Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)
            .ToList();
        if (errors.Count > 0)
        {
            int firstLine = errors[0].LinePositionSpan.Start.Line + 1;
            var lines = errors.Select(d =>
                $"  line {d.LinePositionSpan.Start.Line + 1}, column {d.LinePositionSpan.Start.Character + 1}: {d.Code}: {d.Message}");
            return new NotebookExecutionException(notebookName, cell.Number, firstLine,
                $"{notebookName}, cell {cell.Number} does not compile (line {firstLine}):\n{string.Join("\n", lines)}", failed.Exception);
        }

        if (failed.Exception is { } thrown)
        {
            var e = thrown;
            while (e is TargetInvocationException or AggregateException { InnerExceptions.Count: 1 } && e.InnerException is not null)
                e = e.InnerException;
            int? compiledLine = new StackTrace(e, fNeedFileInfo: true).GetFrames()
                .FirstOrDefault(f => f.GetFileName() is { } file && Path.GetFileName(file) == cellPath && f.GetFileLineNumber() > 0)?.GetFileLineNumber();
            int? line = compiledLine is { } l0 ? CellLine(cell.Source, l0) : null;
            string printed = string.Concat(outputs.OfType<StreamOutput>().Select(s => s.Text));
            string tail = printed.Length == 0 ? "" : "\nOutput before the failure:\n" + Tail(printed, 2000);
            return new NotebookExecutionException(notebookName, cell.Number, line,
                string.Create(CultureInfo.InvariantCulture,
                    $"{notebookName}, cell {cell.Number}{(line is { } l ? $", line {l}" : "")} threw {e.GetType().Name}: {e.Message}{tail}"), e);
        }

        // The kernel refused the cell before running it: an unknown kernel, a package that does not restore, a bad directive.
        return new NotebookExecutionException(notebookName, cell.Number, null,
            $"{notebookName}, cell {cell.Number} was rejected by the kernel: {failed.Message}");
    }

    /// <summary>
    /// The cell's own line for a line of the C# the kernel compiled, which lacks the cell's directive
    /// lines (<c>#r</c>, <c>#i</c>, <c>#!</c> magic commands).
    /// </summary>
    internal static int CellLine(string source, int compiledLine)
    {
        var lines = source.Split('\n');
        int seen = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (IsDirective(lines[i])) continue;
            if (++seen == compiledLine) return i + 1;
        }
        return compiledLine;
    }

    private static bool IsDirective(string line)
    {
        var text = line.TrimStart();
        return text.StartsWith("#!", StringComparison.Ordinal)
            || text.StartsWith("#r ", StringComparison.Ordinal) || text.StartsWith("#i ", StringComparison.Ordinal);
    }

    private static string Tail(string text, int maxChars) => text.Length <= maxChars ? text : "…" + text[^maxChars..];
}
