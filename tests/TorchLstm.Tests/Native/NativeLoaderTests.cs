using System.Runtime.InteropServices;
using TorchLstm.Native;
using TorchSharp;

namespace TorchLstm.Tests.Native;

public class NativeLoaderTests
{
    [Fact]
    public void Torch_runs_after_EnsureLoaded()
    {
        NativeLoader.EnsureLoaded();
        using var x = torch.arange(1, 5, dtype: torch.float32);
        Assert.Equal(10f, x.sum().item<float>());
    }

    [Fact]
    public void Patched_copy_differs_from_the_original_only_in_the_flags_of_the_GLIBCXX_3_4_32_entry()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("the native glue fix is for Linux; elsewhere nothing is patched");
        string? original = NativeLoader.FindOriginalGlue(typeof(torch).Assembly);
        Assert.NotNull(original);

        string patched = NativeLoader.WritePatchedCopy(original);
        byte[] before = File.ReadAllBytes(original), after = File.ReadAllBytes(patched);
        Assert.Equal(before.Length, after.Length);

        var differing = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        var entry = ElfVersionNeeds.Read(after).Single(e => e.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", entry.File);
        Assert.True(entry.IsWeak);
        Assert.False(ElfVersionNeeds.Read(before).Single(e => e.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.Single(differing);
        Assert.Equal(entry.FlagsOffset, differing[0]);
        // Every other requirement is untouched.
        Assert.All(ElfVersionNeeds.Read(after).Where(e => e.Version != "GLIBCXX_3.4.32"), e => Assert.False(e.IsWeak));
    }

    [Fact]
    public void Glue_loads_regularly_or_from_the_patched_copy_and_status_says_which()
    {
        NativeLoader.EnsureLoaded();
        if (!OperatingSystem.IsLinux()) Assert.Skip("the native glue fix is for Linux; elsewhere nothing is patched");
        bool regularLoadWorks = NativeLibrary.TryLoad(NativeLoader.FindOriginalGlue(typeof(torch).Assembly)!, out _);
        if (regularLoadWorks)
            Assert.Null(NativeLoader.PatchedLibraryPath);
        else
            Assert.Contains("GLIBCXX_3.4.32", NativeLoader.Status);
    }

    [Fact]
    public void A_file_that_is_not_ELF_gets_a_clear_error()
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[128]));
        Assert.Contains("not an ELF file", e.Message);
    }

    [Fact]
    public void A_library_without_the_marker_version_is_reported_as_not_applicable()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("the native glue fix is for Linux; elsewhere nothing is patched");
        byte[] libm = File.ReadAllBytes("/lib/x86_64-linux-gnu/libm.so.6");
        Assert.False(ElfVersionNeeds.MarkWeak(libm, "libstdc++.so.6", "GLIBCXX_3.4.32"));
    }
}
