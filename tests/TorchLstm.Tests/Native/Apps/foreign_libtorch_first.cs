#:project ../../../../src/TorchLstm/TorchLstm.csproj
#:property PublishAot=false
// Loads the native library named on the command line before touching TorchLstm, as a notebook that
// calls TorchSharp first would, then asks TorchLstm to load: it must refuse, naming both.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

NativeLibrary.Load(args[0]);
return LoadTorchLstm();

// A method of its own, so that compiling the lines above does not load TorchLstm (whose module
// initializer would then preload libtorch before the foreign library).
[MethodImpl(MethodImplOptions.NoInlining)]
static int LoadTorchLstm()
{
    try
    {
        TorchLstm.Native.NativeLoader.EnsureLoaded();
        Console.WriteLine("loaded without complaint");
        return 0;
    }
    catch (TorchLstm.Native.NativeLoadException e)
    {
        Console.WriteLine(e.Message);
        return 3;
    }
}
