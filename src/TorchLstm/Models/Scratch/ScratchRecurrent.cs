using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>
/// What the from-scratch recurrent modules (<see cref="ScratchLstm"/>, <see cref="ScratchGru"/>) share with
/// torch's <c>nn.LSTM</c>/<c>nn.GRU</c>: the constructor's hyper-parameters, torch's parameter naming
/// (<c>weight_ih_l{k}[_reverse]</c>, …) and the stacking of layers and directions with dropout between layers.
/// </summary>
/// <typeparam name="TState">The initial state <c>forward</c> accepts.</typeparam>
/// <typeparam name="TResult">What <c>forward</c> returns: the output and the final state(s).</typeparam>
public abstract class ScratchRecurrent<TState, TResult> : nn.Module<Tensor, TState, TResult>
{
    /// <summary>Checks and stores the hyper-parameters common to every recurrent module.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size or the number of layers is below 1, or dropout is outside [0, 1].</exception>
    private protected ScratchRecurrent(string name, long inputSize, long hiddenSize, long numLayers, bool bias, bool batchFirst, double dropout, bool bidirectional)
        : base(name)
    {
        RecurrentShapes.CheckHyperParameters(inputSize, hiddenSize, numLayers, dropout);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        Bias = bias;
        BatchFirst = batchFirst;
        Dropout = dropout;
        Bidirectional = bidirectional;
    }

    /// <summary>Features per time step of the input.</summary>
    public long InputSize { get; }

    /// <summary>Features of the hidden state (per direction).</summary>
    public long HiddenSize { get; }

    /// <summary>Number of stacked layers.</summary>
    public long NumLayers { get; }

    /// <summary>Whether the layers have the biases b_ih and b_hh.</summary>
    public bool Bias { get; }

    /// <summary>Whether input and output are (batch, seq, features).</summary>
    public bool BatchFirst { get; }

    /// <summary>Dropout probability between layers (training mode only).</summary>
    public double Dropout { get; }

    /// <summary>Whether each layer also runs backwards in time.</summary>
    public bool Bidirectional { get; }

    /// <summary>1, or 2 when <see cref="Bidirectional"/>.</summary>
    public int NumDirections => Bidirectional ? 2 : 1;

    /// <summary>Torch's parameter-name suffix for a layer and direction: <c>_l0</c>, <c>_l0_reverse</c>, ….</summary>
    private protected static string Suffix(long layer, int direction) => $"_l{layer}" + (direction == 1 ? "_reverse" : "");

    /// <summary>Features layer <paramref name="layer"/> reads per step: the input, or both directions of the layer below.</summary>
    private protected long LayerInputSize(long layer) => layer == 0 ? InputSize : HiddenSize * NumDirections;

    /// <summary>
    /// Runs every layer over the time-major input <paramref name="x"/>: each direction through
    /// <paramref name="runDirection"/> (given the layer's input, the layer, the direction and the index of its
    /// state in torch's stacked layout), both directions' outputs concatenated, dropout between layers in training.
    /// </summary>
    /// <returns>The last layer's output, (seq, batch, directions × hidden).</returns>
    private protected Tensor RunLayers(Tensor x, Func<Tensor, long, int, long, Tensor> runDirection)
    {
        Tensor layerInput = x;
        for (long layer = 0; layer < NumLayers; layer++)
        {
            var outputs = new Tensor[NumDirections];
            for (int direction = 0; direction < NumDirections; direction++)
                outputs[direction] = runDirection(layerInput, layer, direction, layer * NumDirections + direction);
            layerInput = NumDirections == 1 ? outputs[0] : torch.cat(outputs, 2);
            if (layer < NumLayers - 1 && Dropout > 0 && training)
                layerInput = nn.functional.dropout(layerInput, Dropout, training: true);
        }
        return layerInput;
    }
}
