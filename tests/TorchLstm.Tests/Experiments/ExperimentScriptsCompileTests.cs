using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TorchLstm.Tests.Experiments;

/// <summary>
/// Every script in experiments/ compiles against the current library. Running them all would take far
/// too long for the suite (and building each as a file-based app copies libtorch every time), so this
/// compiles each one in memory the way <c>dotnet run file.cs</c> would: top-level statements, the SDK's
/// implicit usings, and the <c>#:</c> directive lines left out.
/// </summary>
[Trait("Category", "Slow")]
public class ExperimentScriptsCompileTests
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))]);

    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static string ExperimentsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TorchLstm.sln")))
                return Path.Combine(dir.FullName, "experiments");
        throw new DirectoryNotFoundException($"No TorchLstm.sln above {AppContext.BaseDirectory}; the script tests run from the repository.");
    }

    /// <summary>One row per script.</summary>
    public static TheoryData<string> Scripts() =>
        new(Directory.GetFiles(ExperimentsFolder(), "*.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_compiles_against_the_library(string script)
    {
        string path = Path.Combine(ExperimentsFolder(), script);
        // Directive lines become blank lines, so reported line numbers match the file.
        string source = string.Join('\n', File.ReadAllLines(path).Select(line => line.StartsWith("#:", StringComparison.Ordinal) ? "" : line));
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var compilation = CSharpCompilation.Create(
            Path.GetFileNameWithoutExtension(script),
            [CSharpSyntaxTree.ParseText(source, parse, path), CSharpSyntaxTree.ParseText(ImplicitUsings, parse)],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();

        Assert.True(errors.Count == 0, $"{script} does not compile:\n{string.Join('\n', errors)}");
    }
}
