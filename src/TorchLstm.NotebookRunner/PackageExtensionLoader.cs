using System.Reflection;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace TorchLstm.NotebookRunner;

/// <summary>
/// Loads the kernel extensions a restored package carries in <c>interactive-extensions/dotnet/</c>
/// (Microsoft.Data.Analysis's DataFrame formatter, for example), as the <c>dotnet-interactive</c> tool
/// does after a <c>#r "nuget:"</c>; the kernel packages leave this to their host.
/// </summary>
internal sealed class PackageExtensionLoader
{
    private readonly HashSet<string> _loaded = new(StringComparer.Ordinal);

    /// <summary>
    /// The extension's path from the package cache down (<c>id/version/interactive-extensions/...</c>):
    /// the tool prints the full path, which would store the machine's folders in a notebook.
    /// </summary>
    private static string InPackage(ResolvedPackageReference package, string path)
    {
        string cacheRoot = Path.GetDirectoryName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(package.PackageRoot))!)!;
        return Path.GetRelativePath(cacheRoot, path).Replace('\\', '/');
    }

    public async Task LoadAsync(IEnumerable<ResolvedPackageReference> packages, Kernel kernel)
    {
        foreach (var package in packages)
        {
            var folder = new DirectoryInfo(Path.Combine(package.PackageRoot, "interactive-extensions", "dotnet"));
            if (!folder.Exists) continue;
            foreach (var file in folder.GetFiles("*.dll").OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                if (!_loaded.Add(AssemblyName.GetAssemblyName(file.FullName).FullName)) continue;
                var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(file.FullName);
                var extensionTypes = assembly.ExportedTypes
                    .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IKernelExtension).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
                    .ToList();
                if (extensionTypes.Count == 0) continue;
                if (KernelInvocationContext.Current is { } context)
                    KernelInvocationContextExtensions.Display(context, $"Loading extensions from `{InPackage(package, file.FullName)}`");
                foreach (var type in extensionTypes)
                    await ((IKernelExtension)Activator.CreateInstance(type)!).OnLoadAsync(kernel).ConfigureAwait(false);
            }
        }
    }
}
