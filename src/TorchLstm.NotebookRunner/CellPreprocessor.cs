using System.Text.RegularExpressions;

namespace TorchLstm.NotebookRunner;

/// <summary>A <c>#r "nuget: Id, Version"</c> request found in a cell.</summary>
/// <param name="Id">Package id.</param>
/// <param name="Version">Requested version, or null for "latest".</param>
/// <param name="Line">1-based line in the cell.</param>
public sealed record PackageRequest(string Id, string? Version, int Line);

/// <summary>A cell's code after its magic lines were interpreted.</summary>
/// <param name="Code">C# for Roslyn; interpreted lines are blanked so line numbers still match the cell.</param>
/// <param name="Packages">NuGet packages the cell asks for.</param>
/// <param name="Skip">True when the cell is in a language that is rendered rather than run (markdown).</param>
public sealed record PreparedCell(string Code, IReadOnlyList<PackageRequest> Packages, bool Skip);

/// <summary>
/// Interprets the lines .NET Interactive handles before C# sees a cell: <c>#r "nuget: ..."</c>,
/// <c>#i</c> package sources, <c>#!csharp</c> and other <c>#!</c> magic commands.
/// </summary>
public static partial class CellPreprocessor
{
    private static readonly HashSet<string> CSharpNames = new(StringComparer.OrdinalIgnoreCase) { "csharp", "c#" };
    private static readonly HashSet<string> RenderedNames = new(StringComparer.OrdinalIgnoreCase) { "markdown", "md" };
    private static readonly HashSet<string> OtherKernels = new(StringComparer.OrdinalIgnoreCase)
    {
        "fsharp", "f#", "pwsh", "powershell", "javascript", "js", "html", "sql", "kql", "mermaid", "http", "value", "python",
    };

    [GeneratedRegex("""^#r\s+"nuget:\s*(?<id>[A-Za-z0-9_.\-]+)\s*(,\s*(?<version>[^"\s]+)\s*)?"\s*$""")]
    private static partial Regex NuGetReference();

    /// <summary>Prepares one code cell.</summary>
    /// <param name="cell">The cell.</param>
    /// <param name="notebookName">The notebook's name, for errors.</param>
    /// <exception cref="NotebookExecutionException">The cell is in a language the runner cannot run, or a <c>#r "nuget:"</c> line is malformed.</exception>
    public static PreparedCell Prepare(NotebookCell cell, string notebookName)
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(notebookName);
        string source = cell.Source, language = cell.Language, where = $"{notebookName}, cell {cell.Number}";
        if (RenderedNames.Contains(language)) return new PreparedCell("", [], Skip: true);
        if (!CSharpNames.Contains(language))
            throw new NotebookExecutionException(notebookName, cell.Number, null, $"{where}: language '{language}' cannot be run; the notebook runner runs C# cells only.");

        var lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var packages = new List<PackageRequest>();
        bool seenCode = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.StartsWith("#!", StringComparison.Ordinal))
            {
                string command = line[2..].Split(' ', 2)[0];
                if (!seenCode && RenderedNames.Contains(command)) return new PreparedCell("", [], Skip: true);
                if (OtherKernels.Contains(command))
                    throw new NotebookExecutionException(notebookName, cell.Number, i + 1, $"{where}, line {i + 1}: '#!{command}' switches to a kernel the notebook runner does not have; it runs C# cells only.");
                // #!csharp restates the cell's language; #!time, #!about and other magic commands only decorate output.
                lines[i] = "";
                continue;
            }
            if (line.StartsWith("#i ", StringComparison.Ordinal))
            {
                // A package source: the runner references built assemblies, so there is nothing to fetch.
                lines[i] = "";
                continue;
            }
            if (line.StartsWith("#r", StringComparison.Ordinal) && line.Contains("\"nuget:", StringComparison.Ordinal))
            {
                var match = NuGetReference().Match(line);
                if (!match.Success)
                    throw new NotebookExecutionException(notebookName, cell.Number, i + 1, $"{where}, line {i + 1}: '{line}' is not a package reference; write #r \"nuget: PackageId, 1.2.3\".");
                var version = match.Groups["version"];
                packages.Add(new PackageRequest(match.Groups["id"].Value, version.Success ? version.Value : null, i + 1));
                lines[i] = "";
                continue;
            }
            if (line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal)) seenCode = true;
        }
        return new PreparedCell(string.Join('\n', lines), packages, Skip: false);
    }
}
