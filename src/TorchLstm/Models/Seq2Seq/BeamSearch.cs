using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>A decoded output sequence.</summary>
/// <param name="Tokens">Target ids produced, without the start token and without the end token.</param>
/// <param name="LogProbability">Sum of the log-probabilities of the produced tokens, the end token included when it was produced.</param>
/// <param name="Score">
/// <see cref="LogProbability"/> divided by (length)^lengthPenalty, where length counts the end token;
/// beam search ranks hypotheses by it (greedy decoding uses a penalty of 1: the mean log-probability).
/// </param>
/// <param name="Ended">Whether the end token was produced (false when the maximum length cut the sequence).</param>
/// <param name="Attention">
/// Attention weights, one row per produced token (end token excluded), one column per real source
/// token (padding excluded); null for a model without attention.
/// </param>
public sealed record Hypothesis(long[] Tokens, double LogProbability, double Score, bool Ended, float[,]? Attention);

/// <summary>
/// Beam search over any step function, so the algorithm can be checked on a hand-built distribution as
/// well as run on the model.
/// </summary>
internal static class BeamSearch
{
    /// <summary>What one decoding step returns for k live beams.</summary>
    internal readonly record struct StepResult<TState>(Tensor LogProbabilities, Tensor? Attention, TState Next);

    /// <summary>
    /// Searches from a single start token. Each step extends every live beam by every token, keeps the
    /// best candidates by total log-probability, and retires a candidate ending in <paramref name="endId"/>
    /// when it ranks among the best <paramref name="width"/>; the search stops once <paramref name="width"/>
    /// hypotheses have ended or after <paramref name="maxLength"/> steps.
    /// </summary>
    /// <param name="initial">State for one beam (batch dimension 1).</param>
    /// <param name="step">Log-probabilities (k, vocab) and optional attention (k, sourceLength) for the last tokens (k) of k beams.</param>
    /// <param name="select">Reorders/duplicates a state's rows by beam index (int64 tensor).</param>
    /// <param name="startId">Token the first step is fed.</param>
    /// <param name="endId">Token that ends a hypothesis.</param>
    /// <param name="width">Beams kept.</param>
    /// <param name="maxLength">Most steps.</param>
    /// <param name="lengthPenalty">Exponent α of the length normalisation of the final scores.</param>
    /// <param name="sourceLength">Attention columns kept (the real source tokens).</param>
    /// <returns>Hypotheses, best <see cref="Hypothesis.Score"/> first; the attention keeps <paramref name="sourceLength"/> columns.</returns>
    internal static List<Hypothesis> Run<TState>(
        TState initial, Func<Tensor, TState, StepResult<TState>> step, Func<TState, Tensor, TState> select,
        long startId, long endId, int width, int maxLength, double lengthPenalty, int sourceLength)
    {
        var live = new List<Beam> { new([], 0, []) };
        var ended = new List<Hypothesis>();
        var state = initial;
        for (int t = 0; t < maxLength && ended.Count < width && live.Count > 0; t++)
        {
            using var scope = NewDisposeScope();
            var previous = tensor(live.Select(b => b.Tokens.Count == 0 ? startId : b.Tokens[^1]).ToArray());
            var result = step(previous, state);
            long vocab = result.LogProbabilities.shape[1];
            var totals = result.LogProbabilities.to(ScalarType.Float64) + tensor(live.Select(b => b.LogProbability).ToArray()).unsqueeze(1);
            // 2 × width candidates always leave width live ones even if every ended candidate is among them.
            int candidates = (int)Math.Min(2L * width, totals.numel());
            var (values, indices) = totals.reshape(-1).topk(candidates);
            double[] scores = values.cpu().data<double>().ToArray();
            long[] flat = indices.cpu().data<long>().ToArray();
            float[]? attention = result.Attention?.to(ScalarType.Float32).cpu().data<float>().ToArray();
            long columns = result.Attention?.shape[1] ?? 0;

            var next = new List<Beam>(width);
            var parents = new List<long>(width);
            for (int rank = 0; rank < candidates && next.Count < width; rank++)
            {
                int parent = (int)(flat[rank] / vocab);
                long token = flat[rank] % vocab;
                var rows = live[parent].Attention;
                if (attention is not null)
                    rows = [.. rows, attention.AsSpan((int)(parent * columns), sourceLength).ToArray()];
                if (token == endId)
                {
                    // Only an end that ranks among the best width candidates is a hypothesis the search would keep.
                    if (rank < width)
                        ended.Add(Finish(live[parent].Tokens, scores[rank], true, live[parent].Attention, lengthPenalty, sourceLength, attention is not null));
                    continue;
                }
                next.Add(new Beam([.. live[parent].Tokens, token], scores[rank], rows));
                parents.Add(parent);
            }
            live = next;
            if (live.Count > 0 && ended.Count < width)
            {
                state = select(result.Next, tensor(parents.ToArray()));
                // The selected state must survive this step's scope; everything else the step made is released.
                MoveStateOut(state);
            }
        }
        if (ended.Count == 0)
            ended.AddRange(live.Select(b => Finish(b.Tokens, b.LogProbability, false, b.Attention, lengthPenalty, sourceLength, b.Attention.Count > 0 || b.Tokens.Count == 0)));
        return [.. ended.OrderByDescending(h => h.Score)];
    }

    /// <summary>Length-normalised score; the length counts the end token when there is one.</summary>
    internal static double Normalise(double logProbability, int length, double lengthPenalty) =>
        lengthPenalty == 0 || length == 0 ? logProbability : logProbability / Math.Pow(length, lengthPenalty);

    private static Hypothesis Finish(List<long> tokens, double logProbability, bool endedWithEnd, List<float[]> rows,
        double lengthPenalty, int sourceLength, bool hasAttention)
    {
        float[,]? attention = null;
        if (hasAttention)
        {
            attention = new float[tokens.Count, sourceLength];
            for (int r = 0; r < tokens.Count; r++)
                for (int c = 0; c < sourceLength; c++)
                    attention[r, c] = rows[r][c];
        }
        int length = tokens.Count + (endedWithEnd ? 1 : 0);
        return new Hypothesis([.. tokens], logProbability, Normalise(logProbability, length, lengthPenalty), endedWithEnd, attention);
    }

    private static void MoveStateOut<TState>(TState state)
    {
        switch (state)
        {
            case Tensor t:
                t.MoveToOuterDisposeScope();
                break;
            case IMovableState movable:
                movable.MoveToOuterDisposeScope();
                break;
        }
    }

    private sealed record Beam(List<long> Tokens, double LogProbability, List<float[]> Attention);
}

/// <summary>A beam-search state made of tensors that must outlive one step's dispose scope.</summary>
internal interface IMovableState
{
    /// <summary>Moves every tensor of the state to the enclosing dispose scope.</summary>
    void MoveToOuterDisposeScope();
}
