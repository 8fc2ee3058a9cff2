using TorchLstm.NotebookRunner;

namespace TorchLstm.Tests.Notebooks;

/// <summary>Runs every notebook in notebooks/ in the real .NET Interactive kernel, in quick mode, one test each.</summary>
[Trait("Category", "Notebooks")]
[Collection(KernelCollection.Name)]
public class NotebookTests
{
    /// <summary>The notebooks that exist; a new one must be added here (a test checks the folder against this list).</summary>
    private static readonly string[] All =
    [
        "01-lstm-gates-from-scratch",
        "02-sine-forecast",
        "03-rnn-vs-lstm-vs-gru",
        "04-weather-and-co2",
        "05-stock-prices",
        "06-anomaly-detection",
        "07-text-classification",
        "08-seq2seq-attention",
        "09-export-torchscript",
        "10-hyperparameter-search",
    ];

    /// <summary>One row per notebook.</summary>
    public static TheoryData<string> Names => new(All);

    private static string NotebookFolder() => KernelSetup.NotebookFolder;

    [Theory]
    [MemberData(nameof(Names))]
    public void Notebook_runs_in_quick_mode(string name)
    {
        var notebook = NotebookDocument.Load(Path.Combine(NotebookFolder(), name + ".ipynb"));
        var result = NotebookExecutor.Run(notebook, KernelSetup.Options(quick: true));

        int codeCells = notebook.Cells.Count(c => c.Kind == NotebookCellKind.Code);
        Assert.Equal(codeCells, result.Cells.Count);
        var shown = result.Cells.SelectMany(c => c.Outputs).OfType<RichOutput>().ToList();
        Assert.Contains(shown, o => o.Data.ContainsKey(MimeTypes.Png));
        // No object may reach the reader as .NET Interactive's tree of its properties (the kernel's
        // fallback for a type without a formatter): the class is on the tree's element, not only in its style sheet.
        Assert.DoesNotContain(shown, o => o.Data.TryGetValue(MimeTypes.Html, out var html) && html.Contains("class=\"dni-treeview\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_notebook_in_the_folder_is_tested_and_has_the_csharp_kernel()
    {
        var files = Directory.GetFiles(NotebookFolder(), "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.Equal(All.Order(StringComparer.Ordinal), files);
        foreach (var name in files)
        {
            var notebook = NotebookDocument.Load(Path.Combine(NotebookFolder(), name + ".ipynb"));
            Assert.Equal(".net-csharp", notebook.KernelName);
            Assert.Equal("C#", notebook.Language);
            var first = notebook.Cells.First(c => c.Kind == NotebookCellKind.Code);
            Assert.Contains("#r \"nuget: TorchLstm, 0.1.0\"", first.Source, StringComparison.Ordinal);
            Assert.Contains("NativeLoader.EnsureLoaded();", first.Source, StringComparison.Ordinal);
            Assert.All(notebook.Cells.Where(c => c.Kind == NotebookCellKind.Code), c => Assert.Equal("csharp", c.Language));
        }
    }
}
