using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>The decoder's recurrent state between steps.</summary>
/// <param name="Hidden">h_t (batch, decoderHidden).</param>
/// <param name="Cell">c_t for an LSTM decoder, else null.</param>
/// <param name="Feed">The last attentional vector h̃_t fed to the next step (input feeding), else null.</param>
internal sealed record DecoderState(Tensor Hidden, Tensor? Cell, Tensor? Feed)
{
    /// <summary>The rows <paramref name="index"/>, for beam search's reordering.</summary>
    public DecoderState Select(Tensor index) =>
        new(Hidden.index_select(0, index), Cell?.index_select(0, index), Feed?.index_select(0, index));
}

/// <summary>
/// One step of the decoder (Luong et al. 2015): embed the previous token (with the previous
/// attentional vector when input feeding), advance the recurrent cell to h_t, attend over the encoder
/// outputs with h_t, combine into h̃_t = tanh(W_c [c_t; h_t]) and project h̃_t to target-vocabulary logits.
/// Without attention, h_t itself is projected.
/// </summary>
internal sealed class Seq2SeqDecoder : nn.Module
{
    private readonly Embedding embedding;
    private readonly nn.Module cell;
    private readonly Seq2SeqAttentionLayer? attention;
    private readonly Linear? combine;
    private readonly Dropout dropout;
    private readonly Linear output;
    private readonly bool inputFeeding;
    private readonly int hiddenSize;

    public Seq2SeqDecoder(Seq2SeqOptions options) : base(nameof(Seq2SeqDecoder))
    {
        hiddenSize = options.DecoderHiddenSize;
        bool attends = options.Attention != AttentionKind.None;
        inputFeeding = attends && options.InputFeeding;
        embedding = nn.Embedding(options.TargetVocabSize, options.EmbeddingDim, padding_idx: Data.Text.SpecialTokens.PadId);
        int inputSize = options.EmbeddingDim + (inputFeeding ? hiddenSize : 0);
        cell = options.Cell switch
        {
            RecurrentCell.Lstm => nn.LSTMCell(inputSize, hiddenSize),
            RecurrentCell.Gru => nn.GRUCell(inputSize, hiddenSize),
            RecurrentCell.Rnn => nn.RNNCell(inputSize, hiddenSize),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Cell, "unknown recurrent cell"),
        };
        if (attends)
        {
            attention = new Seq2SeqAttentionLayer(options.Attention, options.EncoderOutputSize, hiddenSize, options.AttentionSize);
            combine = nn.Linear(options.EncoderOutputSize + hiddenSize, hiddenSize, hasBias: false);
        }
        dropout = nn.Dropout(options.Dropout);
        output = nn.Linear(hiddenSize, options.TargetVocabSize);
        RegisterComponents();
    }

    /// <summary>The encoder outputs as the attention reads them (the outputs themselves without attention).</summary>
    public Tensor Keys(Tensor encoderOutputs) => attention?.Keys(encoderOutputs) ?? encoderOutputs.alias();

    /// <summary>The state before the first step, from the bridged encoder state.</summary>
    public DecoderState InitialState(Tensor hidden, Tensor? cellState) =>
        new(hidden, cellState, inputFeeding ? zeros(hidden.shape[0], hiddenSize, hidden.dtype, hidden.device) : null);

    /// <summary>Embeds target tokens of any shape (with dropout), e.g. all teacher-forced inputs at once.</summary>
    public Tensor Embed(Tensor tokens) => dropout.call(embedding.call(tokens));

    /// <summary>Target-vocabulary logits from attentional vectors h̃ of any leading shape.</summary>
    public Tensor Project(Tensor attentional) => output.call(dropout.call(attentional));

    /// <summary>One step for previous tokens (batch); returns logits (batch, targetVocab), the attention weights (batch, sourceLength) or null, and the next state.</summary>
    public (Tensor Logits, Tensor? Weights, DecoderState Next) Step(Tensor previousTokens, DecoderState state, EncoderMemory memory)
    {
        var (attentional, weights, next) = Advance(Embed(previousTokens), state, memory);
        return (Project(attentional), weights, next);
    }

    /// <summary>
    /// Advances the cell on an embedded input (batch, embeddingDim) and attends; returns the attentional
    /// vector h̃_t (h_t itself without attention), the weights or null, and the next state. Logits are left
    /// to <see cref="Project"/> so that teacher forcing can project every step in one call.
    /// </summary>
    public (Tensor Attentional, Tensor? Weights, DecoderState Next) Advance(Tensor embedded, DecoderState state, EncoderMemory memory)
    {
        var input = state.Feed is null ? embedded : cat([embedded, state.Feed], 1);

        Tensor hidden;
        Tensor? cellState = null;
        switch (cell)
        {
            case LSTMCell lstm:
                (hidden, cellState) = lstm.call(input, (state.Hidden, state.Cell!));
                break;
            case GRUCell gru:
                hidden = gru.call(input, state.Hidden);
                break;
            case RNNCell plain:
                hidden = plain.call(input, state.Hidden);
                break;
            default:
                throw new InvalidOperationException($"{cell.GetType().Name} is not a torch recurrent cell.");
        }

        if (attention is null)
            return (hidden, null, new DecoderState(hidden, cellState, null));

        var (context, weights) = attention.Attend(hidden, memory);
        var attentional = combine!.call(cat([context, hidden], 1)).tanh();
        return (attentional, weights, new DecoderState(hidden, cellState, inputFeeding ? attentional : null));
    }
}
