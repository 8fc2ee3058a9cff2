using System.Runtime.CompilerServices;
using TorchLstm.Native;
using TorchSharp;

namespace TorchLstm.Tests;

internal static class TestSetup
{
    // Tests may call TorchSharp before touching any TorchLstm type; the native fix must come first.
    // xunit runs test classes in parallel on the machine's cores already; letting every tiny torch op
    // fan out to more threads on top of that oversubscribes them (measured 25-30x slower small-model
    // training on a busy 2-core machine), so each op runs on one thread.
    [ModuleInitializer]
    internal static void Initialize()
    {
        NativeLoader.EnsureLoaded();
        torch.set_num_threads(1);
    }
}
