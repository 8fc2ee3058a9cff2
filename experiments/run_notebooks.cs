#:project ../src/TorchLstm.NotebookRunner/TorchLstm.NotebookRunner.csproj
// Executes the notebooks in notebooks/ in the real .NET Interactive C# kernel (hosted in this
// process, as the tests do) against the working tree's library, packed first into artifacts/packages,
// and with --write-outputs stores what the kernel produced in the .ipynb files.
//   dotnet run experiments/run_notebooks.cs -- [--write-outputs] [--quick] [--only 02-sine-forecast,06-anomaly-detection] [--dir notebooks]
using System.Globalization;
using TorchLstm.NotebookRunner;

try
{
    var options = Arguments.Parse(args);
    string root = Arguments.RepositoryRoot();
    Console.WriteLine("packing the working tree's TorchLstm into artifacts/packages ...");
    LibraryPackage.Refresh(root);

    var paths = Directory.GetFiles(options.Directory, "*.ipynb").Order(StringComparer.Ordinal).ToList();
    if (options.Only.Count > 0)
    {
        var unknown = options.Only.Where(name => !paths.Any(p => Arguments.Matches(p, name))).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"no notebook named {string.Join(", ", unknown)} in {options.Directory}; there are {string.Join(", ", paths.Select(Path.GetFileNameWithoutExtension))}");
        paths = paths.Where(p => options.Only.Any(name => Arguments.Matches(p, name))).ToList();
    }

    // The repository's nuget.config names the package folder, as it does for a user's kernel started in
    // the repository; passing it again (#i) would store this machine's path in every notebook.
    if (!string.Equals(Path.GetFullPath(Directory.GetCurrentDirectory()), root, StringComparison.Ordinal))
        throw new ArgumentException($"run from the repository root ({root}), where nuget.config names {LibraryPackage.FolderName}");
    var run = (options.Quick ? NotebookRunOptions.Quick : new NotebookRunOptions()) with { Progress = Console.Out };
    foreach (var path in paths)
    {
        var notebook = NotebookDocument.Load(path);
        var result = NotebookExecutor.Run(notebook, run);
        if (options.Write) notebook.Save(path, result);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{notebook.Name}: {result.Cells.Count} cells in {result.Elapsed.TotalSeconds:F1} s{(options.Write ? ", outputs written" : "")}"));
    }
    return 0;
}
catch (Exception e) when (e is ArgumentException or DirectoryNotFoundException or NotebookExecutionException or InvalidOperationException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return e is NotebookExecutionException ? 1 : 2;
}

sealed record Arguments(bool Write, bool Quick, string Directory, IReadOnlyList<string> Only)
{
    public static Arguments Parse(string[] args)
    {
        bool write = false, quick = false;
        string directory = "notebooks";
        var only = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--write-outputs": write = true; break;
                case "--quick": quick = true; break;
                case "--dir" when i + 1 < args.Length: directory = args[++i]; break;
                case "--only" when i + 1 < args.Length: only.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                default: throw new ArgumentException($"unknown or incomplete argument '{args[i]}'; accepted: --write-outputs, --quick, --only NAMES, --dir FOLDER");
            }
        }
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException($"no notebook folder '{directory}'; run from the repository root or pass --dir");
        return new Arguments(write, quick, directory, only);
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(System.IO.Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TorchLstm.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("run from inside the repository (no TorchLstm.sln above the current folder)");
    }

    public static bool Matches(string path, string name) =>
        string.Equals(Path.GetFileNameWithoutExtension(path), Path.GetFileNameWithoutExtension(name), StringComparison.OrdinalIgnoreCase);
}
