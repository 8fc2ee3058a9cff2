using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Native;

/// <summary>
/// Keeps <c>nn.LSTM</c> inference right on CPUs where libtorch's oneDNN inference kernel for LSTMs
/// returns wrong outputs, at no cost where it does not.
/// </summary>
/// <remarks>
/// <para>libtorch runs a float32 CPU LSTM through oneDNN's fused RNN primitive. With gradients off
/// (<c>no_grad</c>, every <c>Predict</c> and validation pass) it asks for the primitive's
/// <c>forward_inference</c> kind; with gradients on it asks for <c>forward_training</c>. On some AVX-512
/// machines the inference kernel is wrong by 1e-2 to 1 for many hidden sizes while the training kernel
/// agrees with a float64 reference to 1e-7 on every shape tried.</para>
/// <para>Whether a machine is affected is decided by a known-answer check, not by the CPU's name: the
/// first time a layer configuration (input size, hidden size, layers, directions) runs in inference, a
/// small LSTM of exactly that configuration, with weights and inputs from a private generator, runs once
/// with gradients off and once with them on; a difference above 1e-4 marks the configuration faulty.
/// Faulty configurations then run their inference through the training kernel (gradients switched on
/// for that one call, the result detached); all others keep the fast inference kernel. The check costs
/// a few milliseconds once per configuration and process and does not touch torch's global generator.</para>
/// <para><c>TORCHLSTM_ONEDNN_FIX=0</c> in the environment turns the fix off (stock libtorch behaviour);
/// <c>TORCHLSTM_ONEDNN_FIX=1</c> routes every float32 CPU LSTM inference through the training kernel
/// without checking. A user's <c>ONEDNN_MAX_CPU_ISA</c> or <c>DNNL_MAX_CPU_ISA</c> is never changed; the
/// check simply finds a capped oneDNN unaffected.</para>
/// <para>The library's own models go through <see cref="Forward"/> automatically. Code that calls a raw
/// <c>nn.LSTM</c> can call <see cref="Forward"/> itself; a loaded TorchScript module cannot be reached this
/// way, so on an affected machine run it with gradients enabled, or start the process with
/// <c>ONEDNN_MAX_CPU_ISA=AVX2</c> (global, and measured 1.5–2.6× slower).</para>
/// </remarks>
public static class LstmInferenceFix
{
    /// <summary>Name of the environment variable that switches the fix off (<c>0</c>) or on for every shape (<c>1</c>).</summary>
    public const string EnvironmentVariable = "TORCHLSTM_ONEDNN_FIX";

    /// <summary>Largest difference between the inference and the training kernel that still counts as agreement.</summary>
    public const double Tolerance = 1e-4;

    private static readonly ConcurrentDictionary<LstmShape, double> ProbedDifferences = new();
    private static readonly ConditionalWeakTable<LSTM, StrongBox<LstmShape>> Shapes = new();
    private static readonly Lock ProbeGate = new();
    private static FixMode? modeOverride;
    private static long routedCalls;

    /// <summary>How the fix decides; read once from <see cref="EnvironmentVariable"/>.</summary>
    public static FixMode Mode => modeOverride ?? ModeFromEnvironment.Value;

    private static readonly Lazy<FixMode> ModeFromEnvironment = new(() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim() switch
        {
            "0" or "off" or "false" => FixMode.Off,
            "1" or "on" or "true" or "always" => FixMode.Always,
            _ => FixMode.Automatic,
        });

    /// <summary>Number of LSTM inference calls this process has routed through the training kernel.</summary>
    public static long RoutedCalls => Interlocked.Read(ref routedCalls);

    /// <summary>What was decided and why: the mode, any oneDNN instruction-set cap, and every configuration checked so far.</summary>
    public static string Status
    {
        get
        {
            var lines = new List<string>();
            lines.Add(Mode switch
            {
                FixMode.Off => $"{EnvironmentVariable}=0: off; LSTM inference runs on libtorch's own kernels, right or wrong.",
                FixMode.Always => $"{EnvironmentVariable}=1: every float32 CPU LSTM inference runs on oneDNN's training kernel.",
                _ => "automatic: each LSTM configuration is checked once (inference kernel against training kernel) the first time it runs in inference; faulty ones use the training kernel.",
            });
            if (OneDnnIsaCap() is { } cap) lines.Add($"oneDNN instruction set capped by the user: {cap} (left as set).");
            var probed = ProbedDifferences.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal).ToList();
            if (probed.Count == 0) lines.Add("No configuration checked yet.");
            foreach (var (shape, difference) in probed)
                lines.Add($"  {shape}: max |inference − training| = {difference.ToString("0.0E+0", CultureInfo.InvariantCulture)} → " +
                          (difference > Tolerance ? "faulty, routed through the training kernel" : "correct, fast inference kernel kept"));
            lines.Add($"Inference calls routed so far: {RoutedCalls}.");
            return string.Join(Environment.NewLine, lines);
        }
    }

    /// <summary>The user's cap on oneDNN's instruction set (<c>ONEDNN_MAX_CPU_ISA</c>, else <c>DNNL_MAX_CPU_ISA</c>), or null.</summary>
    public static string? OneDnnIsaCap()
    {
        foreach (var name in (string[])["ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA"])
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) return $"{name}={value}";
        return null;
    }

    /// <summary>
    /// Runs <paramref name="lstm"/> on <paramref name="input"/> (from a zero state or <paramref name="state"/>),
    /// through the training kernel when this is an inference call of a configuration the known-answer check
    /// found faulty; otherwise exactly as <c>lstm.call</c>.
    /// </summary>
    /// <returns>The outputs and the final hidden and cell states, as <c>nn.LSTM</c> returns them.</returns>
    public static (Tensor Output, Tensor Hidden, Tensor Cell) Forward(LSTM lstm, Tensor input, (Tensor Hidden, Tensor Cell)? state = null)
    {
        ArgumentNullException.ThrowIfNull(lstm);
        ArgumentNullException.ThrowIfNull(input);
        if (!ShouldRoute(lstm, input)) return lstm.call(input, state);

        Interlocked.Increment(ref routedCalls);
        Tensor output, hidden, cell;
        using (torch.enable_grad())
        {
            var (o, h, c) = lstm.call(input, state);
            // Detached views share storage; the autograd graph goes with the originals.
            output = o.detach();
            hidden = h.detach();
            cell = c.detach();
            o.Dispose();
            h.Dispose();
            c.Dispose();
        }
        return (output, hidden, cell);
    }

    /// <summary>
    /// Whether the known-answer check finds oneDNN's LSTM inference kernel wrong for this configuration on
    /// this machine (checked once per configuration and process, whatever the mode).
    /// </summary>
    public static bool IsFaulty(int inputSize, int hiddenSize, int numLayers = 1, bool bidirectional = false) =>
        ProbeDifference(new LstmShape(inputSize, hiddenSize, numLayers, bidirectional)) > Tolerance;

    /// <summary>The check's largest absolute difference between the inference and the training kernel.</summary>
    public static double ProbeDifference(int inputSize, int hiddenSize, int numLayers = 1, bool bidirectional = false) =>
        ProbeDifference(new LstmShape(inputSize, hiddenSize, numLayers, bidirectional));

    /// <summary>
    /// Overrides <see cref="EnvironmentVariable"/> for the whole process until the returned handle is
    /// disposed: for comparing the kernels, or for code that must have libtorch's stock behaviour in one
    /// place. Not scoped to a thread: do not switch while other threads run LSTMs whose kernel matters.
    /// </summary>
    /// <returns>A handle that restores the previous mode when disposed.</returns>
    public static IDisposable UseMode(FixMode mode)
    {
        var previous = modeOverride;
        modeOverride = mode;
        return new ModeRestorer(previous);
    }

    private static bool ShouldRoute(LSTM lstm, Tensor input)
    {
        if (torch.is_grad_enabled()) return false;                                // the training kernel runs anyway
        if (input.dtype != ScalarType.Float32 || input.device_type != DeviceType.CPU) return false;
        return Mode switch
        {
            FixMode.Off => false,
            FixMode.Always => true,
            _ => ProbeDifference(ShapeOf(lstm)) > Tolerance,
        };
    }

    private static LstmShape ShapeOf(LSTM lstm) =>
        Shapes.GetValue(lstm, static module => new StrongBox<LstmShape>(LstmShape.Of(module))).Value;

    private static double ProbeDifference(LstmShape shape)
    {
        if (ProbedDifferences.TryGetValue(shape, out double known)) return known;
        lock (ProbeGate)
        {
            if (ProbedDifferences.TryGetValue(shape, out known)) return known;
            double difference = RunProbe(shape);
            ProbedDifferences[shape] = difference;
            return difference;
        }
    }

    private static double RunProbe(LstmShape shape)
    {
        NativeLoader.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        // Building the module draws its initial weights from torch's global generator; put its state
        // back so that probing never changes a seeded run.
        var globalState = torch.random.get_rng_state();
        using var lstm = nn.LSTM(shape.InputSize, shape.HiddenSize, shape.NumLayers, batchFirst: true, bidirectional: shape.Bidirectional);
        torch.random.set_rng_state(globalState);

        using var generator = new Generator(20_240_611);
        using (torch.no_grad())
        {
            foreach (var parameter in lstm.parameters())
                parameter.copy_(torch.rand(parameter.shape, generator: generator) - 0.5);
        }
        var input = torch.randn([3, 7, shape.InputSize], generator: generator);

        Tensor byInference, byTraining;
        using (torch.no_grad()) byInference = lstm.call(input).Item1;
        using (torch.enable_grad()) byTraining = lstm.call(input).Item1.detach();
        return (byInference - byTraining).abs().max().item<float>();
    }

    private sealed class ModeRestorer(FixMode? previous) : IDisposable
    {
        public void Dispose() => modeOverride = previous;
    }
}

/// <summary>How <see cref="LstmInferenceFix"/> decides whether an LSTM inference call avoids oneDNN's inference kernel.</summary>
public enum FixMode
{
    /// <summary>Check each configuration once; route only the faulty ones (the default).</summary>
    Automatic,

    /// <summary>Never route (<c>TORCHLSTM_ONEDNN_FIX=0</c>): stock libtorch behaviour.</summary>
    Off,

    /// <summary>Route every float32 CPU LSTM inference through the training kernel (<c>TORCHLSTM_ONEDNN_FIX=1</c>).</summary>
    Always,
}

/// <summary>The configuration of a torch LSTM layer stack that decides which oneDNN kernel runs it.</summary>
internal readonly record struct LstmShape(int InputSize, int HiddenSize, int NumLayers, bool Bidirectional)
{
    /// <summary>Reads the configuration from a module's parameters (torch names them weight_ih_l{k}[_reverse]).</summary>
    public static LstmShape Of(LSTM lstm)
    {
        var names = lstm.named_parameters().Select(p => p.name).ToHashSet(StringComparer.Ordinal);
        var weight = lstm.get_parameter("weight_ih_l0") ?? throw new InvalidOperationException("an nn.LSTM without weight_ih_l0");
        int layers = 0;
        while (names.Contains($"weight_ih_l{layers}")) layers++;
        return new LstmShape((int)weight.shape[1], (int)weight.shape[0] / 4, layers, names.Contains("weight_ih_l0_reverse"));
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"input {InputSize} → hidden {HiddenSize}, {NumLayers} layer{(NumLayers == 1 ? "" : "s")}{(Bidirectional ? ", bidirectional" : "")}";
}
