using System.Text.Json.Nodes;
using TorchLstm.NotebookRunner;

namespace TorchLstm.Tests.Notebooks;

/// <summary>Builds small notebooks in .NET Interactive's format for the runner tests.</summary>
internal static class NotebookFixture
{
    public static (string Kind, string Source, string? Language) Code(string source, string? language = "csharp") => ("code", source, language);

    public static (string Kind, string Source, string? Language) Markdown(string source) => ("markdown", source, "markdown");

    public static string Json(params (string Kind, string Source, string? Language)[] cells)
    {
        var array = new JsonArray();
        foreach (var (kind, source, language) in cells)
        {
            var cell = new JsonObject
            {
                ["cell_type"] = kind,
                ["metadata"] = language is null ? new JsonObject() : new JsonObject { ["dotnet_interactive"] = new JsonObject { ["language"] = language } },
            };
            // Jupyter stores each line with its newline, except the last.
            var lines = source.Split('\n');
            cell["source"] = new JsonArray(lines.Select((l, i) => (JsonNode)(i < lines.Length - 1 ? l + "\n" : l)!).ToArray());
            if (kind == "code")
            {
                cell["execution_count"] = null;
                cell["outputs"] = new JsonArray();
            }
            array.Add(cell);
        }
        var root = new JsonObject
        {
            ["cells"] = array,
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
                ["language_info"] = new JsonObject { ["name"] = "C#" },
                ["custom"] = "kept as is",
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        return root.ToJsonString();
    }

    public static NotebookDocument Document(params (string Kind, string Source, string? Language)[] cells) =>
        NotebookDocument.Parse(Json(cells), "demo.ipynb");

    /// <summary>Runs the cells in the real kernel, with the working tree's package available.</summary>
    public static NotebookResult Run(params (string Kind, string Source, string? Language)[] cells) =>
        NotebookExecutor.Run(Document(cells), KernelSetup.Options());

    /// <summary>The first cell of a notebook that uses the library.</summary>
    public const string UseLibrary = "#r \"nuget: TorchLstm, 0.1.0\"\nusing TorchLstm.Reporting;\nusing TorchLstm.Notebooks;\nusing TorchLstm.Training;\nTorchLstm.Native.NativeLoader.EnsureLoaded();";

    public static IReadOnlyList<CellOutput> OutputsOf(NotebookResult result, int cellNumber) =>
        result.Cells.Single(c => c.Cell.Number == cellNumber).Outputs;
}
