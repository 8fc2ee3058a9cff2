using System.Text;
using TorchLstm.Export.Emission;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Benchmarks;

/// <summary>Which LSTM implementation a <see cref="BenchmarkLstm"/> is built from.</summary>
public enum LstmImplementation
{
    /// <summary>libtorch's fused <c>nn.LSTM</c>.</summary>
    Builtin,
    /// <summary><see cref="Models.ScratchLstm"/>, written from the equations.</summary>
    Scratch,
}

/// <summary>
/// Stacked single-layer LSTMs (batch-first, each reading the previous one's outputs) and a linear head
/// on the last step: the seed's <c>LSTM(60) → LSTM(50) → Dense(1)</c> with either implementation, so the
/// two can be timed on exactly the same structure. Submodules are named <c>lstm0</c>, <c>lstm1</c>, …, <c>head</c>.
/// </summary>
public sealed class BenchmarkLstm : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, (Tensor, Tensor)?, (Tensor, Tensor, Tensor)>[] layers;
    private readonly Linear head;

    /// <summary>Creates the network with torch's default initialisation (seed torch first to fix it).</summary>
    /// <param name="inputSize">Features per time step (≥ 1).</param>
    /// <param name="hiddenSizes">Hidden size of each layer (non-empty, each ≥ 1).</param>
    /// <param name="outputSize">Width of the head (≥ 1).</param>
    /// <param name="implementation">Which LSTM to build the layers from.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, there are no layers, or the implementation is unknown.</exception>
    public BenchmarkLstm(int inputSize, IReadOnlyList<int> hiddenSizes, int outputSize, LstmImplementation implementation = LstmImplementation.Builtin)
        : base(nameof(BenchmarkLstm))
    {
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        if (inputSize < 1) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "inputSize must be 1 or more");
        if (outputSize < 1) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "outputSize must be 1 or more");
        if (hiddenSizes.Count == 0 || hiddenSizes.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(hiddenSizes), $"[{string.Join(", ", hiddenSizes)}]", "hiddenSizes needs at least one layer, each of size 1 or more");
        if (!Enum.IsDefined(implementation))
            throw new ArgumentOutOfRangeException(nameof(implementation), implementation, "implementation must be Builtin or Scratch");
        Implementation = implementation;
        HiddenSizes = hiddenSizes.ToArray();
        layers = new nn.Module<Tensor, (Tensor, Tensor)?, (Tensor, Tensor, Tensor)>[hiddenSizes.Count];
        int layerInput = inputSize;
        for (int k = 0; k < layers.Length; k++)
        {
            layers[k] = implementation == LstmImplementation.Builtin
                ? nn.LSTM(layerInput, hiddenSizes[k], batchFirst: true)
                : new Models.ScratchLstm(layerInput, hiddenSizes[k], batchFirst: true);
            // Registered by hand because the layer count varies; the names follow torch's attribute names.
            register_module($"lstm{k}", (nn.Module)layers[k]);
            layerInput = hiddenSizes[k];
        }
        head = nn.Linear(layerInput, outputSize);
        register_module("head", head);
    }

    /// <summary>The LSTM implementation of every layer.</summary>
    public LstmImplementation Implementation { get; }

    /// <summary>Hidden size of each layer.</summary>
    public IReadOnlyList<int> HiddenSizes { get; }

    /// <summary>Maps (batch, time, input) to (batch, output) from the last step of the last layer.</summary>
    public override Tensor forward(Tensor input)
    {
        Tensor sequence = input;
        foreach (var layer in layers)
        {
            var (output, h, c) = layer.call(sequence, null);
            h.Dispose();
            c.Dispose();
            sequence = output;
        }
        return head.call(sequence.select(1, -1));
    }

    internal nn.Module Layer(int k) => (nn.Module)layers[k];

    internal Linear Head => head;
}

/// <summary>Lets <see cref="Export.TorchScript.Save"/> export a <see cref="BenchmarkLstm"/> built from libtorch's LSTM.</summary>
public sealed class BenchmarkLstmEmitter : ModuleEmitter<BenchmarkLstm>
{
    /// <inheritdoc />
    public override string ScriptClassName => "TorchLstm.Benchmarks.BenchmarkLstm";

    /// <inheritdoc />
    protected override void Emit(BenchmarkLstm module, ScriptClassBuilder scriptClass)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(scriptClass);
        if (module.Implementation != LstmImplementation.Builtin)
            throw new NotSupportedException("only a BenchmarkLstm built from libtorch's LSTM can be exported; the scratch layers have no emitter");
        var source = new StringBuilder("def forward(self, input: Tensor) -> Tensor:\n  x = input\n");
        for (int k = 0; k < module.HiddenSizes.Count; k++)
        {
            scriptClass.AddSubmodule($"lstm{k}", module.Layer(k));
            source.Append($"  x, state{k} = self.lstm{k}.forward(x)\n");
        }
        scriptClass.AddSubmodule("head", module.Head);
        source.Append("  return self.head.forward(x[:, -1, :])\n");
        scriptClass.AddMethod(source.ToString());
    }
}
