using System.Reflection;

namespace TorchLstm.Notebooks;

/// <summary>
/// Shows and updates a value in the .NET Interactive cell that is running, found by name at run time
/// so the library needs no reference to .NET Interactive; outside a kernel, nothing is found.
/// </summary>
internal static class KernelDisplay
{
    private const string AssemblyName = "Microsoft.DotNet.Interactive";

    /// <summary>Whether code is running inside a .NET Interactive cell right now.</summary>
    public static bool InCell => CurrentContext() is not null;

    /// <summary>Displays <paramref name="value"/> below the running cell; null outside a cell.</summary>
    /// <remarks>
    /// Goes through <c>KernelInvocationContextExtensions.Display</c> rather than <c>Kernel.display</c>: in
    /// .NET Interactive's final release the latter publishes the display and returns a different object,
    /// whose updates carry an id no front end has seen, so they never show.
    /// </remarks>
    public static Handle? Show(object value)
    {
        if (CurrentContext() is not { } context) return null;
        var extensions = FindType("Microsoft.DotNet.Interactive.KernelInvocationContextExtensions");
        var display = extensions?.GetMethod("Display", BindingFlags.Public | BindingFlags.Static, [context.GetType(), typeof(object), typeof(string[])]);
        var shown = display?.Invoke(null, [context, value, Array.Empty<string>()]);
        var update = shown?.GetType().GetMethod("Update", [typeof(object)]);
        return shown is null || update is null ? null : new Handle(shown, update);
    }

    /// <summary>A displayed value that can be replaced in place.</summary>
    public sealed class Handle(object displayedValue, MethodInfo update)
    {
        public void Update(object value) => update.Invoke(displayedValue, [value]);
    }

    private static object? CurrentContext() =>
        FindType("Microsoft.DotNet.Interactive.KernelInvocationContext")?
            .GetProperty("Current", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);

    private static Type? FindType(string name) =>
        AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => a.GetName().Name == AssemblyName)?
            .GetType(name);
}
