using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>
/// Finds a Python interpreter that can import torch and runs cross-check scripts with it. Without one
/// the calling test is reported as skipped with the reason and the install command, or fails with the
/// same message when TORCHLSTM_REQUIRE_PYTHON=1 (CI sets it, so the Python half always runs there).
/// </summary>
internal static class PythonTorch
{
    /// <summary>When "1", a missing interpreter fails the test instead of skipping it.</summary>
    public const string RequireVariable = "TORCHLSTM_REQUIRE_PYTHON";

    /// <summary>The interpreter to use; when set, it is the only one tried.</summary>
    public const string InterpreterVariable = "TORCHLSTM_PYTHON";

    private const string InstallHint =
        "Install Debian's PyTorch with: apt-get update && apt-get install -y python3-torch " +
        "(or point TORCHLSTM_PYTHON at an interpreter with torch).";

    private static readonly Lazy<(string? Interpreter, string Reason)> Found = new(Locate);

    /// <summary>
    /// The interpreter. Without one, skips the calling test with the reason, or fails it when
    /// <see cref="RequireVariable"/> is "1"; call it before any work that only the Python half needs.
    /// </summary>
    public static string Require()
    {
        var (interpreter, reason) = Found.Value;
        if (interpreter is not null) return interpreter;
        string message = $"needs Python with torch: {reason}. {InstallHint}";
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
            Assert.Fail($"{message} ({RequireVariable}=1 makes a missing interpreter a failure.)");
        Assert.Skip(message);
        throw new UnreachableException();
    }

    /// <summary>Runs <paramref name="script"/> with arguments; fails the test with stderr when it exits non-zero.</summary>
    public static string Run(string interpreter, string script, params string[] arguments)
    {
        string scriptPath = Path.Combine(Path.GetTempPath(), $"torchlstm-{Guid.NewGuid():N}.py");
        File.WriteAllText(scriptPath, script);
        try
        {
            var (exitCode, stdout, stderr) = Execute(interpreter, [scriptPath, .. arguments], TimeSpan.FromMinutes(2));
            Assert.True(exitCode == 0, $"python script failed (exit {exitCode}):\n{stderr}\n{stdout}");
            return stdout;
        }
        finally
        {
            File.Delete(scriptPath);
        }
    }

    /// <summary>Writes a tensor as raw little-endian data plus a JSON description Python's helper reads.</summary>
    public static object Describe(Tensor tensor, string path)
    {
        using var contiguous = tensor.detach().contiguous();
        File.WriteAllBytes(path, contiguous.bytes.ToArray());
        return new { file = path, shape = tensor.shape, dtype = tensor.dtype == ScalarType.Int64 ? "int64" : "float32" };
    }

    /// <summary>Reads tensors Python wrote with <see cref="PythonHelpers"/>' write_tensors.</summary>
    public static List<Tensor> ReadTensors(string manifestPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(manifestPath));
        var tensors = new List<Tensor>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            long[] shape = item.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var tensor = torch.empty(shape, dtype: ScalarType.Float32);
            tensor.bytes = File.ReadAllBytes(item.GetProperty("file").GetString()!);
            tensors.Add(tensor);
        }
        return tensors;
    }

    /// <summary>Python functions shared by the scripts: tensors in and out through raw files.</summary>
    public const string PythonHelpers = """
        import json, sys, torch

        def read_tensor(d):
            dtype = torch.int64 if d["dtype"] == "int64" else torch.float32
            with open(d["file"], "rb") as f:
                data = bytearray(f.read())
            return torch.frombuffer(data, dtype=dtype).reshape(d["shape"]).clone()

        def flatten(value):
            if isinstance(value, (tuple, list)):
                return [t for v in value for t in flatten(v)]
            return [value]

        def write_tensors(tensors, prefix):
            items = []
            for i, t in enumerate(tensors):
                path = f"{prefix}.{i}.bin"
                with open(path, "wb") as f:
                    f.write(t.detach().to(torch.float32).contiguous().numpy().tobytes())
                items.append({"file": path, "shape": list(t.shape)})
            with open(prefix + ".json", "w") as f:
                json.dump(items, f)

        """;

    // An explicit TORCHLSTM_PYTHON is the only candidate: a wrong setting must show, not be papered
    // over by whatever python3 the machine happens to have.
    private static (string? Interpreter, string Reason) Locate()
    {
        string[] candidates = Environment.GetEnvironmentVariable(InterpreterVariable) is { Length: > 0 } configured
            ? [configured]
            : ["python3", "/usr/bin/python3"];
        var failures = new List<string>();
        foreach (string candidate in candidates)
        {
            try
            {
                var (exitCode, _, stderr) = Execute(candidate, ["-c", "import torch"], TimeSpan.FromMinutes(1));
                if (exitCode == 0) return (candidate, "");
                string lastLine = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {exitCode}";
                failures.Add($"{candidate}: {lastLine}");
            }
            catch (System.ComponentModel.Win32Exception)
            {
                failures.Add($"{candidate}: not found");
            }
        }
        string tried = candidates.Length == 1 && candidates[0] == Environment.GetEnvironmentVariable(InterpreterVariable)
            ? $"{InterpreterVariable} names {candidates[0]}, which cannot import torch"
            : "no interpreter on this machine can import torch";
        return (null, $"{tried} ({string.Join("; ", failures)})");
    }

    private static (int ExitCode, string Stdout, string Stderr) Execute(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {timeout}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
