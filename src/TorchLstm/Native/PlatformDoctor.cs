using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using TorchLstm.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Native;

/// <summary>
/// Says what this machine runs (OS, CPU and its instruction sets, libtorch and TorchSharp, threads, the
/// native libraries loaded and from where, the oneDNN decisions) and checks that recurrent models give the
/// same answer in inference, in training mode and in float64 — the known answers that catch a libtorch
/// that is wrong on this CPU.
/// </summary>
/// <remarks>
/// Each check runs one configuration on a fixed input three ways: with gradients off (the path of
/// <c>Predict</c>, validation and exported modules), with gradients on (the training kernels) and in
/// float64 from the same weights. All three must agree within <see cref="Tolerance"/>.
/// </remarks>
public static class PlatformDoctor
{
    /// <summary>Largest absolute difference accepted between the three ways of running a model.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>Hidden sizes checked: two that oneDNN's faulty AVX-512 inference kernel gets wrong in
    /// every layout seen (6, 100), the sizes the notebooks use (16) and a large faulty one (200).</summary>
    public static IReadOnlyList<int> HiddenSizes { get; } = [6, 16, 100, 200];

    /// <summary>Collects the platform facts and runs every known-answer check.</summary>
    public static DoctorReport Run()
    {
        NativeLoader.EnsureLoaded();
        var checks = new List<KnownAnswerCheck>();
        var stockLstm = new List<string>();
        const int inputSize = 3;
        foreach (int hidden in HiddenSizes)
        foreach (int layers in (int[])[1, 2])
        foreach (bool bidirectional in (bool[])[false, true])
        {
            string shape = $"hidden {hidden}, {layers} layer{(layers == 1 ? "" : "s")}, {(bidirectional ? "two directions" : "one direction")}";
            checks.Add(Check($"nn.LSTM (library route), {shape}", inputSize,
                () => nn.LSTM(inputSize, hidden, layers, batchFirst: true, bidirectional: bidirectional),
                (m, x) => LstmInferenceFix.Forward((LSTM)m, x).Output));
            checks.Add(Check($"nn.GRU, {shape}", inputSize,
                () => nn.GRU(inputSize, hidden, layers, batchFirst: true, bidirectional: bidirectional),
                (m, x) => ((GRU)m).call(x).Item1));
            checks.Add(Check($"nn.RNN, {shape}", inputSize,
                () => nn.RNN(inputSize, hidden, layers, batchFirst: true, bidirectional: bidirectional),
                (m, x) => ((RNN)m).call(x).Item1));
            checks.Add(Check($"ScratchLstm, {shape}", inputSize,
                () => new ScratchLstm(inputSize, hidden, layers, batchFirst: true, bidirectional: bidirectional),
                (m, x) => ((ScratchLstm)m).call(x, null).Item1));
            if (layers == 1 && !bidirectional && LstmInferenceFix.ProbeDifference(inputSize, hidden) is var stock and > Tolerance)
                stockLstm.Add($"hidden {hidden} ({stock.ToString("0.0E+0", CultureInfo.InvariantCulture)})");
        }

        foreach (int[] hiddenSizes in (int[][])[[6], [16], [100, 6], [200]])
        {
            string sizes = string.Join(", ", hiddenSizes);
            checks.Add(Check($"StackedLstm [{sizes}]", inputSize, () => new StackedLstm(inputSize, hiddenSizes, outputSize: 1), Call));
            checks.Add(Check($"StackedGru [{sizes}]", inputSize, () => new StackedGru(inputSize, hiddenSizes, outputSize: 1), Call));
            checks.Add(Check($"StackedRnn [{sizes}]", inputSize, () => new StackedRnn(inputSize, hiddenSizes, outputSize: 1), Call));
            checks.Add(Check($"BidirectionalRnn LSTM [{sizes}]", inputSize, () => new BidirectionalRnn(RecurrentCell.Lstm, inputSize, hiddenSizes, outputSize: 1), Call));
        }
        return new DoctorReport(PlatformFacts(), checks, stockLstm);
    }

    private static Tensor Call(nn.Module model, Tensor input) => ((nn.Module<Tensor, Tensor>)model).call(input);

    private static KnownAnswerCheck Check(string name, int inputSize, Func<nn.Module> build, Func<nn.Module, Tensor, Tensor> forward)
    {
        using var scope = torch.NewDisposeScope();
        var globalState = torch.random.get_rng_state();
        try
        {
            torch.manual_seed(1234);
            using var single = build();
            using var @double = build();
            @double.load_state_dict(single.state_dict());
            @double.to(ScalarType.Float64);
            single.eval();
            @double.eval();
            var input = torch.randn(4, 9, inputSize);

            Tensor inference, training, reference;
            using (torch.no_grad()) inference = forward(single, input);
            using (torch.enable_grad()) training = forward(single, input).detach();
            using (torch.no_grad()) reference = forward(@double, input.to(ScalarType.Float64)).to(ScalarType.Float32);

            double inferenceVsTraining = (inference - training).abs().max().item<float>();
            double inferenceVsFloat64 = (inference - reference).abs().max().item<float>();
            double trainingVsFloat64 = (training - reference).abs().max().item<float>();
            return new KnownAnswerCheck(name, inferenceVsTraining, inferenceVsFloat64, trainingVsFloat64);
        }
        finally
        {
            torch.random.set_rng_state(globalState);
        }
    }

    private static IReadOnlyList<(string Name, string Value)> PlatformFacts()
    {
        var cpu = CpuDescription.Read();
        return
        [
            ("OS", $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})"),
            (".NET", RuntimeInformation.FrameworkDescription),
            ("CPU", cpu.Model),
            ("instruction sets", cpu.InstructionSets),
            ("TorchSharp", typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                           ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "?"),
            ("libtorch", LibtorchVersion()),
            ("torch threads", $"{torch.get_num_threads()} intra-op, {torch.get_num_interop_threads()} inter-op ({Environment.ProcessorCount} logical processors)"),
            ("oneDNN instruction-set cap", LstmInferenceFix.OneDnnIsaCap() ?? "none (oneDNN picks the best the CPU offers)"),
            ("native loading", NativeLoader.Status.Length > 0 ? NativeLoader.Status : "regular load, nothing needed"),
            ("loaded libraries", string.Join(Environment.NewLine + "    ", NativeLoader.LoadedLibraries())),
        ];
    }

    private static string LibtorchVersion() =>
        $"{torch.__version__} (the build TorchSharp was made for), loaded from {NativeLoader.LibtorchDirectory ?? "where TorchSharp found it"}";
}

/// <summary>One known-answer check: the three pairwise differences between inference, training and float64.</summary>
/// <param name="Name">What was run, for example <c>nn.LSTM (library route), hidden 6, 1 layer, one direction</c>.</param>
/// <param name="InferenceVsTraining">Largest |gradients off − gradients on|.</param>
/// <param name="InferenceVsFloat64">Largest |gradients off − float64|.</param>
/// <param name="TrainingVsFloat64">Largest |gradients on − float64|.</param>
public sealed record KnownAnswerCheck(string Name, double InferenceVsTraining, double InferenceVsFloat64, double TrainingVsFloat64)
{
    /// <summary>Whether all three agree within <see cref="PlatformDoctor.Tolerance"/>.</summary>
    public bool Passed => Math.Max(InferenceVsTraining, Math.Max(InferenceVsFloat64, TrainingVsFloat64)) <= PlatformDoctor.Tolerance;
}

/// <summary>What <see cref="PlatformDoctor.Run"/> found.</summary>
public sealed class DoctorReport
{
    internal DoctorReport(IReadOnlyList<(string Name, string Value)> platform, IReadOnlyList<KnownAnswerCheck> checks, IReadOnlyList<string> stockLstmFaults)
    {
        Platform = platform;
        Checks = checks;
        StockLstmFaults = stockLstmFaults;
    }

    /// <summary>Platform facts as (name, value) pairs, in print order.</summary>
    public IReadOnlyList<(string Name, string Value)> Platform { get; }

    /// <summary>Every known-answer check that ran.</summary>
    public IReadOnlyList<KnownAnswerCheck> Checks { get; }

    /// <summary>Hidden sizes for which libtorch's own <c>nn.LSTM</c> inference, without the library's fix, disagrees with its training kernel.</summary>
    public IReadOnlyList<string> StockLstmFaults { get; }

    /// <summary>The checks that failed.</summary>
    public IReadOnlyList<KnownAnswerCheck> Failures => Checks.Where(c => !c.Passed).ToList();

    /// <summary>Whether every check passed.</summary>
    public bool Passed => Checks.All(c => c.Passed);

    /// <summary>The report as text: platform, decisions, then a line per failed check and a summary.</summary>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("Platform");
        foreach (var (name, value) in Platform) text.AppendLine($"  {name}: {value}");
        text.AppendLine();
        text.AppendLine("oneDNN LSTM inference fix");
        foreach (var line in LstmInferenceFix.Status.Split(Environment.NewLine)) text.AppendLine("  " + line);
        text.AppendLine(StockLstmFaults.Count == 0
            ? "  libtorch's own nn.LSTM inference agrees with its training kernel for every hidden size checked."
            : "  libtorch's own nn.LSTM inference is WRONG here without the fix for: " + string.Join(", ", StockLstmFaults) + ".");
        text.AppendLine();
        string F(double d) => d.ToString("0.0E+0", CultureInfo.InvariantCulture);
        text.AppendLine($"Known-answer checks (inference vs training vs float64, tolerance {F(PlatformDoctor.Tolerance)})");
        foreach (var check in Checks)
            text.AppendLine($"  {(check.Passed ? "ok  " : "FAIL")} {check.Name}: inference−training {F(check.InferenceVsTraining)}, " +
                            $"inference−float64 {F(check.InferenceVsFloat64)}, training−float64 {F(check.TrainingVsFloat64)}");
        text.AppendLine();
        text.AppendLine(Passed
            ? $"All {Checks.Count} checks passed."
            : $"{Failures.Count} of {Checks.Count} checks FAILED: {string.Join("; ", Failures.Select(f => f.Name))}.");
        return text.ToString();
    }
}

/// <summary>The CPU's model name and the instruction sets that decide which libtorch kernels run.</summary>
internal sealed record CpuDescription(string Model, string InstructionSets)
{
    private static readonly string[] Interesting =
        ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16",
         "avx512_fp16", "avx512_vp2intersect", "amx_tile", "amx_bf16", "amx_int8", "avx_vnni", "asimd", "sve"];

    public static CpuDescription Read()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (OperatingSystem.IsLinux() && File.Exists(cpuinfo))
        {
            string model = "?", family = "?", flags = "";
            foreach (var line in File.ReadLines(cpuinfo))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0) continue;
                string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
                if (key == "model name" && model == "?") model = value;
                else if (key == "cpu family" && family == "?") family = value;
                else if (key is "flags" or "Features" && flags.Length == 0) flags = value;
                else if (line.Length == 0 && flags.Length > 0) break;
            }
            var present = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            return new CpuDescription($"{model} (family {family})", string.Join(" ", Interesting.Where(present.Contains)));
        }
        var sets = new List<string>();
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported) sets.Add("avx2");
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported) sets.Add("avx512f");
        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) sets.Add("asimd");
        return new CpuDescription(RuntimeInformation.ProcessArchitecture.ToString(), string.Join(" ", sets));
    }
}
