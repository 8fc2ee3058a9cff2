using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.utils.rnn;

namespace TorchLstm.Models;

/// <summary>
/// A text (token sequence) classifier: Embedding → recurrent layers → dropout → Linear, giving
/// logits (batch, numClasses). The PyTorch counterpart of Keras's
/// <c>Embedding → LSTM(128, dropout=0.2) → Dense</c> classifier.
/// </summary>
/// <remarks>
/// <para>
/// Input: token ids (batch, time) of an integer dtype, with 0 the padding id (the embedding's
/// <c>padding_idx</c>, whose vector stays zero). Padding never changes the result: each row's real tokens
/// run from its first to its last non-zero id, so trailing padding (PyTorch's habit) and leading padding
/// (Keras <c>pad_sequences</c>' default) are both ignored. The rows are shifted to start at their first
/// real token and packed with <c>pack_padded_sequence</c>, so the forward direction stops at the last real
/// token and the backward direction starts there. Zeros between real tokens are kept as padding
/// embeddings; a row with no real token is read as a single padding step.
/// </para>
/// <para>
/// The features fed to the head are the last layer's final hidden state, forward and backward
/// concatenated when bidirectional (so the head sees 2 × hiddenSize). Dropout acts between recurrent
/// layers (torch's inter-layer dropout) and before the head.
/// </para>
/// <para>
/// Parameter names: <c>embedding.weight</c>, <c>rnn.weight_ih_l{k}</c>, <c>rnn.weight_hh_l{k}</c>,
/// <c>rnn.bias_ih_l{k}</c>, <c>rnn.bias_hh_l{k}</c> (plus <c>_reverse</c> when bidirectional) for layer k of
/// one fused torch recurrent module, then <c>head.weight</c> and <c>head.bias</c>.
/// </para>
/// </remarks>
public sealed class SequenceClassifier : nn.Module<Tensor, Tensor>
{
    /// <summary>The token id reserved for padding.</summary>
    public const long PaddingIndex = 0;

    private readonly Embedding embedding;
    private readonly nn.Module rnn;
    private readonly Dropout dropout;
    private readonly Linear head;

    /// <summary>Creates the classifier.</summary>
    /// <param name="vocabSize">Number of token ids, padding included; ids run over [0, vocabSize) (≥ 2: padding plus one token).</param>
    /// <param name="embeddingDim">Width of the token embeddings (≥ 1).</param>
    /// <param name="hiddenSize">Hidden units per direction of every recurrent layer (≥ 1).</param>
    /// <param name="numClasses">Number of logits produced (≥ 1; use 1 with a sigmoid loss for binary tasks).</param>
    /// <param name="cell">Recurrent cell of the layers.</param>
    /// <param name="bidirectional">Read each sequence in both directions.</param>
    /// <param name="numLayers">Number of stacked recurrent layers (≥ 1).</param>
    /// <param name="dropout">Dropout probability in [0, 1) between recurrent layers and before the head.</param>
    /// <param name="weightInit">Initialisation scheme for the recurrent layers and the head; the embedding keeps torch's normal(0, 1) with a zero padding row.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range, dropout is outside [0, 1), or an enum value is undefined.</exception>
    public SequenceClassifier(
        int vocabSize,
        int embeddingDim,
        int hiddenSize,
        int numClasses,
        RecurrentCell cell = RecurrentCell.Lstm,
        bool bidirectional = false,
        int numLayers = 1,
        double dropout = 0,
        WeightInit weightInit = WeightInit.TorchDefault)
        : base(nameof(SequenceClassifier))
    {
        if (vocabSize < 2)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize,
                $"vocabSize must be at least 2 (the padding id 0 plus one token) (got {vocabSize}).");
        ModelArguments.Positive(embeddingDim, nameof(embeddingDim), "embeddingDim");
        ModelArguments.Positive(hiddenSize, nameof(hiddenSize), "hiddenSize");
        ModelArguments.Positive(numClasses, nameof(numClasses), "numClasses");
        ModelArguments.Defined(cell, nameof(cell));
        ModelArguments.Positive(numLayers, nameof(numLayers), "numLayers");
        ModelArguments.DropoutRate(dropout, nameof(dropout));
        ModelArguments.Defined(weightInit, nameof(weightInit));

        VocabSize = vocabSize;
        EmbeddingDim = embeddingDim;
        HiddenSize = hiddenSize;
        NumClasses = numClasses;
        Cell = cell;
        Bidirectional = bidirectional;
        NumLayers = numLayers;
        Dropout = dropout;
        WeightInit = weightInit;

        embedding = nn.Embedding(vocabSize, embeddingDim, padding_idx: PaddingIndex);
        rnn = RecurrentLayers.Create(cell, embeddingDim, hiddenSize, numLayers, dropout, bidirectional);
        this.dropout = nn.Dropout(dropout);
        weightInit.ApplyToRecurrent(rnn, cell);
        head = nn.Linear(FeatureSize, numClasses);
        weightInit.ApplyToHead(head);
        RegisterComponents();
    }

    /// <summary>Number of token ids, padding included.</summary>
    public int VocabSize { get; }

    /// <summary>Width of the token embeddings.</summary>
    public int EmbeddingDim { get; }

    /// <summary>Hidden units per direction of every recurrent layer.</summary>
    public int HiddenSize { get; }

    /// <summary>Hidden units of each layer, first to last: <see cref="HiddenSize"/> repeated <see cref="NumLayers"/> times, shaped like <see cref="StackedRecurrent.HiddenSizes"/>.</summary>
    public IReadOnlyList<int> HiddenSizes => Enumerable.Repeat(HiddenSize, NumLayers).ToArray();

    /// <summary>Number of logits produced.</summary>
    public int NumClasses { get; }

    /// <summary>Recurrent cell of the layers.</summary>
    public RecurrentCell Cell { get; }

    /// <summary>Whether each sequence is read in both directions.</summary>
    public bool Bidirectional { get; }

    /// <summary>How the two directions' final states are combined: always concatenation here.</summary>
    public MergeMode Merge => MergeMode.Concat;

    /// <summary>Number of stacked recurrent layers.</summary>
    public int NumLayers { get; }

    /// <summary>Dropout probability between recurrent layers and before the head.</summary>
    public double Dropout { get; }

    /// <summary>The initialisation scheme the recurrent layers and head were created with.</summary>
    public WeightInit WeightInit { get; }

    /// <summary>Width of the features the head receives: hiddenSize, doubled when bidirectional.</summary>
    public int FeatureSize => Bidirectional ? 2 * HiddenSize : HiddenSize;

    /// <summary>Classifies padded token sequences.</summary>
    /// <param name="tokens">Token ids (batch, time) of an integer dtype, each in [0, <see cref="VocabSize"/>), 0 for padding.</param>
    /// <returns>Logits (batch, <see cref="NumClasses"/>).</returns>
    /// <exception cref="ArgumentException">The ids' rank, dtype, device or range is wrong.</exception>
    public override Tensor forward(Tensor tokens)
    {
        ValidateTokens(tokens);
        using var scope = torch.NewDisposeScope();
        var ids = tokens.to(ScalarType.Int64);
        var (aligned, lengths) = AlignToFirstToken(ids);

        using var packed = pack_padded_sequence(embedding.call(aligned), lengths, batch_first: true, enforce_sorted: false);
        var finalHidden = RecurrentLayers.FinalHidden(rnn, packed);

        // h_n is (layers × directions, batch, hidden) with the last layer's directions at the end.
        int directions = Bidirectional ? 2 : 1;
        var lastLayer = finalHidden.narrow(0, finalHidden.shape[0] - directions, directions);
        var features = lastLayer.permute(1, 0, 2).reshape(lastLayer.shape[1], FeatureSize);
        return head.call(dropout.call(features)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Shifts each row so its first real token sits at step 0 and returns the real lengths
    /// (first to last non-padding id, at least 1), as a CPU int64 tensor as packing requires.
    /// </summary>
    private static (Tensor Aligned, Tensor Lengths) AlignToFirstToken(Tensor ids)
    {
        long steps = ids.shape[1];
        var real = ids.ne(PaddingIndex).to(ScalarType.Int64);
        // argmax returns the first maximal index, so on the flipped mask it finds the last real token.
        var first = real.argmax(1);
        var last = (steps - 1) - real.flip(1).argmax(1);
        var lengths = torch.where(real.any(1), last - first + 1, torch.ones_like(first));
        var positions = (torch.arange(steps, device: ids.device).unsqueeze(0) + first.unsqueeze(1)).clamp_max(steps - 1);
        // Steps past a row's length repeat its last id; packing never reads them.
        var aligned = ids.gather(1, positions);
        return (aligned, lengths.cpu());
    }

    private void ValidateTokens(Tensor tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.dim() != 2)
            throw new ArgumentException(
                $"SequenceClassifier expects token ids shaped (batch, time) but got rank {tokens.dim()} shape {ModelArguments.Shape(tokens)}.", nameof(tokens));
        if (tokens.shape[0] == 0 || tokens.shape[1] == 0)
            throw new ArgumentException(
                $"SequenceClassifier needs at least one sequence and one step but got shape {ModelArguments.Shape(tokens)}.", nameof(tokens));
        if (tokens.is_floating_point() || tokens.is_complex() || tokens.dtype == ScalarType.Bool)
            throw new ArgumentException(
                $"SequenceClassifier expects integer token ids (Int64 preferred) but got dtype {tokens.dtype}; convert with .to(ScalarType.Int64).", nameof(tokens));
        ModelArguments.MatchesParameters(tokens, this, nameof(SequenceClassifier), nameof(tokens), checkDtype: false);
        using var scope = torch.NewDisposeScope();
        long min = tokens.min().to(ScalarType.Int64).item<long>();
        long max = tokens.max().to(ScalarType.Int64).item<long>();
        if (min < 0 || max >= VocabSize)
        {
            long bad = min < 0 ? min : max;
            throw new ArgumentException(
                $"SequenceClassifier token id {bad} is outside [0, {VocabSize}) (vocabSize {VocabSize}, 0 = padding); map unknown words to a reserved id below vocabSize.", nameof(tokens));
        }
    }
}
