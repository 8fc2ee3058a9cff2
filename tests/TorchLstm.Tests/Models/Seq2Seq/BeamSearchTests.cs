using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Models.Seq2Seq;

/// <summary>
/// Beam search on a hand-built distribution where the greedy first choice leads to a poor
/// continuation: A (0.6) is followed by C (0.35), D (0.3), E (0.25) or the end (0.1), while B (0.4) is followed by the
/// end token at 0.99. Greedy gives A C &lt;eos&gt; (log P = ln 0.6 + ln 0.35); the better sequence is B &lt;eos&gt;.
/// </summary>
public class BeamSearchTests
{
    private const long Bos = 1, Eos = 2, A = 4, B = 5, C = 6, D = 7, E = 8;
    private const int Vocab = 9;

    private static Dictionary<long, double> Next(IReadOnlyList<long> prefix) => prefix switch
    {
        [] => new() { [A] = 0.6, [B] = 0.4 },
        [A] => new() { [C] = 0.35, [D] = 0.3, [E] = 0.25, [Eos] = 0.1 },
        [B] => new() { [Eos] = 0.99, [C] = 0.01 },
        _ => new() { [Eos] = 1.0 },
    };

    /// <summary>The state is the list of prefixes fed so far, one per live beam; reordering picks prefixes by index.</summary>
    private static List<Hypothesis> Search(int width, double lengthPenalty)
    {
        var initial = new List<List<long>> { new() };
        return BeamSearch.Run(
            initial,
            (previous, prefixes) =>
            {
                var tokens = previous.data<long>().ToArray();
                var logProbs = torch.full(prefixes.Count, Vocab, double.NegativeInfinity, ScalarType.Float64);
                var extended = new List<List<long>>();
                for (int k = 0; k < prefixes.Count; k++)
                {
                    // Like a decoder's state, the prefix absorbs the token it is fed.
                    var prefix = tokens[k] == Bos ? prefixes[k] : [.. prefixes[k], tokens[k]];
                    foreach (var (token, p) in Next(prefix))
                        logProbs[k, token] = Math.Log(p);
                    extended.Add(prefix);
                }
                return new BeamSearch.StepResult<List<List<long>>>(logProbs, null, extended);
            },
            (prefixes, parents) => parents.data<long>().ToArray()
                .Select(p => prefixes[(int)p].ToList()).ToList(),
            Bos, Eos, width, maxLength: 10, lengthPenalty, sourceLength: 0)
            .ToList();
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Width_two_finds_the_higher_scoring_sequence_greedy_misses(double lengthPenalty)
    {
        var greedy = Search(width: 1, lengthPenalty)[0];
        Assert.Equal([A, C], greedy.Tokens);
        Assert.Equal(Math.Log(0.6) + Math.Log(0.35), greedy.LogProbability, 9);

        var beam = Search(width: 2, lengthPenalty);
        Assert.Equal([B], beam[0].Tokens);
        Assert.True(beam[0].Ended);
        double logP = Math.Log(0.4) + Math.Log(0.99);
        Assert.Equal(logP, beam[0].LogProbability, 9);
        Assert.Equal(logP / Math.Pow(2, lengthPenalty), beam[0].Score, 9);
        Assert.True(beam[0].Score > greedy.Score);
    }

    [Fact]
    public void Length_normalisation_divides_the_log_probability_by_the_length_end_token_included()
    {
        // Width 3 also finishes a three-token output (A C <eos>); α = 1 divides its log-probability by 3.
        var raw = Search(width: 3, lengthPenalty: 0);
        var normalised = Search(width: 3, lengthPenalty: 1);
        var longRaw = raw.First(h => h.Tokens.Length == 2);
        var longNormalised = normalised.First(h => h.Tokens.Length == 2);
        Assert.Equal(longRaw.LogProbability / 3, longNormalised.Score, 9);
        Assert.True(longNormalised.Score > longRaw.Score);
        Assert.All(normalised, h => Assert.True(h.Ended));
    }

    [Fact]
    public void Search_stops_at_the_maximum_length_without_an_end_token()
    {
        var hypotheses = BeamSearch.Run(
            0,
            (previous, state) => new BeamSearch.StepResult<int>(
                torch.tensor(new double[] { -9, -9, -9, -9, 5, 0, 0, 0, 0 }).repeat(previous.shape[0], 1).log_softmax(1), null, state),
            (state, _) => state, Bos, Eos, width: 2, maxLength: 3, lengthPenalty: 1, sourceLength: 0);
        Assert.Equal([A, A, A], hypotheses[0].Tokens);
        Assert.False(hypotheses[0].Ended);
    }
}
