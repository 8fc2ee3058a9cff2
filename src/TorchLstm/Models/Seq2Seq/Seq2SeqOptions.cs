namespace TorchLstm.Models;

/// <summary>How the decoder looks at the encoder's outputs.</summary>
public enum AttentionKind
{
    /// <summary>
    /// No attention: a plain encoder–decoder (Sutskever et al. 2014, Cho et al. 2014) whose decoder
    /// sees the source only through the encoder's final state.
    /// </summary>
    None,

    /// <summary>Additive (concat) scores <c>vᵀ tanh(W_q h_t + W_k h̄_s)</c> (Bahdanau et al. 2015).</summary>
    Additive,

    /// <summary>Dot-product scores <c>h_tᵀ h̄_s</c> (Luong et al. 2015).</summary>
    Dot,

    /// <summary>Bilinear scores <c>h_tᵀ W h̄_s</c> (Luong et al. 2015, "general").</summary>
    General,
}

/// <summary>
/// Architecture of a <see cref="Seq2SeqAttention"/> model. Only the two vocabulary sizes are
/// required; the rest default to a small bidirectional-LSTM encoder with additive attention.
/// </summary>
public sealed record Seq2SeqOptions
{
    /// <summary>Number of source token ids, the four reserved ids included. Accepted: 5 or more.</summary>
    public required int SourceVocabSize { get; init; }

    /// <summary>Number of target token ids, the four reserved ids included. Accepted: 5 or more.</summary>
    public required int TargetVocabSize { get; init; }

    /// <summary>Width of the source and target token embeddings. Accepted: 1 or more.</summary>
    public int EmbeddingDim { get; init; } = 32;

    /// <summary>
    /// Hidden units per encoder direction. The decoder's hidden size is the encoder's output width
    /// (twice this when bidirectional), so that dot attention compares vectors of the same size.
    /// Accepted: 1 or more.
    /// </summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>Stacked encoder layers. Accepted: 1 or more.</summary>
    public int EncoderLayers { get; init; } = 1;

    /// <summary>Whether the encoder reads the source in both directions.</summary>
    public bool BidirectionalEncoder { get; init; } = true;

    /// <summary>Recurrent cell of the encoder and the decoder.</summary>
    public RecurrentCell Cell { get; init; } = RecurrentCell.Lstm;

    /// <summary>The attention score function, or <see cref="AttentionKind.None"/>.</summary>
    public AttentionKind Attention { get; init; } = AttentionKind.Additive;

    /// <summary>Units of the additive score's hidden layer; ignored by the other kinds. Accepted: 1 or more.</summary>
    public int AttentionSize { get; init; } = 64;

    /// <summary>
    /// Luong's input feeding: the previous attentional vector h̃ is concatenated to the next input, so
    /// the decoder knows what it attended to. Ignored without attention.
    /// </summary>
    public bool InputFeeding { get; init; } = true;

    /// <summary>Dropout on embeddings, between encoder layers and before the output layer. Accepted: [0, 1).</summary>
    public double Dropout { get; init; }

    /// <summary>Width of the encoder's outputs: <see cref="HiddenSize"/>, doubled when bidirectional.</summary>
    public int EncoderOutputSize => BidirectionalEncoder ? 2 * HiddenSize : HiddenSize;

    /// <summary>Hidden units of the decoder (equal to <see cref="EncoderOutputSize"/>).</summary>
    public int DecoderHiddenSize => EncoderOutputSize;

    /// <summary>Checks every field.</summary>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A field is outside its accepted range; the parameter name is the field's.</exception>
    public Seq2SeqOptions Validate()
    {
        const int minVocab = Data.Text.SpecialTokens.Count + 1;
        if (SourceVocabSize < minVocab)
            throw new ArgumentOutOfRangeException(nameof(SourceVocabSize), SourceVocabSize,
                $"Seq2SeqOptions.SourceVocabSize must be at least {minVocab} (4 reserved ids plus one token) (got {SourceVocabSize}).");
        if (TargetVocabSize < minVocab)
            throw new ArgumentOutOfRangeException(nameof(TargetVocabSize), TargetVocabSize,
                $"Seq2SeqOptions.TargetVocabSize must be at least {minVocab} (4 reserved ids plus one token) (got {TargetVocabSize}).");
        ModelArguments.Positive(EmbeddingDim, nameof(EmbeddingDim), "Seq2SeqOptions.EmbeddingDim");
        ModelArguments.Positive(HiddenSize, nameof(HiddenSize), "Seq2SeqOptions.HiddenSize");
        ModelArguments.Positive(EncoderLayers, nameof(EncoderLayers), "Seq2SeqOptions.EncoderLayers");
        ModelArguments.Positive(AttentionSize, nameof(AttentionSize), "Seq2SeqOptions.AttentionSize");
        ModelArguments.Defined(Cell, nameof(Cell));
        ModelArguments.Defined(Attention, nameof(Attention));
        ModelArguments.DropoutRate(Dropout, nameof(Dropout));
        return this;
    }
}
