using TorchLstm.Data.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Models;

public sealed partial class Seq2SeqAttention
{
    /// <summary>
    /// Greedy decoding: at every step the most probable token, until each row has produced the end
    /// token or <paramref name="maxLength"/> tokens. Runs in evaluation mode without gradients (the
    /// model's mode is restored afterwards).
    /// </summary>
    /// <param name="sourceIds">Source ids (batch, sourceLength), trailing padding.</param>
    /// <param name="maxLength">Most tokens produced per row, end token included. Accepted: 1 or more.</param>
    /// <returns>One hypothesis per source row, with <see cref="Hypothesis.Score"/> the mean log-probability per token.</returns>
    /// <exception cref="ArgumentException">The source ids are malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is less than 1.</exception>
    public IReadOnlyList<Hypothesis> Greedy(Tensor sourceIds, int maxLength = 100)
    {
        Seq2SeqInputs.CheckSource(sourceIds, this, nameof(sourceIds));
        ModelArguments.Positive(maxLength, nameof(maxLength), "maxLength");
        return InEvaluation(() =>
        {
            var source = sourceIds.to(ScalarType.Int64);
            var (memory, state) = Encode(source);
            long batch = source.shape[0];
            var previous = full(batch, SpecialTokens.BosId, ScalarType.Int64, source.device);
            var finished = zeros(batch, ScalarType.Bool, source.device);
            var tokens = new List<Tensor>();
            var logProbabilities = new List<Tensor>();
            var weights = new List<Tensor>();
            for (int t = 0; t < maxLength; t++)
            {
                var (logits, stepWeights, next) = Step(previous, state, memory);
                state = next;
                var logProbs = logits.log_softmax(-1);
                var token = logProbs.argmax(-1);
                tokens.Add(token);
                logProbabilities.Add(logProbs.gather(1, token.unsqueeze(1)).squeeze(1));
                if (stepWeights is not null) weights.Add(stepWeights);
                finished = finished.logical_or(token.eq(SpecialTokens.EosId));
                previous = token;
                if (finished.all().item<bool>()) break;
            }
            return Collect(stack(tokens, 1), stack(logProbabilities, 1), weights.Count > 0 ? stack(weights, 1) : null, memory.Mask);
        });
    }

    /// <summary>
    /// Beam search: keeps the <paramref name="beamWidth"/> best partial outputs by total
    /// log-probability, retires those that produce the end token, and returns the finished output with
    /// the best length-normalised score log P / length^<paramref name="lengthPenalty"/> (length counting
    /// the end token). Width 1 gives the greedy output. Runs in evaluation mode without gradients.
    /// </summary>
    /// <param name="sourceIds">Source ids (batch, sourceLength), trailing padding.</param>
    /// <param name="beamWidth">Beams kept per source. Accepted: 1 or more.</param>
    /// <param name="maxLength">Most tokens produced, end token included. Accepted: 1 or more.</param>
    /// <param name="lengthPenalty">Exponent α of the length normalisation: 0 ranks by raw log-probability (favours short outputs), 1 by mean log-probability. Accepted: finite, 0 or more.</param>
    /// <returns>For each source row, the finished hypotheses best first (at least one).</returns>
    /// <exception cref="ArgumentException">The source ids are malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A search parameter is out of range.</exception>
    public IReadOnlyList<IReadOnlyList<Hypothesis>> BeamSearch(Tensor sourceIds, int beamWidth = 5, int maxLength = 100, double lengthPenalty = 1.0)
    {
        Seq2SeqInputs.CheckSource(sourceIds, this, nameof(sourceIds));
        ModelArguments.Positive(beamWidth, nameof(beamWidth), "beamWidth");
        ModelArguments.Positive(maxLength, nameof(maxLength), "maxLength");
        if (!double.IsFinite(lengthPenalty) || lengthPenalty < 0)
            throw new ArgumentOutOfRangeException(nameof(lengthPenalty), lengthPenalty, $"lengthPenalty must be finite and 0 or more (got {lengthPenalty}).");
        return InEvaluation(() =>
        {
            var source = sourceIds.to(ScalarType.Int64);
            var (memory, state) = Encode(source);
            long[] lengths = memory.Mask.sum(1).cpu().data<long>().ToArray();
            var results = new List<IReadOnlyList<Hypothesis>>(lengths.Length);
            for (int row = 0; row < lengths.Length; row++)
            {
                using var rowScope = NewDisposeScope();
                var index = tensor(new long[] { row }, device: source.device);
                var initial = new BeamState(state.Select(index), memory.Select(index));
                results.Add(Models.BeamSearch.Run(
                    initial,
                    (previous, beams) =>
                    {
                        var (logits, weights, next) = Step(previous.to(source.device), beams.Decoder, beams.Memory);
                        return new BeamSearch.StepResult<BeamState>(logits.log_softmax(-1), weights, beams with { Decoder = next });
                    },
                    (beams, parents) => beams.Select(parents.to(source.device)),
                    SpecialTokens.BosId, SpecialTokens.EosId, beamWidth, maxLength, lengthPenalty, (int)lengths[row]));
            }
            return (IReadOnlyList<IReadOnlyList<Hypothesis>>)results;
        });
    }

    private T InEvaluation<T>(Func<T> decode)
    {
        bool wasTraining = training;
        eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            return decode();
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>Cuts each row at its first end token and copies tokens, scores and real-source attention to .NET arrays.</summary>
    private static List<Hypothesis> Collect(Tensor tokens, Tensor logProbabilities, Tensor? weights, Tensor mask)
    {
        int batch = (int)tokens.shape[0], steps = (int)tokens.shape[1];
        long[] ids = tokens.cpu().data<long>().ToArray();
        double[] logProbs = logProbabilities.to(ScalarType.Float64).cpu().data<double>().ToArray();
        long[] lengths = mask.sum(1).cpu().data<long>().ToArray();
        int sourceSteps = (int)mask.shape[1];
        float[]? attention = weights?.to(ScalarType.Float32).cpu().data<float>().ToArray();
        var result = new List<Hypothesis>(batch);
        for (int row = 0; row < batch; row++)
        {
            int end = Array.IndexOf(ids, SpecialTokens.EosId, row * steps, steps);
            bool ended = end >= 0;
            int produced = ended ? end - row * steps : steps;
            double logProbability = 0;
            for (int t = 0; t < produced + (ended ? 1 : 0); t++) logProbability += logProbs[row * steps + t];
            float[,]? rows = null;
            if (attention is not null)
            {
                rows = new float[produced, lengths[row]];
                for (int t = 0; t < produced; t++)
                    for (int s = 0; s < lengths[row]; s++)
                        rows[t, s] = attention[((long)row * steps + t) * sourceSteps + s];
            }
            int length = produced + (ended ? 1 : 0);
            result.Add(new Hypothesis(ids.AsSpan(row * steps, produced).ToArray(), logProbability,
                Models.BeamSearch.Normalise(logProbability, length, 1.0), ended, rows));
        }
        return result;
    }

    /// <summary>Beam-search state: the decoder state and the source memory, both with one row per beam.</summary>
    private sealed record BeamState(DecoderState Decoder, EncoderMemory Memory) : IMovableState
    {
        public BeamState Select(Tensor index) => new(Decoder.Select(index), Memory.Select(index));

        public void MoveToOuterDisposeScope()
        {
            foreach (var t in new[] { Decoder.Hidden, Decoder.Cell, Decoder.Feed, Memory.Outputs, Memory.Keys, Memory.Mask, Memory.Padding })
                t?.MoveToOuterDisposeScope();
        }
    }
}
