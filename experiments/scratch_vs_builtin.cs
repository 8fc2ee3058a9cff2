#:project ../src/TorchLstm/TorchLstm.csproj
#:property PublishAot=false
// Speed of the from-scratch LSTM/GRU against libtorch's nn.LSTM/nn.GRU on the seed workload:
// sin(x) + noise, windows of 50 predicting the next value, 608 training windows, batch 32,
// a 2-layer network (1 → 60 → 50) with a Linear head on the last step, Adam, MSE.
// Runs are paired and interleaved (builtin, scratch, builtin, ...) so machine load hits both alike;
// each figure is the median over the repeats.
//
//   dotnet run experiments/scratch_vs_builtin.cs -- --out DIR [--epochs N] [--repeats N] [--threads N] [--reference]
// --reference also times ScratchLstm's per-step autograd path (UseFusedKernel = false).
using System.Diagnostics;
using System.Text.Json;
using TorchLstm.Models;
using TorchLstm.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

NativeLoader.EnsureLoaded();
string outDir = Arg("--out") ?? throw new ArgumentException("--out DIR is required");
int epochs = int.Parse(Arg("--epochs") ?? "3");
int repeats = int.Parse(Arg("--repeats") ?? "3");
// One intra-op thread by default: on a small, shared machine libtorch's default (one per core) makes
// the tiny per-step matrix products of both implementations wait on each other (measured: a (32×60)·(60×240)
// addmm_ took 11 µs with 1 thread and 300–1700 µs with 2 under load). --threads 0 keeps libtorch's default.
int threads = int.Parse(Arg("--threads") ?? "1");
bool includeReference = args.Contains("--reference");
if (repeats < 3) throw new ArgumentOutOfRangeException("--repeats", repeats, "the median needs at least 3 repeats");
if (epochs < 1) throw new ArgumentOutOfRangeException("--epochs", epochs, "at least 1 epoch");
if (threads > 0) torch.set_num_threads(threads);
Directory.CreateDirectory(outDir);

var (inputs, targets) = SeedWindows();
Console.WriteLine($"{inputs.shape[0]} windows of {inputs.shape[1]} steps; {epochs} epochs x {repeats} repeats; torch threads {torch.get_num_threads()}");

var candidates = new List<(string Name, Func<nn.Module<Tensor, Tensor>> Create)>
{
    ("lstm_builtin", () => new TwoLayerNet(kind: "lstm", scratch: false)),
    ("lstm_scratch", () => new TwoLayerNet(kind: "lstm", scratch: true)),
    ("gru_builtin", () => new TwoLayerNet(kind: "gru", scratch: false)),
    ("gru_scratch", () => new TwoLayerNet(kind: "gru", scratch: true)),
};
if (includeReference) candidates.Insert(2, ("lstm_scratch_reference", () => new TwoLayerNet(kind: "lstm", scratch: true, fused: false)));

var train = candidates.ToDictionary(c => c.Name, _ => new List<double>());
var infer = candidates.ToDictionary(c => c.Name, _ => new List<double>());
for (int repeat = 0; repeat < repeats; repeat++)
{
    // Alternate the order each repeat so neither side always runs first.
    var order = repeat % 2 == 0 ? candidates : Enumerable.Reverse(candidates).ToList();
    foreach (var (name, create) in order)
    {
        torch.manual_seed(42);
        var model = create();
        var (trainMs, inferMs) = Measure(model, inputs, targets, epochs);
        train[name].Add(trainMs);
        infer[name].Add(inferMs);
        Console.WriteLine($"  repeat {repeat + 1}: {name,-24} train {trainMs,8:F1} ms/epoch   inference {inferMs,7:F1} ms/pass");
        model.Dispose();
    }
}

double Median(IEnumerable<double> values) { var s = values.Order().ToList(); return s[s.Count / 2]; }
// The ratio is the median of the per-repeat ratios: each pair ran back to back, so a load change on a
// shared machine cancels within the pair instead of skewing one side's median.
double PairedRatio(Dictionary<string, List<double>> times, string scratch, string builtin) =>
    Math.Round(Median(times[scratch].Zip(times[builtin], (s, b) => s / b)), 3);
var result = new Dictionary<string, object>
{
    ["scratch_over_builtin_train"] = PairedRatio(train, "lstm_scratch", "lstm_builtin"),
    ["scratch_over_builtin_infer"] = PairedRatio(infer, "lstm_scratch", "lstm_builtin"),
    ["builtin_train_ms_per_epoch"] = Math.Round(Median(train["lstm_builtin"]), 1),
    ["scratch_train_ms_per_epoch"] = Math.Round(Median(train["lstm_scratch"]), 1),
    ["builtin_infer_ms_per_epoch"] = Math.Round(Median(infer["lstm_builtin"]), 1),
    ["scratch_infer_ms_per_epoch"] = Math.Round(Median(infer["lstm_scratch"]), 1),
    ["gru_scratch_over_builtin_train"] = PairedRatio(train, "gru_scratch", "gru_builtin"),
    ["gru_scratch_over_builtin_infer"] = PairedRatio(infer, "gru_scratch", "gru_builtin"),
    ["gru_builtin_train_ms_per_epoch"] = Math.Round(Median(train["gru_builtin"]), 1),
    ["gru_scratch_train_ms_per_epoch"] = Math.Round(Median(train["gru_scratch"]), 1),
    ["gru_builtin_infer_ms_per_epoch"] = Math.Round(Median(infer["gru_builtin"]), 1),
    ["gru_scratch_infer_ms_per_epoch"] = Math.Round(Median(infer["gru_scratch"]), 1),
    ["epochs"] = epochs,
    ["repeats"] = repeats,
    ["torch_threads"] = torch.get_num_threads(),
};
if (includeReference)
{
    result["reference_over_builtin_train"] = PairedRatio(train, "lstm_scratch_reference", "lstm_builtin");
    result["reference_over_builtin_infer"] = PairedRatio(infer, "lstm_scratch_reference", "lstm_builtin");
}
string json = JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true });
File.WriteAllText(Path.Combine(outDir, "scratch_vs_builtin.json"), json);
Console.WriteLine(json);

string? Arg(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

// The seed's data: x = linspace(0, 50, 1000), y = sin(x) + 0.1 noise; windows of 50 predicting the
// next value; the first 80 % for training, of which Keras's validation_split=0.2 leaves 608 windows.
static (Tensor Inputs, Tensor Targets) SeedWindows()
{
    var generator = new Generator(0);
    Tensor x = torch.linspace(0, 50, 1000);
    Tensor y = x.sin() + 0.1 * torch.randn(1000, generator: generator);
    const int window = 50;
    Tensor windows = y.unfold(0, window + 1, 1);                 // (950, 51)
    long fitCount = (long)(windows.shape[0] * 0.8), trainCount = (long)(fitCount * 0.8);
    Tensor trainWindows = windows.narrow(0, 0, trainCount);
    return (trainWindows.narrow(1, 0, window).unsqueeze(2).contiguous(), trainWindows.narrow(1, window, 1).contiguous());
}

// One warm-up epoch, then the mean ms of `epochs` training epochs and of inference passes over the same windows.
static (double TrainMs, double InferMs) Measure(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor targets, int epochs)
{
    const int batch = 32;
    var optimizer = torch.optim.Adam(model.parameters(), lr: 0.001);
    var loss = nn.MSELoss();
    var generator = new Generator(1);
    void TrainEpoch()
    {
        model.train();
        using var order = torch.randperm(inputs.shape[0], generator: generator);
        for (long start = 0; start < inputs.shape[0]; start += batch)
        {
            using var scope = torch.NewDisposeScope();
            Tensor index = order.narrow(0, start, Math.Min(batch, inputs.shape[0] - start));
            optimizer.zero_grad();
            Tensor value = loss.forward(model.forward(inputs.index_select(0, index)), targets.index_select(0, index));
            value.backward();
            optimizer.step();
        }
    }
    void InferPass()
    {
        model.eval();
        using var noGrad = torch.no_grad();
        for (long start = 0; start < inputs.shape[0]; start += batch)
        {
            using var scope = torch.NewDisposeScope();
            model.forward(inputs.narrow(0, start, Math.Min(batch, inputs.shape[0] - start)));
        }
    }
    TrainEpoch();
    InferPass();
    var clock = Stopwatch.StartNew();
    for (int e = 0; e < epochs; e++) TrainEpoch();
    double trainMs = clock.Elapsed.TotalMilliseconds / epochs;
    clock.Restart();
    for (int e = 0; e < epochs; e++) InferPass();
    return (trainMs, clock.Elapsed.TotalMilliseconds / epochs);
}

/// <summary>Recurrent(1 → 60) → Recurrent(60 → 50) → Linear(50 → 1) on the last step, batch-first.</summary>
sealed class TwoLayerNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module first;
    private readonly nn.Module second;
    private readonly Linear head;

    public TwoLayerNet(string kind, bool scratch, bool fused = true) : base("TwoLayerNet")
    {
        first = Recurrent(kind, scratch, fused, 1, 60);
        second = Recurrent(kind, scratch, fused, 60, 50);
        head = nn.Linear(50, 1);
        RegisterComponents();
    }

    private static nn.Module Recurrent(string kind, bool scratch, bool fused, long input, long hidden) => (kind, scratch) switch
    {
        ("lstm", false) => nn.LSTM(input, hidden, batchFirst: true),
        ("lstm", true) => new ScratchLstm(input, hidden, batchFirst: true) { UseFusedKernel = fused },
        ("gru", false) => nn.GRU(input, hidden, batchFirst: true),
        _ => new ScratchGru(input, hidden, batchFirst: true),
    };

    private static Tensor Run(nn.Module recurrent, Tensor x) => recurrent switch
    {
        nn.Module<Tensor, (Tensor, Tensor)?, (Tensor, Tensor, Tensor)> lstm => lstm.call(x, null).Item1,
        nn.Module<Tensor, Tensor?, (Tensor, Tensor)> gru => gru.call(x, null).Item1,
        _ => throw new InvalidOperationException(recurrent.GetType().Name),
    };

    public override Tensor forward(Tensor x) => head.call(Run(second, Run(first, x)).select(1, -1));
}
