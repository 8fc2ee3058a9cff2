#:project ../src/TorchLstm/TorchLstm.csproj
#:property PublishAot=false
// Memory stability of long training and of many predictions: the tutorials' sine workload
// (608 training windows of 50 steps, LSTM(60) → LSTM(50) → Dense(1), batch 32) trained for 200 epochs,
// then 10,000 Predict calls. Reports the process RSS at epoch 10 and at the end as found (nothing forces a
// garbage collection during training, so this is what a user's process holds) and after a full GC,
// TorchSharp's count of live tensors on the training thread after every epoch, and RSS before and
// after the predictions. Goals: RSS growth within 2 % (as found) and a flat live-tensor count.
// --collect-every-epoch forces a full garbage collection after every epoch, to show what (if anything) the
// training loop leaves to the finaliser: with nothing left there, both runs hold the same memory.
//   dotnet run experiments/memory.cs -- [--out DIR] [--epochs 200] [--predicts 10000] [--seed 42] [--collect-every-epoch]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchLstm.Benchmarks;
using TorchLstm.Cli;
using TorchLstm.Data;
using TorchLstm.Models;
using TorchLstm.Training;
using TorchSharp;
using TorchLstm.IO;

return ExperimentHost.Run(args, cli =>
{
    int epochs = cli.Int("epochs", 200, min: 11);
    int predicts = cli.Int("predicts", 10_000, min: 1);
    long seed = cli.Long("seed", 42);
    string output = cli.String("out", Path.Combine("experiments", "results", "memory"));
    bool collectEveryEpoch = cli.Flag("collect-every-epoch");
    cli.RejectUnknown();

    using var example = SineExample.Create(points: 1000, lookback: 50, seed: seed);
    var (trainSet, validationSet, testInputs) = (example.Train, example.Validation, example.Test.Inputs);

    Seeding.SeedEverything(seed);
    using var model = new StackedLstm(inputSize: 1, hiddenSizes: [60, 50], outputSize: 1);
    Console.WriteLine($"{trainSet.Count} training windows, {validationSet.Count} validation, {testInputs.shape[0]} test; {epochs} epochs; torch threads {torch.get_num_threads()}");

    var probe = new MemoryProbe(collectEveryEpoch);
    var options = new TrainingOptions { Epochs = epochs, BatchSize = 32, LearningRate = 1e-3, Seed = seed, Progress = ProgressMode.None };
    var clock = Stopwatch.StartNew();
    new ExperimentRunner().Fit(model, trainSet, validationSet, options, [probe]);
    double trainSeconds = clock.Elapsed.TotalSeconds;

    var runner = new ExperimentRunner();
    runner.Predict(model, testInputs).Dispose(); // first call warms up caches and lazy allocations
    var (predictRssBefore, predictLiveBefore) = MemoryProbe.Measure();
    clock.Restart();
    // RSS every 1,000 calls tells a steady climb (a leak) from allocator noise in a single before/after pair.
    var predictRssSamples = new List<long>();
    for (int i = 1; i <= predicts; i++)
    {
        runner.Predict(model, testInputs).Dispose();
        if (i % 1000 == 0) predictRssSamples.Add(MemoryProbe.Measure().Rss);
    }
    double predictSeconds = clock.Elapsed.TotalSeconds;
    var (predictRssAfter, predictLiveAfter) = MemoryProbe.Measure();

    var at10 = probe.Samples[9];
    var last = probe.Samples[^1];
    double growth = 100.0 * (last.Rss - at10.Rss) / at10.Rss;
    double collectedGrowth = 100.0 * (probe.CollectedLast - probe.CollectedAt10) / probe.CollectedAt10;
    double predictGrowth = 100.0 * (predictRssAfter - predictRssBefore) / predictRssBefore;
    // The allocator's caches fill during the first calls (measured: +3 % in the first 1,000, +1.6 % in the
    // next 1,000, then flat); growth after the first fifth of the calls is what a leak would show as.
    int warmSample = predictRssSamples.Count >= 5 ? predictRssSamples.Count / 5 - 1 : -1;
    double? steadyGrowth = warmSample < 0 ? null : 100.0 * (predictRssAfter - predictRssSamples[warmSample]) / predictRssSamples[warmSample];
    var liveSeries = probe.Samples.Select(s => s.Live).ToArray();
    var result = new JsonObject
    {
        ["epochs"] = probe.Samples.Count,
        ["train_seconds"] = Math.Round(trainSeconds, 1),
        ["rss_epoch10_mb"] = Mb(at10.Rss),
        ["rss_final_mb"] = Mb(last.Rss),
        ["rss_growth_pct"] = Math.Round(growth, 3),
        ["rss_peak_mb"] = Mb(probe.Samples.Max(p => p.Rss)),
        ["rss_after_gc_epoch10_mb"] = Mb(probe.CollectedAt10),
        ["rss_after_gc_final_mb"] = Mb(probe.CollectedLast),
        ["rss_after_gc_growth_pct"] = Math.Round(collectedGrowth, 3),
        // The C heap alone (glibc): libtorch's tensors and TorchSharp's native objects, without the .NET heap.
        ["native_heap_in_use_epoch10_mb"] = probe.NativeAt10 is { } n10 ? Mb(n10.InUse) : null,
        ["native_heap_in_use_final_mb"] = probe.NativeLast is { } nl ? Mb(nl.InUse) : null,
        ["native_heap_obtained_epoch10_mb"] = probe.NativeAt10 is { } o10 ? Mb(o10.Obtained) : null,
        ["native_heap_obtained_final_mb"] = probe.NativeLast is { } ol ? Mb(ol.Obtained) : null,
        ["managed_heap_committed_final_mb"] = Mb(GC.GetGCMemoryInfo().TotalCommittedBytes),
        ["gen0_collections"] = GC.CollectionCount(0),
        ["rss_every_10_epochs_mb"] = new JsonArray([.. probe.Samples.Where((_, i) => (i + 1) % 10 == 0).Select(p => JsonValue.Create(Mb(p.Rss)))]),
        ["live_tensors_epoch10"] = at10.Live,
        ["live_tensors_final"] = last.Live,
        ["live_tensors_min"] = liveSeries[9..].Min(),
        ["live_tensors_max"] = liveSeries[9..].Max(),
        ["live_tensors_every_10_epochs"] = new JsonArray([.. liveSeries.Where((_, i) => (i + 1) % 10 == 0).Select(v => JsonValue.Create(v))]),
        ["predict_calls"] = predicts,
        ["predict_windows_per_call"] = testInputs.shape[0],
        ["predict_seconds"] = Math.Round(predictSeconds, 1),
        ["predict_rss_before_mb"] = Mb(predictRssBefore),
        ["predict_rss_after_mb"] = Mb(predictRssAfter),
        ["predict_rss_growth_pct"] = Math.Round(predictGrowth, 3),
        ["predict_rss_every_1000_mb"] = new JsonArray([.. predictRssSamples.Select(r => JsonValue.Create(Mb(r)))]),
        ["predict_rss_growth_after_first_fifth_pct"] = steadyGrowth is { } g ? Math.Round(g, 3) : null,
        ["predict_live_tensors_before"] = predictLiveBefore,
        ["predict_live_tensors_after"] = predictLiveAfter,
        ["torch_threads"] = torch.get_num_threads(),
        ["collect_every_epoch"] = collectEveryEpoch,
    };
    Directory.CreateDirectory(output);
    AtomicFile.WriteAllText(Path.Combine(output, "memory.json"), result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"RSS {Mb(at10.Rss)} MB at epoch 10 → {Mb(last.Rss)} MB at epoch {probe.Samples.Count} ({growth:+0.00;-0.00} %; after a full GC {collectedGrowth:+0.00;-0.00} %); live tensors {at10.Live} → {last.Live}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{predicts} predictions: RSS {Mb(predictRssBefore)} → {Mb(predictRssAfter)} MB ({predictGrowth:+0.00;-0.00} %), {(steadyGrowth is { } s ? $"{s:+0.00;-0.00} % after the first {(warmSample + 1) * 1000} calls" : "too few calls to separate warm-up")}; live tensors {predictLiveBefore} → {predictLiveAfter}"));
    Console.WriteLine($"wrote {Path.Combine(output, "memory.json")}");
    return 0;

    static double Mb(long bytes) => Math.Round(bytes / (1024.0 * 1024.0), 2);
});

/// <summary>
/// Records RSS and the live tensor count at the end of every epoch, on the training thread, without forcing
/// a collection (that would hide what the training loop leaves to the finaliser); at epoch 10 and at the last
/// epoch it also records RSS after a full collection, for comparison.
/// </summary>
sealed class MemoryProbe(bool collectEveryEpoch) : Callback
{
    public List<(long Rss, long Live)> Samples { get; } = [];
    public long CollectedAt10 { get; private set; }
    public long CollectedLast { get; private set; }
    public (long Obtained, long InUse)? NativeAt10 { get; private set; }
    public (long Obtained, long InUse)? NativeLast { get; private set; }

    public override void OnEpochEnd(TrainingContext context)
    {
        if (collectEveryEpoch) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        Samples.Add((ResidentBytes(), DisposeScopeManager.Statistics.ThreadTotalLiveCount));
        if (context.Epoch == 10) { NativeAt10 = MachineProbe.NativeHeap(); CollectedAt10 = Measure().Rss; }
        if (context.Epoch == context.Options.Epochs) { NativeLast = MachineProbe.NativeHeap(); CollectedLast = Measure().Rss; }
        if (context.Epoch % 10 == 0)
            Console.WriteLine($"epoch {context.Epoch}: loss {context.Logs[LogNames.Loss]:0.0000}, RSS {Samples[^1].Rss / (1024 * 1024)} MB, live tensors {Samples[^1].Live}");
    }

    /// <summary>
    /// RSS after a full collection that also hands the collector's free space back to the system (so that
    /// neither garbage awaiting the GC nor the GC's unused allocation budget is counted: what is left is what
    /// the process retains) and live tensors on this thread.
    /// </summary>
    public static (long Rss, long Live) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return (ResidentBytes(), DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    private static long ResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
