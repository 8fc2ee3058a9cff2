using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.DotNet.Interactive.CSharp;

namespace TorchLstm.NotebookRunner;

/// <summary>
/// Makes the C# kernel compile each cell with debug information under a name of the cell's own, so
/// an exception's stack trace carries the cell's line numbers.
/// </summary>
/// <remarks>
/// The kernel keeps its script options private and compiles without debug information (a front end
/// only shows the exception). Debug information changes neither what compiles nor what runs. The
/// field is read by name from .NET Interactive's final release, whose package version is pinned; if
/// it is ever missing, the runner says so instead of silently losing the line numbers.
/// </remarks>
internal sealed class CellDebugInformation(CSharpKernel kernel)
{
    private static readonly FieldInfo OptionsField =
        typeof(CSharpKernel).GetField("_scriptOptions", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new MissingFieldException(typeof(CSharpKernel).FullName, "_scriptOptions");

    /// <summary>Names the next submission's source <paramref name="path"/> and turns on debug information for it.</summary>
    public void NameNextSubmission(string path)
    {
        var options = (ScriptOptions)OptionsField.GetValue(kernel)!;
        OptionsField.SetValue(kernel, options
            .WithEmitDebugInformation(true)
            .WithFileEncoding(Encoding.UTF8) // debug information needs the source's encoding
            .WithFilePath(path));
    }
}
