using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Benchmarks;

/// <summary>What one run of the PyTorch baseline reported.</summary>
/// <param name="TorchVersion">PyTorch's version string.</param>
/// <param name="Threads">PyTorch's intra-op thread count during the run.</param>
/// <param name="MillisecondsPerEpoch">Wall-clock ms of each timed epoch, warm-up excluded.</param>
public sealed record PythonRun(string TorchVersion, int Threads, IReadOnlyList<double> MillisecondsPerEpoch);

/// <summary>
/// Runs the same workload in Python PyTorch: same network shape (stacked <c>nn.LSTM</c> + <c>Linear</c> on
/// the last step), the same windows and the same shuffle orders (passed as raw tensor files), Adam and MSE.
/// The script is generated here, so nothing but an interpreter that can <c>import torch</c> is needed.
/// </summary>
public sealed class PythonBaseline
{
    private PythonBaseline(string interpreter) => Interpreter = interpreter;

    /// <summary>The Python executable.</summary>
    public string Interpreter { get; }

    /// <summary>
    /// Finds an interpreter that can import torch: <c>$TORCHLSTM_PYTHON</c>, then <c>python3</c> on the PATH,
    /// then <c>/usr/bin/python3</c>; null when none can.
    /// </summary>
    public static PythonBaseline? Locate()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("TORCHLSTM_PYTHON") is { Length: > 0 } configured) candidates.Add(configured);
        candidates.Add("python3");
        candidates.Add("/usr/bin/python3");
        foreach (string candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            try
            {
                var (exitCode, _, _) = Execute(candidate, ["-c", "import torch"], TimeSpan.FromMinutes(2));
                if (exitCode == 0) return new PythonBaseline(candidate);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name; try the next.
            }
        }
        return null;
    }

    /// <summary>
    /// Trains the network for <c>orders.shape[0]</c> epochs, epoch e visiting samples in the order of
    /// row e; the first <paramref name="warmupEpochs"/> are not timed.
    /// </summary>
    /// <param name="data">Inputs (N, T, F) and targets (N, O), float32.</param>
    /// <param name="hiddenSizes">Hidden size of each LSTM layer.</param>
    /// <param name="orders">(epochs, N) int64 sample orders, for example from <see cref="BareLoop.ShuffleOrders"/>.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="learningRate">Adam's learning rate.</param>
    /// <param name="threads">Intra-op threads for PyTorch (match the C# side for a fair comparison).</param>
    /// <param name="warmupEpochs">Untimed leading epochs.</param>
    /// <param name="workDirectory">Where the script and tensor files are written (deleted afterwards).</param>
    /// <exception cref="ArgumentException">The tensors have the wrong rank or dtype, or there are no timed epochs.</exception>
    /// <exception cref="InvalidOperationException">Python failed; the message carries its standard error.</exception>
    public PythonRun Train(SequenceDataset data, IReadOnlyList<int> hiddenSizes, Tensor orders, int batchSize, double learningRate,
        int threads, int warmupEpochs, string workDirectory)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        ArgumentNullException.ThrowIfNull(orders);
        if (data.Inputs.dim() != 3 || data.Targets.dim() != 2 || data.Inputs.dtype != ScalarType.Float32 || data.Targets.dtype != ScalarType.Float32)
            throw new ArgumentException("the PyTorch baseline takes float32 inputs (N, T, F) and targets (N, O)", nameof(data));
        if (orders.dim() != 2 || orders.dtype != ScalarType.Int64 || orders.shape[0] <= warmupEpochs)
            throw new ArgumentException($"orders must be int64 (epochs, N) with more than {warmupEpochs} warm-up rows", nameof(orders));
        string folder = Path.Combine(workDirectory, $"pytorch-baseline-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var config = new JsonObject
            {
                ["inputs"] = WriteTensor(data.Inputs, Path.Combine(folder, "inputs.bin")),
                ["targets"] = WriteTensor(data.Targets, Path.Combine(folder, "targets.bin")),
                ["orders"] = WriteTensor(orders, Path.Combine(folder, "orders.bin")),
                ["hidden"] = new JsonArray(hiddenSizes.Select(h => (JsonNode)h).ToArray()),
                ["batch"] = batchSize,
                ["lr"] = learningRate,
                ["threads"] = threads,
                ["warmup_epochs"] = warmupEpochs,
            };
            string configPath = Path.Combine(folder, "config.json");
            string scriptPath = Path.Combine(folder, "train.py");
            File.WriteAllText(configPath, config.ToJsonString());
            File.WriteAllText(scriptPath, Script);
            var (exitCode, stdout, stderr) = Execute(Interpreter, [scriptPath, configPath], TimeSpan.FromMinutes(30));
            if (exitCode != 0)
                throw new InvalidOperationException($"the PyTorch baseline failed (exit {exitCode}): {stderr.Trim()}");
            return Parse(stdout);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static PythonRun Parse(string stdout)
    {
        string line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
            ?? throw new InvalidOperationException("the PyTorch baseline printed nothing");
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        return new PythonRun(
            root.GetProperty("torch_version").GetString() ?? "",
            root.GetProperty("threads").GetInt32(),
            root.GetProperty("ms_per_epoch").EnumerateArray().Select(e => e.GetDouble()).ToArray());
    }

    private static JsonObject WriteTensor(Tensor tensor, string path)
    {
        using var contiguous = tensor.contiguous();
        File.WriteAllBytes(path, contiguous.bytes.ToArray());
        return new JsonObject
        {
            ["file"] = path,
            ["shape"] = new JsonArray(tensor.shape.Select(s => (JsonNode)s).ToArray()),
            ["dtype"] = tensor.dtype == ScalarType.Int64 ? "int64" : "float32",
        };
    }

    private static (int ExitCode, string Stdout, string Stderr) Execute(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {timeout.TotalMinutes:0} minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    // Mirrors BareLoop.TrainEpoch step for step: index_select the batch, zero_grad, MSE, backward, Adam step.
    private const string Script = """
        import json, sys, time
        import torch

        cfg = json.load(open(sys.argv[1]))
        torch.set_num_threads(cfg["threads"])
        torch.manual_seed(42)

        def read(d):
            dtype = torch.int64 if d["dtype"] == "int64" else torch.float32
            with open(d["file"], "rb") as f:
                data = bytearray(f.read())
            return torch.frombuffer(data, dtype=dtype).reshape(d["shape"]).clone()

        x, y, orders = read(cfg["inputs"]), read(cfg["targets"]), read(cfg["orders"])

        class Net(torch.nn.Module):
            def __init__(self, input_size, hidden, output):
                super().__init__()
                self.layers = torch.nn.ModuleList()
                for h in hidden:
                    self.layers.append(torch.nn.LSTM(input_size, h, batch_first=True))
                    input_size = h
                self.head = torch.nn.Linear(input_size, output)

            def forward(self, x):
                for layer in self.layers:
                    x, _ = layer(x)
                return self.head(x[:, -1, :])

        model = Net(x.shape[2], cfg["hidden"], y.shape[1])
        optimizer = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
        loss_fn = torch.nn.MSELoss()
        batch = cfg["batch"]

        def epoch(order):
            model.train()
            for start in range(0, order.shape[0], batch):
                index = order[start:start + batch]
                optimizer.zero_grad()
                loss = loss_fn(model(x.index_select(0, index)), y.index_select(0, index))
                loss.backward()
                optimizer.step()

        times = []
        for e in range(orders.shape[0]):
            started = time.perf_counter()
            epoch(orders[e])
            elapsed = (time.perf_counter() - started) * 1000
            if e >= cfg["warmup_epochs"]:
                times.append(elapsed)
        print(json.dumps({"torch_version": torch.__version__, "threads": torch.get_num_threads(), "ms_per_epoch": times}))
        """;
}
