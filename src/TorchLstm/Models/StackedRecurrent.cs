using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>
/// A stack of recurrent layers (one torch <c>nn.LSTM</c>/<c>nn.GRU</c>/<c>nn.RNN</c> per layer, so each
/// layer may have its own width) followed by a Linear head: the shared body of
/// <see cref="StackedLstm"/>, <see cref="StackedGru"/>, <see cref="StackedRnn"/> and
/// <see cref="BidirectionalRnn"/>. Everything is batch-first: input (batch, time, inputSize).
/// </summary>
/// <remarks>
/// <para>
/// Forward pass, Keras-style: every layer but the last returns its whole sequence to the next;
/// dropout is applied to each layer's output, i.e. between layers and once more before the head
/// (as a Keras <c>Dropout</c> layer after each recurrent layer would). Without
/// <see cref="ReturnSequences"/> the head sees the last layer's final output → (batch, outputSize);
/// with it the head is applied at every step → (batch, time, outputSize).
/// </para>
/// <para>
/// Bidirectional layers run a forward and a backward pass (torch <c>bidirectional=True</c>) and
/// merge the two per <see cref="Merge"/>; the next layer and the head receive the merged size
/// (2 × hidden for concat). Without <see cref="ReturnSequences"/> the last layer's final output is the
/// forward direction at the last step merged with the backward direction at the first step (where the
/// backward pass ends), as Keras <c>Bidirectional</c> does.
/// </para>
/// <para>
/// Parameter names (state_dict keys) follow torch: <c>layers.{k}.weight_ih_l0</c>,
/// <c>layers.{k}.weight_hh_l0</c>, <c>layers.{k}.bias_ih_l0</c>, <c>layers.{k}.bias_hh_l0</c> for layer
/// k (plus the same with a <c>_reverse</c> suffix when bidirectional), then <c>head.weight</c> and
/// <c>head.bias</c>. Torch stacks the gates of a weight matrix in the order i, f, g, o (LSTM) or
/// r, z, n (GRU).
/// </para>
/// <para>
/// Parameter counts: torch keeps two bias vectors per layer (<c>bias_ih</c> and <c>bias_hh</c>),
/// so an LSTM layer has 4·(h·(in + h) + 2h) parameters against Keras's 4·(h·(in + h) + h), and a tanh
/// RNN h·(in + h) + 2h against h·(in + h) + h. A GRU layer has 3·(h·(in + h) + 2h) in both, because
/// Keras's default GRU (<c>reset_after=True</c>) also keeps two biases.
/// </para>
/// </remarks>
public abstract class StackedRecurrent : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module> layers;
    private readonly Dropout dropout;
    private readonly Linear head;
    private readonly int[] hiddenSizes;

    /// <summary>Builds the stack; the public subclasses fix the cell and direction.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, <paramref name="hiddenSizes"/> is empty, dropout is outside [0, 1), or an enum value is undefined.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="hiddenSizes"/> is null.</exception>
    private protected StackedRecurrent(
        string name,
        RecurrentCell cell,
        int inputSize,
        int[] hiddenSizes,
        int outputSize,
        double dropout,
        bool returnSequences,
        bool bidirectional,
        MergeMode merge,
        WeightInit weightInit)
        : base(name)
    {
        ModelArguments.Defined(cell, nameof(cell));
        ModelArguments.Positive(inputSize, nameof(inputSize), "inputSize (features per time step)");
        this.hiddenSizes = ModelArguments.HiddenSizes(hiddenSizes, nameof(hiddenSizes));
        ModelArguments.Positive(outputSize, nameof(outputSize), "outputSize");
        ModelArguments.DropoutRate(dropout, nameof(dropout));
        ModelArguments.Defined(merge, nameof(merge));
        ModelArguments.Defined(weightInit, nameof(weightInit));

        Cell = cell;
        InputSize = inputSize;
        OutputSize = outputSize;
        Dropout = dropout;
        ReturnSequences = returnSequences;
        Bidirectional = bidirectional;
        Merge = merge;
        WeightInit = weightInit;

        layers = new ModuleList<nn.Module>();
        int layerInput = inputSize;
        foreach (int hidden in this.hiddenSizes)
        {
            var layer = RecurrentLayers.Create(cell, layerInput, hidden, bidirectional: bidirectional);
            weightInit.ApplyToRecurrent(layer, cell);
            layers.Add(layer);
            layerInput = MergedSize(hidden);
        }
        FeatureSize = layerInput;
        this.dropout = nn.Dropout(dropout);
        head = nn.Linear(FeatureSize, outputSize);
        weightInit.ApplyToHead(head);
        RegisterComponents();
    }

    /// <summary>Which recurrent cell every layer uses.</summary>
    public RecurrentCell Cell { get; }

    /// <summary>Features per time step the model expects (last input dimension).</summary>
    public int InputSize { get; }

    /// <summary>Hidden units of each recurrent layer, first to last (per direction when bidirectional).</summary>
    public IReadOnlyList<int> HiddenSizes => hiddenSizes;

    /// <summary>Number of recurrent layers.</summary>
    public int NumLayers => hiddenSizes.Length;

    /// <summary>Width of the head's output (last output dimension).</summary>
    public int OutputSize { get; }

    /// <summary>Dropout probability applied after every recurrent layer (between layers and before the head) in training mode.</summary>
    public double Dropout { get; }

    /// <summary>Whether the head is applied at every time step (Keras <c>return_sequences</c> on the last layer).</summary>
    public bool ReturnSequences { get; }

    /// <summary>Whether every layer runs forward and backward over the sequence.</summary>
    public bool Bidirectional { get; }

    /// <summary>How the two directions are combined; meaningful only when <see cref="Bidirectional"/>.</summary>
    public MergeMode Merge { get; }

    /// <summary>The initialisation scheme the parameters were created with.</summary>
    public WeightInit WeightInit { get; }

    /// <summary>Width of the features the head receives: the last hidden size, doubled for a concatenating bidirectional stack.</summary>
    public int FeatureSize { get; }

    /// <summary>Width of one layer's (merged) output for a given hidden size.</summary>
    private int MergedSize(int hidden) => Bidirectional && Merge == MergeMode.Concat ? 2 * hidden : hidden;

    /// <summary>Runs the stack and the head.</summary>
    /// <param name="input">Float tensor shaped (batch, time, <see cref="InputSize"/>) with the model's dtype and device.</param>
    /// <returns>(batch, <see cref="OutputSize"/>), or (batch, time, <see cref="OutputSize"/>) with <see cref="ReturnSequences"/>.</returns>
    /// <exception cref="ArgumentException">The input's rank, feature count, dtype or device does not fit the model.</exception>
    public override Tensor forward(Tensor input)
    {
        ModelArguments.FloatSequence(input, InputSize, this, GetType().Name, nameof(input));
        using var scope = torch.NewDisposeScope();
        Tensor sequence = input;
        for (int k = 0; k < layers.Count; k++)
        {
            bool last = k == layers.Count - 1;
            var output = RecurrentLayers.Outputs(layers[k], sequence);
            sequence = dropout.call(last && !ReturnSequences ? FinalStep(output, hiddenSizes[k]) : MergeDirections(output, hiddenSizes[k]));
        }
        return head.call(sequence).MoveToOuterDisposeScope();
    }

    /// <summary>Combines torch's [forward | backward] feature halves of a bidirectional output.</summary>
    private Tensor MergeDirections(Tensor output, int hidden)
    {
        if (!Bidirectional || Merge == MergeMode.Concat) return output;
        var forward = output.narrow(-1, 0, hidden);
        var backward = output.narrow(-1, hidden, hidden);
        return Combine(forward, backward);
    }

    /// <summary>The last layer's final output: the last step, or for the backward direction the first step where its pass ends.</summary>
    private Tensor FinalStep(Tensor output, int hidden)
    {
        long lastStep = output.shape[1] - 1;
        if (!Bidirectional) return output.select(1, lastStep);
        var forward = output.select(1, lastStep).narrow(-1, 0, hidden);
        var backward = output.select(1, 0).narrow(-1, hidden, hidden);
        return Merge == MergeMode.Concat ? torch.cat([forward, backward], -1) : Combine(forward, backward);
    }

    private Tensor Combine(Tensor forward, Tensor backward) => Merge switch
    {
        MergeMode.Sum => forward + backward,
        MergeMode.Average => (forward + backward) / 2,
        MergeMode.Multiply => forward * backward,
        _ => torch.cat([forward, backward], -1),
    };
}
