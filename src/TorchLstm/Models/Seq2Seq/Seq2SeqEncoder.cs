using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.utils.rnn;

namespace TorchLstm.Models;

/// <summary>What the decoder needs from the encoder for one batch of sources.</summary>
/// <param name="Outputs">Encoder outputs h̄_s (batch, sourceLength, encoderOutputSize), zero at padding.</param>
/// <param name="Keys">The outputs as the attention scores them (projected once per batch for additive and general attention).</param>
/// <param name="Mask">True at real source tokens, false at padding (batch, sourceLength).</param>
/// <param name="Padding">The complement of <paramref name="Mask"/>, kept so the attention does not recompute it every step.</param>
internal sealed record EncoderMemory(Tensor Outputs, Tensor Keys, Tensor Mask, Tensor Padding)
{
    /// <summary>The rows <paramref name="index"/> (for beam search, repeated rows of one source).</summary>
    public EncoderMemory Select(Tensor index) => new(
        Outputs.index_select(0, index), Keys.index_select(0, index), Mask.index_select(0, index), Padding.index_select(0, index));
}

/// <summary>
/// Embedding followed by torch's fused (bi)directional recurrent layers, run on packed sequences so
/// that padding never enters the recurrence: the backward direction starts at each row's last real token.
/// </summary>
internal sealed class Seq2SeqEncoder : nn.Module
{
    private readonly Embedding embedding;
    private readonly nn.Module rnn;
    private readonly Dropout dropout;
    private readonly int directions;

    public Seq2SeqEncoder(Seq2SeqOptions options) : base(nameof(Seq2SeqEncoder))
    {
        directions = options.BidirectionalEncoder ? 2 : 1;
        embedding = nn.Embedding(options.SourceVocabSize, options.EmbeddingDim, padding_idx: Data.Text.SpecialTokens.PadId);
        rnn = RecurrentLayers.Create(options.Cell, options.EmbeddingDim, options.HiddenSize, options.EncoderLayers, options.Dropout, options.BidirectionalEncoder);
        dropout = nn.Dropout(options.Dropout);
        RegisterComponents();
    }

    /// <summary>
    /// Encodes trailing-padded ids (batch, sourceLength) whose real lengths are <paramref name="lengths"/> (CPU int64).
    /// </summary>
    /// <returns>
    /// The outputs (batch, sourceLength, directions × hidden) and the last layer's final hidden (and, for
    /// an LSTM, cell) state with both directions concatenated, (batch, directions × hidden).
    /// </returns>
    public (Tensor Outputs, Tensor FinalHidden, Tensor? FinalCell) Encode(Tensor ids, Tensor lengths)
    {
        long steps = ids.shape[1];
        var embedded = dropout.call(embedding.call(ids));
        using var packed = pack_padded_sequence(embedded, lengths, batch_first: true, enforce_sorted: false);
        PackedSequence packedOutputs;
        Tensor hidden;
        Tensor? cell = null;
        switch (rnn)
        {
            case LSTM lstm:
                (packedOutputs, hidden, cell) = lstm.call(packed);
                break;
            case GRU gru:
                (packedOutputs, hidden) = gru.call(packed);
                break;
            case RNN plain:
                (packedOutputs, hidden) = plain.call(packed);
                break;
            default:
                throw new InvalidOperationException($"{rnn.GetType().Name} is not a torch recurrent layer.");
        }
        using (packedOutputs)
        {
            var (outputs, _) = pad_packed_sequence(packedOutputs, batch_first: true, total_length: steps);
            return (outputs, LastLayer(hidden), cell is null ? null : LastLayer(cell));
        }
    }

    /// <summary>h_n is (layers × directions, batch, hidden); the last layer's directions are the last rows.</summary>
    private Tensor LastLayer(Tensor state)
    {
        var last = state.narrow(0, state.shape[0] - directions, directions);
        return last.permute(1, 0, 2).reshape(state.shape[1], directions * state.shape[2]);
    }
}
