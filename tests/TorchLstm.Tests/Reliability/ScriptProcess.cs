using System.Diagnostics;
using System.Text;

namespace TorchLstm.Tests.Reliability;

/// <summary>Runs an experiment script as a child process with <c>dotnet run</c>, capturing its output.</summary>
internal sealed class ScriptProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();
    private readonly object gate = new();

    private ScriptProcess(Process process) => this.process = process;

    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Starts <c>dotnet run [--no-build] experiments/SCRIPT -- ARGS</c> in the repository root.</summary>
    public static ScriptProcess Start(string script, IEnumerable<string> args, bool build, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("run");
        if (!build) info.ArgumentList.Add("--no-build");
        // A bare name is an experiment script; a path is relative to the repository root.
        info.ArgumentList.Add(script.Contains('/', StringComparison.Ordinal) ? script : Path.Combine("experiments", script));
        info.ArgumentList.Add("--");
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // The test host's MSBuild settings would leak into the child's build.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("MSBUILD", StringComparison.Ordinal) || k is "DOTNET_HOST_PATH" or "VSTEST_HOST_DEBUG").ToList())
            info.Environment.Remove(key);
        info.Environment["CI"] = "true";
        if (environment is not null)
            foreach (var (key, value) in environment) info.Environment[key] = value;

        var process = new Process { StartInfo = info };
        var result = new ScriptProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (result.gate) result.stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (result.gate) result.stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    public string StandardOutput { get { lock (gate) return stdout.ToString(); } }

    public string StandardError { get { lock (gate) return stderr.ToString(); } }

    public int ExitCode => process.ExitCode;

    /// <summary>Exit state and output, for assertion messages.</summary>
    public string Describe() =>
        $"exited: {process.HasExited}{(process.HasExited ? $" with {process.ExitCode}" : "")}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";

    /// <summary>Waits for the exit; false on timeout (the process is then killed).</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (process.WaitForExit(timeout))
        {
            process.WaitForExit(); // drains the asynchronous readers
            return true;
        }
        KillHard();
        return false;
    }

    /// <summary>Waits until standard error contains <paramref name="text"/>; false if the process ended or time ran out first.</summary>
    public bool WaitForError(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (StandardError.Contains(text, StringComparison.Ordinal)) return true;
            if (process.HasExited) return StandardError.Contains(text, StringComparison.Ordinal);
            Thread.Sleep(50);
        }
        return false;
    }

    /// <summary>SIGKILL to the whole tree (<c>dotnet run</c> starts the script as its child).</summary>
    public void KillHard()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public void Dispose()
    {
        if (!process.HasExited) KillHard();
        process.Dispose();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TorchLstm.sln"))) return dir.FullName;
        throw new InvalidOperationException("the repository root (TorchLstm.sln) is not above the test assembly");
    }
}
