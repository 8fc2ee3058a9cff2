using TorchLstm.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.utils.rnn;

namespace TorchLstm.Models;

/// <summary>
/// Builds and runs torch's fused recurrent layers without caring which cell they use: the three
/// torch classes return different tuples, and every model here wants only the outputs or the final
/// hidden state.
/// </summary>
internal static class RecurrentLayers
{
    /// <summary>Number of gate blocks stacked in a torch weight matrix for the cell.</summary>
    internal static int GateCount(RecurrentCell cell) => cell switch
    {
        RecurrentCell.Lstm => 4,
        RecurrentCell.Gru => 3,
        RecurrentCell.Rnn => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "unknown recurrent cell"),
    };

    /// <summary>A batch-first torch recurrent layer (one or more fused layers).</summary>
    internal static nn.Module Create(RecurrentCell cell, int inputSize, int hiddenSize, int numLayers = 1, double dropout = 0, bool bidirectional = false)
    {
        // torch warns when inter-layer dropout is asked of a single layer; it would have no effect.
        double between = numLayers > 1 ? dropout : 0;
        return cell switch
        {
            RecurrentCell.Lstm => nn.LSTM(inputSize, hiddenSize, numLayers, batchFirst: true, dropout: between, bidirectional: bidirectional),
            RecurrentCell.Gru => nn.GRU(inputSize, hiddenSize, numLayers, batchFirst: true, dropout: between, bidirectional: bidirectional),
            RecurrentCell.Rnn => nn.RNN(inputSize, hiddenSize, numLayers, nn.NonLinearities.Tanh, batchFirst: true, dropout: between, bidirectional: bidirectional),
            _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "unknown recurrent cell"),
        };
    }

    /// <summary>Runs a batch-first sequence from a zero state; returns (batch, time, directions × hidden).</summary>
    internal static Tensor Outputs(nn.Module layer, Tensor input)
    {
        switch (layer)
        {
            case LSTM lstm:
                {
                    // Dense LSTM input is what oneDNN's fused kernel runs; the fix keeps its inference right.
                    var (output, h, c) = LstmInferenceFix.Forward(lstm, input);
                    h.Dispose();
                    c.Dispose();
                    return output;
                }
            case GRU gru:
                {
                    var (output, h) = gru.call(input);
                    h.Dispose();
                    return output;
                }
            case RNN rnn:
                {
                    var (output, h) = rnn.call(input);
                    h.Dispose();
                    return output;
                }
            default:
                throw new InvalidOperationException($"{layer.GetType().Name} is not a torch recurrent layer.");
        }
    }

    /// <summary>Runs a packed batch from a zero state; returns h_n shaped (layers × directions, batch, hidden) in the batch's original order.</summary>
    internal static Tensor FinalHidden(nn.Module layer, PackedSequence input)
    {
        switch (layer)
        {
            case LSTM lstm:
                {
                    var (output, h, c) = lstm.call(input);
                    output.Dispose();
                    c.Dispose();
                    return h;
                }
            case GRU gru:
                {
                    var (output, h) = gru.call(input);
                    output.Dispose();
                    return h;
                }
            case RNN rnn:
                {
                    var (output, h) = rnn.call(input);
                    output.Dispose();
                    return h;
                }
            default:
                throw new InvalidOperationException($"{layer.GetType().Name} is not a torch recurrent layer.");
        }
    }
}
