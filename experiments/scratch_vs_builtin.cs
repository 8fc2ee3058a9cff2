#:project ../src/TorchLstm.Workshop/TorchLstm.Workshop.csproj
#:property PublishAot=false
// Speed of the from-scratch LSTM/GRU against libtorch's nn.LSTM/nn.GRU on the seed workload:
// sin(x) + noise, windows of 50 predicting the next value, 608 training windows, batch 32,
// a 2-layer network (1 → 60 → 50) with a Linear head on the last step, Adam, MSE.
// Candidates run back to back in alternating order (PairedRuns), so machine load hits both alike;
// each ratio is the median of the per-repeat ratios, with their interquartile range, in wall-clock time and
// in the process's CPU time (which other processes on a busy machine inflate far less).
//
//   dotnet run experiments/scratch_vs_builtin.cs -- [--out DIR] [--epochs 3] [--repeats 3] [--threads 1] [--reference]
// --reference also times ScratchLstm's per-step autograd path (UseFusedKernel = false).
// --threads 0 keeps libtorch's default (one per core).
using System.Text.Json.Nodes;
using TorchLstm.Benchmarks;
using TorchLstm.Cli;
using TorchLstm.Data;
using TorchLstm.Models;
using TorchLstm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

return ExperimentHost.Run(args, cli =>
{
    string output = cli.String("out", Path.Combine("experiments", "results", "scratch_vs_builtin"));
    int epochs = cli.Int("epochs", 3, min: 1);
    int repeats = cli.Int("repeats", 3, min: 3);
    // One intra-op thread by default: on a small, shared machine libtorch's default (one per core) makes
    // the tiny per-step matrix products of both implementations wait on each other (measured: a (32×60)·(60×240)
    // addmm_ took 11 µs with 1 thread and 300–1700 µs with 2 under load).
    int threads = cli.Int("threads", 1, min: 0);
    bool includeReference = cli.Flag("reference");
    long seed = cli.Long("seed", 42);
    cli.RejectUnknown();
    if (threads > 0) torch.set_num_threads(threads);

    using var data = SeedWorkload.TrainingWindows(seed);
    Console.WriteLine($"{data.Count} windows of {data.Inputs.shape[1]} steps; {epochs} epochs x {repeats} repeats; torch threads {torch.get_num_threads()}");

    // Wall-clock times go through PairedRuns; inference times and the CPU times of both are kept beside them.
    var inference = new Dictionary<string, List<double>>();
    var trainCpu = new Dictionary<string, List<double>>();
    var inferCpu = new Dictionary<string, List<double>>();
    BenchmarkCandidate Candidate(string name, string kind, bool scratch, bool fused = true)
    {
        inference[name] = [];
        trainCpu[name] = [];
        inferCpu[name] = [];
        return new(name, () =>
        {
            torch.manual_seed(seed);
            using var model = new TwoLayerNet(kind, scratch, fused);
            var (train, infer) = Measure(model, data, epochs, seed);
            inference[name].Add(infer.WallMs);
            trainCpu[name].Add(train.CpuMs);
            inferCpu[name].Add(infer.CpuMs);
            return train.WallMs;
        });
    }
    var candidates = new List<BenchmarkCandidate>
    {
        Candidate("lstm_builtin", "lstm", scratch: false),
        Candidate("lstm_scratch", "lstm", scratch: true),
        Candidate("gru_builtin", "gru", scratch: false),
        Candidate("gru_scratch", "gru", scratch: true),
    };
    if (includeReference) candidates.Add(Candidate("lstm_scratch_reference", "lstm", scratch: true, fused: false));

    var train = PairedRuns.Run(repeats, candidates, (name, r, ms) =>
        Console.WriteLine($"  repeat {r + 1}: {name,-24} train {ms,8:F1} ms/epoch ({trainCpu[name][^1],7:F1} CPU)   inference {inference[name][^1],7:F1} ms/pass ({inferCpu[name][^1],6:F1} CPU)"));

    var result = new JsonObject();
    // Each ratio: the median of the per-pair ratios in result[name], its interquartile range in result[name + "_spread"].
    void Ratio(string name, IReadOnlyDictionary<string, List<double>> times, string scratch, string builtin)
    {
        var summary = BenchmarkStatistics.PairedRatioWithSpread(times[scratch], times[builtin]);
        result[name] = Math.Round(summary.Median, 3);
        result[name + "_spread"] = new JsonObject { ["p25"] = Math.Round(summary.Low, 3), ["p75"] = Math.Round(summary.High, 3), ["pairs"] = summary.Pairs };
        Console.WriteLine($"{name} = {summary}");
    }
    var trainTimes = train.ToDictionary(kv => kv.Key, kv => kv.Value.ToList());
    foreach (var (stem, builtin, scratch) in new[] { ("scratch", "lstm_builtin", "lstm_scratch"), ("gru_scratch", "gru_builtin", "gru_scratch") }
        .Concat(includeReference ? [("reference", "lstm_builtin", "lstm_scratch_reference")] : []))
    {
        Ratio($"{stem}_over_builtin_train", trainTimes, scratch, builtin);
        Ratio($"{stem}_over_builtin_infer", inference, scratch, builtin);
        Ratio($"{stem}_over_builtin_train_cpu", trainCpu, scratch, builtin);
        Ratio($"{stem}_over_builtin_infer_cpu", inferCpu, scratch, builtin);
    }
    JsonObject Medians(IReadOnlyDictionary<string, List<double>> times) =>
        new(times.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Math.Round(BenchmarkStatistics.Median(kv.Value), 1))));
    result["train_ms_per_epoch"] = Medians(trainTimes);
    result["infer_ms_per_pass"] = Medians(inference);
    result["train_cpu_ms_per_epoch"] = Medians(trainCpu);
    result["infer_cpu_ms_per_pass"] = Medians(inferCpu);
    result["epochs"] = epochs;
    result["repeats"] = repeats;
    result["torch_threads"] = torch.get_num_threads();
    result["load_average"] = MachineProbe.LoadAverage();
    string file = Path.Combine(output, "scratch_vs_builtin.json");
    ResultFiles.WriteJson(file, result);
    Console.WriteLine(result.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"wrote {file}");
    return 0;
});

// One warm-up epoch and pass, then the mean wall-clock and CPU ms of `epochs` training epochs and of inference passes over the same windows.
static ((double WallMs, double CpuMs) Train, (double WallMs, double CpuMs) Infer) Measure(nn.Module<Tensor, Tensor> model, SequenceDataset data, int epochs, long seed)
{
    const int batch = 32;
    using var optimizer = optim.Adam(model.parameters(), lr: SeedWorkload.LearningRate);
    using var generator = Seeding.CreateShuffleGenerator(seed);
    BareLoop.TrainEpoch(model, optimizer, data, batch, generator);
    BareLoop.InferencePass(model, data.Inputs, batch);
    var train = MachineProbe.TimeWallAndCpuMs(() => { for (int e = 0; e < epochs; e++) BareLoop.TrainEpoch(model, optimizer, data, batch, generator); });
    var infer = MachineProbe.TimeWallAndCpuMs(() => { for (int e = 0; e < epochs; e++) BareLoop.InferencePass(model, data.Inputs, batch); });
    return ((train.WallMs / epochs, train.CpuMs / epochs), (infer.WallMs / epochs, infer.CpuMs / epochs));
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
