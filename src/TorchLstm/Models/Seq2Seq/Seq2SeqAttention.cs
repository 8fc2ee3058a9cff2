using TorchLstm.Data.Text;
using TorchLstm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>
/// A sequence-to-sequence model: a (bi)directional LSTM/GRU encoder and a decoder with attention over
/// the encoder outputs and input feeding (Luong et al. 2015), or with no attention at all for a plain
/// encoder–decoder. Trains with teacher forcing; decodes greedily or by beam search.
/// </summary>
/// <remarks>
/// <para>
/// Ids follow <see cref="SpecialTokens"/>: 0 pads, 1 starts, 2 ends. Sources are (batch, sourceLength)
/// padded at the end, at least one real token per row; targets are (batch, targetLength): the output
/// tokens, then the end token, then padding (as <see cref="Vocabulary.EncodeBatch"/> with
/// <c>addEos: true</c> writes them). The decoder's input is the target shifted right behind the start token.
/// </para>
/// <para>
/// <see cref="forward"/> takes the source and target ids as they are and returns teacher-forced logits
/// (batch, targetLength, targetVocab). The runner trains it on <see cref="TokenPairs"/> through
/// <see cref="TeacherForcedStep"/>, with a loss that ignores target id 0 (padding):
/// <c>runner.Fit(model, Seq2SeqAttention.TeacherForcedStep, train, validation, options with { Loss = Loss.CrossEntropy(ignoreIndex: SpecialTokens.PadId) })</c>.
/// </para>
/// <para>
/// Parameter names: <c>encoder.embedding.weight</c>, <c>encoder.rnn.weight_ih_l0</c>… (torch's fused
/// layer, <c>_reverse</c> for the backward direction), <c>bridge_hidden.*</c>, <c>bridge_cell.*</c> (LSTM
/// only), <c>decoder.embedding.weight</c>, <c>decoder.cell.weight_ih</c>…, <c>decoder.attention.*</c>,
/// <c>decoder.combine.weight</c>, <c>decoder.output.weight</c>, <c>decoder.output.bias</c>.
/// </para>
/// </remarks>
public sealed partial class Seq2SeqAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Seq2SeqEncoder encoder;
    private readonly Linear bridge_hidden;
    private readonly Linear? bridge_cell;
    private readonly Seq2SeqDecoder decoder;
    private double teacherForcingRatio = 1.0;

    /// <summary>Creates the model with freshly initialised (torch default) weights.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public Seq2SeqAttention(Seq2SeqOptions options) : base(nameof(Seq2SeqAttention))
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate();
        encoder = new Seq2SeqEncoder(options);
        // The encoder's last state (both directions) becomes the decoder's first: a learned bridge, as
        // the two need not share a basis.
        bridge_hidden = nn.Linear(options.EncoderOutputSize, options.DecoderHiddenSize);
        if (options.Cell == RecurrentCell.Lstm)
            bridge_cell = nn.Linear(options.EncoderOutputSize, options.DecoderHiddenSize);
        decoder = new Seq2SeqDecoder(options);
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public Seq2SeqOptions Options { get; }

    /// <summary>
    /// Probability that, in training mode, the decoder is fed the true previous token rather than its
    /// own prediction (1 = pure teacher forcing, 0 = always its own predictions). Drawn per sample and
    /// step from torch's global generator. Evaluation mode always feeds the true tokens, so validation
    /// loss is comparable from epoch to epoch. Change it per epoch with the <see cref="TeacherForcingSchedule"/> callback.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1].</exception>
    public double TeacherForcingRatio
    {
        get => teacherForcingRatio;
        set
        {
            if (!(value >= 0 && value <= 1))
                throw new ArgumentOutOfRangeException(nameof(value), value, $"TeacherForcingRatio must be in [0, 1] (got {value}).");
            teacherForcingRatio = value;
        }
    }

    /// <summary>
    /// Teacher-forced logits (batch, targetLength, <see cref="Seq2SeqOptions.TargetVocabSize"/>) for source
    /// ids (batch, sourceLength) and target ids (batch, targetLength), both of an integer dtype.
    /// </summary>
    /// <exception cref="ArgumentException">Ids are of the wrong rank, dtype, device or range, a source row has no real token, or padding is not trailing.</exception>
    public override Tensor forward(Tensor sourceIds, Tensor targetIds)
    {
        Seq2SeqInputs.CheckSource(sourceIds, this, nameof(sourceIds));
        Seq2SeqInputs.CheckTarget(targetIds, sourceIds.shape[0], this, nameof(targetIds));
        using var scope = NewDisposeScope();
        return Run(sourceIds.to(ScalarType.Int64), targetIds.to(ScalarType.Int64), collectAttention: false).Logits.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Teacher-forced logits (batch, targetLength, targetVocab) and attention weights (batch,
    /// targetLength, sourceLength) for separate source and target ids; the weights are null without attention.
    /// </summary>
    /// <exception cref="ArgumentException">Ids are of the wrong rank, dtype, device or range, a source row has no real token, or padding is not trailing.</exception>
    public (Tensor Logits, Tensor? Attention) ForwardWithAttention(Tensor sourceIds, Tensor targetIds)
    {
        Seq2SeqInputs.CheckSource(sourceIds, this, nameof(sourceIds));
        Seq2SeqInputs.CheckTarget(targetIds, sourceIds.shape[0], this, nameof(targetIds));
        using var scope = NewDisposeScope();
        var (logits, attention) = Run(sourceIds.to(ScalarType.Int64), targetIds.to(ScalarType.Int64), collectAttention: true);
        return (logits.MoveToOuterDisposeScope(), attention?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The training step of <see cref="ExperimentRunner"/>: teacher-forced logits from a batch's source
    /// and target ids, scored against the target ids (use a cross-entropy loss that ignores id 0).
    /// </summary>
    public static TrainingStep<Seq2SeqAttention, TokenPairs> TeacherForcedStep { get; } = new TeacherForcing();

    private sealed class TeacherForcing : TrainingStep<Seq2SeqAttention, TokenPairs>
    {
        public override Tensor Predict(Seq2SeqAttention model, TokenPairs batch) => model.forward(batch.SourceIds, batch.TargetIds);

        public override Tensor Targets(TokenPairs batch) => batch.TargetIds;

        public override void CheckData(TokenPairs data, string name)
        {
            base.CheckData(data, name);
            Seq2SeqInputs.CheckIds(data.SourceIds, data.TargetIds, name);
        }
    }

    /// <summary>Encodes validated int64 sources: memory for attention and the decoder's first state.</summary>
    internal (EncoderMemory Memory, DecoderState State) Encode(Tensor source)
    {
        var mask = source.ne(SpecialTokens.PadId);
        var lengths = mask.sum(1).to(ScalarType.Int64).cpu();
        var (outputs, finalHidden, finalCell) = encoder.Encode(source, lengths);
        var memory = new EncoderMemory(outputs, decoder.Keys(outputs), mask, mask.logical_not());
        var hidden = bridge_hidden.call(finalHidden).tanh();
        var cell = bridge_cell is null || finalCell is null ? null : bridge_cell.call(finalCell);
        return (memory, decoder.InitialState(hidden, cell));
    }

    /// <summary>One decoder step (used by greedy and beam decoding).</summary>
    internal (Tensor Logits, Tensor? Weights, DecoderState Next) Step(Tensor previousTokens, DecoderState state, EncoderMemory memory) =>
        decoder.Step(previousTokens, state, memory);

    private (Tensor Logits, Tensor? Attention) Run(Tensor source, Tensor target, bool collectAttention)
    {
        var (memory, state) = Encode(source);
        long batch = target.shape[0], steps = target.shape[1];
        // The decoder reads <bos> y_1 … y_{T-1}: the target shifted one step right.
        var inputs = cat([full(batch, 1, SpecialTokens.BosId, ScalarType.Int64, target.device), target.narrow(1, 0, steps - 1)], 1);
        bool sampleOwnPredictions = training && teacherForcingRatio < 1;
        // With pure teacher forcing every input is known up front: embed them in one call and project
        // all steps in one call, leaving only the recurrence in the loop.
        var embedded = sampleOwnPredictions ? null : decoder.Embed(inputs);

        var attentional = new List<Tensor>((int)steps);
        var logits = new List<Tensor>((int)steps);
        var weights = new List<Tensor>((int)steps);
        for (int t = 0; t < steps; t++)
        {
            Tensor stepInput;
            if (embedded is not null)
            {
                stepInput = embedded.select(1, t);
            }
            else
            {
                var tokens = inputs.select(1, t);
                if (t > 0)
                {
                    var previousPrediction = logits[^1].detach().argmax(-1);
                    tokens = where(rand(batch, device: target.device).lt(teacherForcingRatio), tokens, previousPrediction);
                }
                stepInput = decoder.Embed(tokens);
            }
            var (vector, stepWeights, next) = decoder.Advance(stepInput, state, memory);
            state = next;
            if (embedded is null) logits.Add(decoder.Project(vector));
            else attentional.Add(vector);
            if (collectAttention && stepWeights is not null) weights.Add(stepWeights);
        }
        var allLogits = embedded is null ? stack(logits, 1) : decoder.Project(stack(attentional, 1));
        return (allLogits, weights.Count > 0 ? stack(weights, 1) : null);
    }
}
