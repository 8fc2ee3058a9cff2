using TorchLstm.Data.Text;
using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>
/// Seq2SeqAttention exported with the default emitters: TorchSharp's and PyTorch 1.13's torch.jit.load
/// reproduce the C# teacher-forced logits and greedy decoding (same tokens, same attention).
/// </summary>
public sealed class Seq2SeqRoundTripTests : IClassFixture<Seq2SeqExports>
{
    private readonly Seq2SeqExports _exported;

    public Seq2SeqRoundTripTests(Seq2SeqExports exported) => _exported = exported;

    private static Tensor Logits(Seq2SeqAttention model, Tensor source, Tensor target)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        return model.call(Seq2SeqAttention.PackInputs(source, target));
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        double difference = ExportCases.MaxAbsDifference(expected, actual);
        Assert.True(difference <= tolerance, $"{what}: max |diff| {difference} > {tolerance}");
    }

    /// <summary>
    /// The scripted greedy output against C#'s hypotheses: the same tokens, then the end token where the
    /// hypothesis ended, then padding; as many steps as C# decoded; attention equal on real source
    /// tokens and zero at source padding and after the end token.
    /// </summary>
    internal static void AssertSameGreedy(Seq2SeqAttention model, Tensor source, int maxLength, Tensor ids, Tensor attention, double tolerance, string what)
    {
        var hypotheses = model.Greedy(source, maxLength);
        int steps = hypotheses.Max(h => h.Ended ? h.Tokens.Length + 1 : maxLength);
        long sourceSteps = source.shape[1];
        Assert.Equal([source.shape[0], steps], ids.shape);
        bool attends = model.Options.Attention != AttentionKind.None;
        Assert.Equal([source.shape[0], steps, attends ? sourceSteps : 0], attention.shape);
        long[] lengths = source.ne(0).sum(1).data<long>().ToArray();
        for (int row = 0; row < hypotheses.Count; row++)
        {
            var hypothesis = hypotheses[row];
            int produced = hypothesis.Tokens.Length;
            var expected = new long[steps];
            hypothesis.Tokens.CopyTo(expected, 0);
            if (hypothesis.Ended) expected[produced] = SpecialTokens.EosId;
            Assert.Equal(expected, ids[row].to(ScalarType.Int64).data<long>().ToArray());
            if (!attends) continue;
            var actual = attention[row];
            for (int t = 0; t < produced; t++)
                for (int s = 0; s < lengths[row]; s++)
                    Assert.True(Math.Abs(hypothesis.Attention![t, s] - actual[t, s].item<float>()) <= tolerance,
                        $"{what}: attention row {row} step {t} source {s}: {hypothesis.Attention[t, s]} vs {actual[t, s].item<float>()}");
            Assert.Equal(0f, actual.narrow(1, lengths[row], sourceSteps - lengths[row]).abs().sum().item<float>());
            int afterEnd = hypothesis.Ended ? produced + 1 : steps;
            Assert.Equal(0f, actual.narrow(0, afterEnd, steps - afterEnd).abs().sum().item<float>());
            if (hypothesis.Ended) Assert.Equal(1f, actual[produced].sum().item<float>(), 5);
        }
    }

    [Theory]
    [MemberData(nameof(Seq2SeqExportCases.Names), MemberType = typeof(Seq2SeqExportCases))]
    public void TorchSharp_jit_load_reproduces_logits_within_1e6_and_greedy_decoding_exactly(string name)
    {
        var (model, batches, path) = _exported.Models[name];
        using var loaded = torch.jit.load(path);
        loaded.eval();
        Assert.Equal(model.state_dict().Keys, loaded.state_dict().Keys);
        Assert.Equal(model.named_parameters().Select(p => p.name), loaded.named_parameters().Select(p => p.name));
        foreach (var (source, target) in batches)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            string what = $"{name}, source [{string.Join(",", source.shape)}]";
            AssertClose(Logits(model, source, target), ExportCases.Flatten(loaded.call(Seq2SeqAttention.PackInputs(source, target)))[0], 1e-6, what);
            var greedy = ExportCases.Flatten(loaded.invoke("greedy", source, (long)Seq2SeqExportCase.MaxLength));
            AssertSameGreedy(model, source, Seq2SeqExportCase.MaxLength, greedy[0], greedy[1], 1e-6, what);
        }
    }

    [Theory]
    [MemberData(nameof(Seq2SeqExportCases.Names), MemberType = typeof(Seq2SeqExportCases))]
    public void PyTorch_jit_load_reproduces_logits_within_1e5_and_greedy_decoding_exactly(string name)
    {
        var pythonOutputs = _exported.Python.Outputs[name];
        var (model, batches, _) = _exported.Models[name];
        for (int k = 0; k < batches.Length; k++)
        {
            using var scope = torch.NewDisposeScope();
            var (source, target) = batches[k];
            var python = pythonOutputs[k];
            string what = $"{name} in PyTorch, batch {k}";
            AssertClose(Logits(model, source, target), python[0], 1e-5, what);
            AssertSameGreedy(model, source, Seq2SeqExportCase.MaxLength, python[1], python[2], 1e-5, what);
        }
    }

    [Fact]
    public void The_cases_cover_rows_ending_early_ending_last_and_never_ending()
    {
        int early = 0, last = 0, never = 0;
        foreach (var (model, batches, _) in _exported.Models.Values)
        {
            foreach (var (source, _) in batches)
            {
                var hypotheses = model.Greedy(source, Seq2SeqExportCase.MaxLength);
                int steps = hypotheses.Max(h => h.Ended ? h.Tokens.Length + 1 : Seq2SeqExportCase.MaxLength);
                early += hypotheses.Count(h => h.Ended && h.Tokens.Length + 1 < steps);
                last += hypotheses.Count(h => h.Ended && h.Tokens.Length + 1 == steps);
                never += hypotheses.Count(h => !h.Ended);
            }
        }
        Assert.True(early > 0 && last > 0 && never > 0, $"rows ending early {early}, at the last step {last}, never {never}");
    }

    private IReadOnlyList<string> Translations()
    {
        var translator = _exported.Translator;
        return translator.Translate(Seq2SeqExports.Pairs.Select(p => p.Source).ToList(), maxLength: Seq2SeqExports.TranslatorMaxLength)
            .Select(t => t.Text).ToList();
    }

    [Fact]
    public void A_trained_translator_exported_and_decoded_in_TorchSharp_gives_the_same_strings()
    {
        var translator = _exported.Translator;
        var translations = Translations();
        // The model learned the pairs, so the comparison is between real date strings.
        Assert.Equal(Seq2SeqExports.Pairs.Select(p => p.Target), translations);

        using var loaded = torch.jit.load(_exported.TranslatorPath);
        using var scope = torch.NewDisposeScope();
        var sources = translator.SourceVocabulary.EncodeBatch(Seq2SeqExports.Pairs.Select(p => p.Source).ToList());
        var ids = ExportCases.Flatten(loaded.invoke("greedy", sources, (long)Seq2SeqExports.TranslatorMaxLength))[0];
        Assert.Equal(translations, translator.TargetVocabulary.DecodeBatch(ids));
    }

    [Fact]
    public void A_trained_translator_exported_and_decoded_in_Python_gives_the_same_strings()
    {
        var fromPython = _exported.Python.Translations;
        var translations = Translations();
        Assert.Equal(Seq2SeqExports.Pairs.Select(p => p.Target), translations);
        Assert.Equal(translations, fromPython);
    }
}
