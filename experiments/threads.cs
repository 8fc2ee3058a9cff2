#:project ../src/TorchLstm/TorchLstm.csproj
#:property PublishAot=false
// How many libtorch intra-op threads each model size wants, measured on this machine: stacked LSTMs from
// 1 → 16 to 1 → 512 → 512 (batch 32, T = 50), one training epoch and one inference pass at each thread count
// from 1 to the core count, run back to back in alternating order, repeated, compared by the median of the
// per-pair ratios with their interquartile range. The rule TorchThreads applies (TrainingOptions.Threads
// = null) comes from this table; the machine's load average is recorded with it, because a busy machine
// changes the answer.
//   dotnet run experiments/threads.cs -- [--out DIR] [--repeats 5] [--samples 256] [--seed 42]
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchLstm.Benchmarks;
using TorchLstm.Cli;
using TorchLstm.Data;
using TorchLstm.IO;
using TorchLstm.Models;
using TorchLstm.Reporting;
using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;

return ExperimentHost.Run(args, cli =>
{
    string output = cli.String("out", Path.Combine("experiments", "results", "threads"));
    int repeats = cli.Int("repeats", 5, min: 3);
    int samples = cli.Int("samples", 256, min: 32);
    long seed = cli.Long("seed", 42);
    cli.RejectUnknown();
    var c = CultureInfo.InvariantCulture;
    int cores = Environment.ProcessorCount;
    int[] threadCounts = [.. Enumerable.Range(1, cores)];
    const int batch = 32, steps = 50;
    int[][] models = [[16], [60, 50], [128, 128], [256, 256], [512, 512]];
    using var data = SeedWorkload.SyntheticWindows(samples, steps, seed);
    double? loadStart = MachineProbe.LoadAverage();
    Console.WriteLine(string.Create(c, $"{cores} cores; {samples} windows of {steps} steps, batch {batch}; {repeats} repeats; load average {loadStart}"));

    var rows = new JsonArray();
    var table = new MarkdownTable(["model", "parameters", "parameters × batch", .. threadCounts.Skip(1).SelectMany(t => new[] { $"train {t}T ÷ 1T", $"infer {t}T ÷ 1T" }), "train ms (1T)", "load"], precision: 3);
    foreach (int[] hidden in models)
    {
        torch.random.manual_seed(seed);
        using var model = new StackedLstm(1, hidden, 1);
        long parameters = model.parameters().Sum(p => p.numel());
        using var optimizer = new TorchLstm.Training.Optimizers.Adam(model.parameters(), 1e-3);
        using var generator = Seeding.CreateShuffleGenerator(seed);
        double Train(int threads)
        {
            torch.set_num_threads(threads);
            return MachineProbe.TimeMs(() => BareLoop.TrainEpoch(model, optimizer, data, batch, generator));
        }
        double Infer(int threads)
        {
            torch.set_num_threads(threads);
            return MachineProbe.TimeMs(() => BareLoop.InferencePass(model, data.Inputs, batch));
        }
        foreach (int t in threadCounts) { Train(t); Infer(t); } // warm-up at every count
        var inferTimes = threadCounts.ToDictionary(t => t, _ => new List<double>());
        var trainTimes = PairedRuns.Run(repeats,
            [.. threadCounts.Select(t => new BenchmarkCandidate($"{t}", () => { inferTimes[t].Add(Infer(t)); return Train(t); }))]);
        double? load = MachineProbe.LoadAverage();
        var row = new JsonObject
        {
            ["hidden"] = new JsonArray([.. hidden.Select(h => JsonValue.Create(h))]),
            ["parameters"] = parameters,
            ["parameters_times_batch"] = parameters * batch,
            ["load_average"] = load,
        };
        var cells = new List<object?> { $"1 → {string.Join(" → ", hidden)}", parameters, parameters * batch };
        foreach (int t in threadCounts)
        {
            row[$"train_ms_{t}"] = Math.Round(BenchmarkStatistics.Median(trainTimes[$"{t}"]), 1);
            row[$"infer_ms_{t}"] = Math.Round(BenchmarkStatistics.Median(inferTimes[t]), 1);
            if (t == 1) continue;
            var train = BenchmarkStatistics.PairedRatioWithSpread(trainTimes[$"{t}"], trainTimes["1"]);
            var infer = BenchmarkStatistics.PairedRatioWithSpread(inferTimes[t], inferTimes[1]);
            row[$"train_{t}_over_1"] = Spread(train);
            row[$"infer_{t}_over_1"] = Spread(infer);
            cells.Add($"{train.Median:F2} ± {train.HalfSpread:F2}");
            cells.Add($"{infer.Median:F2} ± {infer.HalfSpread:F2}");
            Console.WriteLine(string.Create(c, $"1 → {string.Join(" → ", hidden),-10} ({parameters,9:N0} parameters): train {t}T/1T {train}, inference {t}T/1T {infer}; load {load}"));
        }
        cells.Add(Math.Round(BenchmarkStatistics.Median(trainTimes["1"]), 1));
        cells.Add(load);
        table.AddRow([.. cells]);
        rows.Add(row);
    }
    torch.set_num_threads(1);
    var result = new JsonObject
    {
        ["cores"] = cores,
        ["batch"] = batch,
        ["steps"] = steps,
        ["samples"] = samples,
        ["repeats"] = repeats,
        ["load_average_start"] = loadStart,
        ["load_average_end"] = MachineProbe.LoadAverage(),
        ["models"] = rows,
        ["note"] = "ratios are medians of per-pair ratios (time at t threads ÷ time at 1 thread) with their interquartile range; below 1 means more threads help",
    };
    Directory.CreateDirectory(output);
    AtomicFile.WriteAllText(Path.Combine(output, "threads.json"), result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    AtomicFile.WriteAllText(Path.Combine(output, "threads.md"), "# Intra-op threads by model size\n\n" + table + "\n");
    Console.WriteLine(table);
    return 0;

    static JsonObject Spread(PairedRatioSummary s) => new()
    {
        ["median"] = Math.Round(s.Median, 3), ["p25"] = Math.Round(s.Low, 3), ["p75"] = Math.Round(s.High, 3), ["pairs"] = s.Pairs,
    };
});
