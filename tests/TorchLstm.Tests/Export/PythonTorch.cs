using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>
/// Finds a Python interpreter that can import torch (TORCHLSTM_PYTHON, then python3, then
/// /usr/bin/python3) and runs cross-check scripts with it. Without one the tests fail with the
/// install command, unless TORCHLSTM_SKIP_PYTHON=1 says to leave the Python half out.
/// </summary>
internal static class PythonTorch
{
    public const string InstallHint =
        "no Python interpreter that can 'import torch' was found (tried $TORCHLSTM_PYTHON, python3, /usr/bin/python3). " +
        "Install Debian's PyTorch with: apt-get update && apt-get install -y python3-torch " +
        "(or point TORCHLSTM_PYTHON at an interpreter with torch; set TORCHLSTM_SKIP_PYTHON=1 to run without the Python checks).";

    private static readonly Lazy<string?> Found = new(Locate);

    /// <summary>The interpreter, or null when TORCHLSTM_SKIP_PYTHON=1 and none is available; fails the test otherwise.</summary>
    public static string? Require()
    {
        if (Found.Value is { } interpreter) return interpreter;
        if (Environment.GetEnvironmentVariable("TORCHLSTM_SKIP_PYTHON") == "1") return null;
        Assert.Fail(InstallHint);
        return null;
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

    private static string? Locate()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("TORCHLSTM_PYTHON") is { Length: > 0 } configured) candidates.Add(configured);
        candidates.Add("python3");
        candidates.Add("/usr/bin/python3");
        foreach (string candidate in candidates)
        {
            try
            {
                if (Execute(candidate, ["-c", "import torch"], TimeSpan.FromMinutes(1)).ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name: try the next one.
            }
        }
        return null;
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
