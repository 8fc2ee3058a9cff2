using System.Reflection;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace TorchLstm.Notebooks;

/// <summary>
/// In a .NET Interactive kernel, registers how a TorchSharp <c>Tensor</c> is shown as soon as the
/// library is loaded: a type the library cannot mark with a formatter attribute.
/// </summary>
internal static class KernelFormatters
{
    private static int registered;

    /// <summary>
    /// Registered as user formatters (by reflection, as there is no reference to .NET Interactive),
    /// which the kernel consults before the default ones that TorchSharp's own formatter source adds
    /// (the tensor's <c>ToString</c> in a <c>pre</c> block). A host that loads .NET Interactive after the
    /// library (a test process) gets them when the kernel first formats one of the library's types.
    /// </summary>
#pragma warning disable CA2255 // The formatter must be in place before a notebook's first tensor is shown.
    [ModuleInitializer]
    internal static void RegisterWhenInKernel()
    {
        if (Volatile.Read(ref registered) == 1) return;
        var formatter = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => a.GetName().Name == "Microsoft.DotNet.Interactive.Formatting")?
            .GetType("Microsoft.DotNet.Interactive.Formatting.Formatter");
        var register = formatter?.GetMethod("Register", BindingFlags.Public | BindingFlags.Static,
            [typeof(Type), typeof(Action<object, TextWriter>), typeof(string)]);
        if (register is null || Interlocked.Exchange(ref registered, 1) == 1) return;
        register.Invoke(null, [typeof(Tensor), (Action<object, TextWriter>)((value, writer) => writer.Write(TensorPreview.Html((Tensor)value))), NotebookFormatterSource.Html]);
        register.Invoke(null, [typeof(Tensor), (Action<object, TextWriter>)((value, writer) => writer.Write(TensorPreview.PlainText((Tensor)value))), NotebookFormatterSource.PlainText]);
    }
#pragma warning restore CA2255
}
