using TorchLstm.Tests.Reliability;

namespace TorchLstm.Tests.Native;

/// <summary>
/// Loading beside a system libtorch, in fresh processes: the package's libtorch must be the one loaded
/// whatever <c>LD_LIBRARY_PATH</c> says, and a libtorch loaded before TorchLstm could choose must be named.
/// Debian's python3-torch puts libtorch 1.13 in the system library folder (as in CI).
/// </summary>
[Trait("Category", "Process")]
public class NativeLoadingProcessTests
{
    private const string SystemLibraryFolder = "/usr/lib/x86_64-linux-gnu";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    [Fact]
    public void The_doctor_loads_the_packages_libtorch_even_with_LD_LIBRARY_PATH_at_the_system_one_and_exits_0()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("loading beside a system libtorch is a Linux concern");
        using var doctor = ScriptProcess.Start("doctor.cs", [], build: true,
            new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = SystemLibraryFolder });
        Assert.True(doctor.WaitForExit(Patience), doctor.Describe());
        Assert.True(doctor.ExitCode == 0, doctor.Describe());

        var loaded = doctor.StandardOutput.Split('\n').Select(l => l.Trim().Replace("loaded libraries: ", "", StringComparison.Ordinal))
            .Where(l => l.StartsWith('/') && Path.GetFileName(l).StartsWith("libtorch_cpu.so", StringComparison.Ordinal)).ToList();
        var path = Assert.Single(loaded);
        Assert.DoesNotContain(SystemLibraryFolder, path, StringComparison.Ordinal);
        Assert.Contains("All 80 checks passed.", doctor.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void A_libtorch_loaded_before_TorchLstm_could_choose_is_refused_with_both_libraries_named()
    {
        // Debian's own libtorch 1.13 aborts a .NET process in its static initialisers, so the foreign
        // library here is a copy of the package's libc10 in another folder: to the loader, another build.
        string packageFolder = TorchLstm.Native.NativeLoader.LibtorchDirectory
            ?? throw new InvalidOperationException("the test host's libtorch was not preloaded: " + TorchLstm.Native.NativeLoader.Status);
        using var dir = new TempDirectory();
        string foreign = dir.File("libc10.so");
        File.Copy(Path.Combine(packageFolder, "libc10.so"), foreign);

        using var app = ScriptProcess.Start("tests/TorchLstm.Tests/Native/Apps/foreign_libtorch_first.cs", [foreign], build: true);
        Assert.True(app.WaitForExit(Patience), app.Describe());

        Assert.True(app.ExitCode == 3, app.Describe());
        Assert.Contains("Another libtorch is already loaded in this process: " + foreign, app.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("libtorch_cpu.so", app.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("NativeLoader.EnsureLoaded()", app.StandardOutput, StringComparison.Ordinal);
    }
}
