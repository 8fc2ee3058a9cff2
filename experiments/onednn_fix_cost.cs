#:project ../src/TorchLstm.Workshop/TorchLstm.Workshop.csproj
#:property PublishAot=false
// What the oneDNN LSTM inference fix costs (see LstmInferenceFix): for a few models, Predict with the
// fix off (libtorch's inference kernel) against Predict routed through the training kernel (what an
// affected configuration gets), run in alternating order, repeated; ratios are medians of per-pair
// ratios with their 10th-90th percentile spread. Also the one-off cost of the known-answer check.
//   dotnet run experiments/onednn_fix_cost.cs -- [--pairs 15] [--calls 10] [--threads N] [--out DIR]
// The instruction-set cap (the global alternative) needs a fresh process: time whole runs of a script
// with and without ONEDNN_MAX_CPU_ISA=AVX2 in the environment.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchLstm.Cli;
using TorchLstm.Models;
using TorchLstm.Native;
using TorchLstm.Training;
using TorchSharp;

return ExperimentHost.Run(args, cli =>
{
    int pairs = cli.Int("pairs", 15, min: 3);
    int calls = cli.Int("calls", 10, min: 1);
    // Unset: Predict chooses libtorch's thread count for each model, as it does for users.
    int? threads = cli.Optional("threads") is null ? null : cli.Int("threads", 1, min: 1);
    string output = cli.String("out", Path.Combine("experiments", "results", "onednn_fix_cost"));
    cli.RejectUnknown();

    var cases = new (string Name, int[] Hidden, int Batch, int Steps, int Input)[]
    {
        ("seed model 1 → 60 → 50, 190 windows of 50", [60, 50], 190, 50, 1),
        ("StackedLstm [100, 6], 190 windows of 30", [100, 6], 190, 30, 4),
        ("StackedLstm [16], 190 windows of 30", [16], 190, 30, 4),
        ("StackedLstm [256, 256], 128 windows of 50", [256, 256], 128, 50, 8),
    };

    var rows = new JsonArray();
    var runner = new ExperimentRunner();
    Console.WriteLine($"{"case",-44} {"stock ms",9} {"routed ms",10} {"routed/stock",13} {"spread p10-p90",16}");
    foreach (var (name, hidden, batch, steps, input) in cases)
    {
        torch.manual_seed(1);
        using var model = new StackedLstm(input, hidden, outputSize: 1);
        model.eval();
        using var inputs = torch.randn(batch, steps, input);
        double Time(FixMode mode)
        {
            using var _ = LstmInferenceFix.UseMode(mode);
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++) runner.Predict(model, inputs, threads: threads).Dispose();
            return watch.Elapsed.TotalMilliseconds / calls;
        }
        Time(FixMode.Off);
        Time(FixMode.Always);                                     // warm both kernels up
        var stock = new List<double>();
        var routed = new List<double>();
        var ratios = new List<double>();
        for (int pair = 0; pair < pairs; pair++)
        {
            // Alternate which goes first, so a drift in machine speed does not favour one side.
            double a, b;
            if (pair % 2 == 0) { a = Time(FixMode.Off); b = Time(FixMode.Always); }
            else { b = Time(FixMode.Always); a = Time(FixMode.Off); }
            stock.Add(a);
            routed.Add(b);
            ratios.Add(b / a);
        }
        double ratio = Percentile(ratios, 0.5);
        Console.WriteLine($"{name,-44} {Percentile(stock, 0.5),9:F2} {Percentile(routed, 0.5),10:F2} {ratio,13:F2} {Percentile(ratios, 0.1),7:F2}-{Percentile(ratios, 0.9),-8:F2}");
        rows.Add(new JsonObject
        {
            ["case"] = name, ["stock_ms"] = Percentile(stock, 0.5), ["routed_ms"] = Percentile(routed, 0.5),
            ["routed_over_stock"] = ratio, ["ratio_p10"] = Percentile(ratios, 0.1), ["ratio_p90"] = Percentile(ratios, 0.9),
        });
    }

    // The known-answer check runs once per new configuration; time it on configurations not seen yet.
    var probeTimes = new List<double>();
    foreach (int hidden in (int[])[7, 23, 101, 257])
    {
        var watch = Stopwatch.StartNew();
        LstmInferenceFix.ProbeDifference(inputSize: 4, hiddenSize: hidden);
        probeTimes.Add(watch.Elapsed.TotalMilliseconds);
    }
    Console.WriteLine($"known-answer check, once per configuration: {string.Join(", ", probeTimes.Select(t => t.ToString("F1", CultureInfo.InvariantCulture)))} ms (hidden 7, 23, 101, 257)");
    Console.WriteLine();
    Console.WriteLine(LstmInferenceFix.Status);

    Directory.CreateDirectory(output);
    string json = new JsonObject
    {
        ["threads"] = threads is null ? "automatic" : threads.ToString(), ["pairs"] = pairs, ["calls_per_timing"] = calls, ["cases"] = rows,
        ["probe_ms"] = new JsonArray(probeTimes.Select(t => (JsonNode)t).ToArray()),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    File.WriteAllText(Path.Combine(output, "onednn_fix_cost.json"), json);
    Console.WriteLine($"wrote {Path.Combine(output, "onednn_fix_cost.json")}");
    return 0;

    static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position), high = (int)Math.Ceiling(position);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
});
