#:project ../src/TorchLstm.NotebookRunner/TorchLstm.NotebookRunner.csproj
// Executes the notebooks in notebooks/ with the same runner the tests use (Roslyn scripting, the
// .NET Interactive C# kernel's conventions) and, with --write-outputs, stores their outputs (text,
// tables, PNG plots) in the .ipynb files so they read well on GitHub.
//   dotnet run experiments/run_notebooks.cs -- [--write-outputs] [--quick] [--only 02-sine-forecast,06-anomaly-detection] [--dir notebooks]
using System.Globalization;
using TorchLstm.Cli;
using TorchLstm.NotebookRunner;

return ExperimentHost.Run(args, cli =>
{
    bool write = cli.Flag("write-outputs");
    bool quick = cli.Flag("quick");
    string directory = cli.String("dir", "notebooks");
    var only = cli.List("only");
    cli.RejectUnknown();

    if (!Directory.Exists(directory))
        throw new DirectoryNotFoundException($"no notebook folder '{directory}'; run from the repository root or pass --dir");
    var paths = Directory.GetFiles(directory, "*.ipynb").Order(StringComparer.Ordinal).ToList();
    if (only is not null)
    {
        var unknown = only.Where(name => !paths.Any(p => Matches(p, name))).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"no notebook named {string.Join(", ", unknown)} in {directory}; there are {string.Join(", ", paths.Select(Path.GetFileNameWithoutExtension))}");
        paths = paths.Where(p => only.Any(name => Matches(p, name))).ToList();
    }

    var options = (quick ? NotebookRunOptions.Quick : new NotebookRunOptions()) with { Progress = Console.Out };
    foreach (var path in paths)
    {
        var notebook = NotebookDocument.Load(path);
        var result = NotebookExecutor.Run(notebook, options);
        if (write) notebook.Save(path, result);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{notebook.Name}: {result.Cells.Count} cells in {result.Elapsed.TotalSeconds:F1} s{(write ? ", outputs written" : "")}"));
    }
    return 0;
});

static bool Matches(string path, string name) =>
    string.Equals(Path.GetFileNameWithoutExtension(path), Path.GetFileNameWithoutExtension(name), StringComparison.OrdinalIgnoreCase);
