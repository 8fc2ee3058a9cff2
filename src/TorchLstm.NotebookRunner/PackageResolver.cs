using System.Reflection;
using System.Text.Json;

namespace TorchLstm.NotebookRunner;

/// <summary>
/// Answers <c>#r "nuget: ..."</c> with assemblies already built: the TorchLstm library this runner was
/// built against and the packages it depends on (TorchSharp, Microsoft.Data.Analysis, ScottPlot, …),
/// and the unpublished TorchLstm.Workshop (paper experiments, benchmarks) that notebook 03 uses.
/// </summary>
/// <remarks>
/// A real .NET Interactive kernel restores the package from a feed; here the point is to test the
/// working tree's library, so the notebook gets exactly the assemblies the tests were built with.
/// </remarks>
public static class PackageResolver
{
    /// <summary>The library's package id.</summary>
    public const string LibraryPackageId = "TorchLstm";

    /// <summary>The workshop's package id (packed only into the local package folder, never published).</summary>
    public const string WorkshopPackageId = "TorchLstm.Workshop";

    private static readonly Lazy<IReadOnlyDictionary<string, Assembly[]>> Closure = new(BuildClosure);

    /// <summary>The version of the TorchLstm assembly notebooks run against.</summary>
    public static Version LibraryVersion => typeof(TorchLstm.Notebooks.PngImage).Assembly.GetName().Version ?? new Version(0, 0);

    /// <summary>The assemblies to reference for a package request.</summary>
    /// <exception cref="NotebookExecutionException">The package is not TorchLstm or one of its dependencies, or the version differs from the built library's.</exception>
    public static IReadOnlyList<Assembly> Resolve(PackageRequest request, string notebookName, int cellNumber)
    {
        ArgumentNullException.ThrowIfNull(request);
        string where = $"{notebookName}, cell {cellNumber}, line {request.Line}";
        if (string.Equals(request.Id, WorkshopPackageId, StringComparison.OrdinalIgnoreCase))
        {
            if (request.Version is { } wanted && !SameVersion(wanted, LibraryVersion))
                throw new NotebookExecutionException(notebookName, cellNumber, request.Line,
                    $"{where}: the notebook asks for {WorkshopPackageId} {wanted}, but the workshop built here is {Format(LibraryVersion)}; update the #r line.");
            return [typeof(TorchLstm.Experiments.ModelComparison).Assembly, .. Closure.Value.Values.SelectMany(a => a).Distinct()];
        }
        if (string.Equals(request.Id, LibraryPackageId, StringComparison.OrdinalIgnoreCase))
        {
            if (request.Version is { } wanted && !SameVersion(wanted, LibraryVersion))
                throw new NotebookExecutionException(notebookName, cellNumber, request.Line,
                    $"{where}: the notebook asks for {LibraryPackageId} {wanted}, but the library built here is {Format(LibraryVersion)}; update the #r line.");
            return Closure.Value.Values.SelectMany(a => a).Distinct().ToArray();
        }
        if (Closure.Value.TryGetValue(request.Id, out var dependency))
            return dependency;
        throw new NotebookExecutionException(notebookName, cellNumber, request.Line,
            $"{where}: package '{request.Id}' is not available to the notebook runner; notebooks may reference {LibraryPackageId} " +
            $"and the packages it brings ({string.Join(", ", Closure.Value.Keys.Where(k => k != LibraryPackageId).Order())}).");
    }

    private static bool SameVersion(string wanted, Version built) =>
        Version.TryParse(wanted, out var parsed) && Format(parsed) == Format(built);

    private static string Format(Version version) => $"{version.Major}.{version.Minor}.{Math.Max(version.Build, 0)}";

    /// <summary>
    /// Package id → its assemblies, for TorchLstm and every package it depends on, transitively. Read
    /// from the host's <c>.deps.json</c> (the NuGet graph), because the compiler drops references to
    /// packages the library does not call yet; the assemblies the library references are added too.
    /// </summary>
    private static IReadOnlyDictionary<string, Assembly[]> BuildClosure()
    {
        var library = typeof(TorchLstm.Notebooks.PngImage).Assembly;
        var found = new Dictionary<string, Assembly[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, files) in PackageGraph(library.GetName().Name!))
        {
            var assemblies = files.Select(TryLoad).OfType<Assembly>().ToArray();
            if (assemblies.Length > 0) found[id] = assemblies;
        }
        var pending = new Queue<Assembly>([library]);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { library.GetName().Name! };
        found.TryAdd(library.GetName().Name!, [library]);
        while (pending.TryDequeue(out var assembly))
        {
            foreach (var name in assembly.GetReferencedAssemblies())
            {
                if (!seen.Add(name.Name!)) continue;
                Assembly loaded;
                try { loaded = Assembly.Load(name); }
                catch (FileNotFoundException) { continue; } // an optional dependency the library never touches
                if (string.IsNullOrEmpty(loaded.Location) || IsFrameworkPath(loaded.Location)) continue;
                found.TryAdd(name.Name!, [loaded]);
                pending.Enqueue(loaded);
            }
        }
        return found;
    }

    /// <summary>The runtime assembly paths of <paramref name="root"/> and its dependencies, by package id, from the host's deps file.</summary>
    private static Dictionary<string, List<string>> PackageGraph(string root)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        string? depsFile = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?
            .Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(File.Exists); // the host joins deps files with ';' on every OS
        var trusted = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key!, g => g.First(), StringComparer.OrdinalIgnoreCase);
        if (depsFile is null) return result;

        using var document = JsonDocument.Parse(File.ReadAllText(depsFile));
        if (!document.RootElement.TryGetProperty("targets", out var targets)) return result;
        var libraries = targets.EnumerateObject().FirstOrDefault().Value;
        if (libraries.ValueKind != JsonValueKind.Object) return result;
        var byId = libraries.EnumerateObject().ToDictionary(p => p.Name.Split('/')[0], p => p.Value, StringComparer.OrdinalIgnoreCase);

        var pending = new Queue<string>([root]);
        while (pending.TryDequeue(out var id))
        {
            if (result.ContainsKey(id) || !byId.TryGetValue(id, out var entry)) continue;
            var files = new List<string>();
            if (entry.TryGetProperty("runtime", out var runtime))
                foreach (var asset in runtime.EnumerateObject())
                    if (trusted.TryGetValue(Path.GetFileName(asset.Name), out var path) && !IsFrameworkPath(path))
                        files.Add(path);
            result[id] = files;
            if (entry.TryGetProperty("dependencies", out var dependencies))
                foreach (var dependency in dependencies.EnumerateObject())
                    pending.Enqueue(dependency.Name);
        }
        return result;
    }

    private static Assembly? TryLoad(string path)
    {
        try { return Assembly.Load(AssemblyName.GetAssemblyName(path)); }
        catch (Exception e) when (e is FileNotFoundException or BadImageFormatException or FileLoadException) { return null; }
    }

    private static bool IsFrameworkPath(string path) =>
        path.StartsWith(Path.GetDirectoryName(typeof(object).Assembly.Location)!, StringComparison.Ordinal);
}
