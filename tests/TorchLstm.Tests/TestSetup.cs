using System.Runtime.CompilerServices;
using TorchLstm.Native;

namespace TorchLstm.Tests;

internal static class TestSetup
{
    // Tests may call TorchSharp before touching any TorchLstm type; the native fix must come first.
    [ModuleInitializer]
    internal static void Initialize() => NativeLoader.EnsureLoaded();
}
