using TorchLstm.Export;
using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>
/// The exported seq2seq module rejects malformed inputs with a readable message, as the C# model does,
/// and the single-step cell emitters reproduce TorchSharp's cells.
/// </summary>
public sealed class Seq2SeqExportGuardTests : IClassFixture<Seq2SeqExportGuardTests.ExportedModel>
{
    private readonly ExportedModel _exported;

    public Seq2SeqExportGuardTests(ExportedModel exported) => _exported = exported;

    /// <summary>One tiny exported model (source vocabulary 11, target vocabulary 9), loaded in TorchSharp.</summary>
    public sealed class ExportedModel : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), $"torchlstm-seq2seq-guards-{Guid.NewGuid():N}.pt");

        public ExportedModel()
        {
            torch.manual_seed(31);
            using var model = new Seq2SeqAttention(Seq2SeqExportCases.Get("gru_dot").Options);
            TorchScript.Save(model, _path);
            Loaded = torch.jit.load(_path);
            Loaded.eval();
        }

        public jit.ScriptModule Loaded { get; }

        public void Dispose()
        {
            Loaded.Dispose();
            File.Delete(_path);
        }
    }

    private static Tensor Ids(long[,] rows) => torch.tensor(rows);

    private string GreedyError(Tensor source, long maxLength = 5) =>
        Assert.ThrowsAny<Exception>(() => _exported.Loaded.invoke("greedy", source, maxLength)).Message;

    private string ForwardError(Tensor source, Tensor target) =>
        Assert.ThrowsAny<Exception>(() => _exported.Loaded.invoke("forward", source, target)).Message;

    [Fact]
    public void Greedy_rejects_malformed_sources_with_what_is_accepted()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Contains("expects source ids shaped (batch, sourceLength)", GreedyError(torch.tensor(new long[] { 4, 5 })));
        Assert.Contains("integer dtype", GreedyError(torch.ones(2, 3)));
        Assert.Contains("must lie in [0, 11)", GreedyError(Ids(new long[,] { { 4, 11 } })));
        Assert.Contains("must lie in [0, 11)", GreedyError(Ids(new long[,] { { 4, -1 } })));
        Assert.Contains("all padding", GreedyError(Ids(new long[,] { { 4, 5 }, { 0, 0 } })));
        Assert.Contains("pad sources at the end only", GreedyError(Ids(new long[,] { { 0, 5, 6 } })));
        Assert.Contains("pad sources at the end only", GreedyError(Ids(new long[,] { { 4, 0, 6 } })));
        Assert.Contains("max_length must be 1 or more", GreedyError(Ids(new long[,] { { 4, 5 } }), 0));

        // A well-formed call with int32 ids works and decodes at most max_length steps.
        var ids = ExportCases.Flatten(_exported.Loaded.invoke("greedy", Ids(new long[,] { { 4, 5, 0 } }).to(ScalarType.Int32), 1L))[0];
        Assert.Equal([1L, 1L], ids.shape);
    }

    [Fact]
    public void Forward_rejects_malformed_source_and_target_ids_with_what_is_accepted()
    {
        using var scope = torch.NewDisposeScope();
        var source = Ids(new long[,] { { 4, 5 } });
        var target = Ids(new long[,] { { 6, 2 } });
        Assert.Equal([1L, 2L, 9L], ExportCases.Flatten(_exported.Loaded.invoke("forward", source, target.to(ScalarType.Int32)))[0].shape);

        Assert.Contains("expects source ids shaped (batch, sourceLength)", ForwardError(torch.tensor(new long[] { 4, 5 }), target));
        Assert.Contains("expects target ids shaped (batch, targetLength)", ForwardError(source, torch.tensor(new long[] { 6, 2 })));
        Assert.Contains("needs one target per source", ForwardError(source, Ids(new long[,] { { 6, 2 }, { 6, 2 } })));
        Assert.Contains("integer dtype", ForwardError(source.to(ScalarType.Float32), target));
        Assert.Contains("integer dtype", ForwardError(source, target.to(ScalarType.Float32)));
        Assert.Contains("pad sources at the end only", ForwardError(Ids(new long[,] { { 0, 5 } }), target));
        Assert.Contains("target ids must lie in [0, 9)", ForwardError(source, Ids(new long[,] { { 6, 9 } })));
    }

    private static (Tensor Expected, Tensor Actual) RunBoth(nn.Module cell, jit.ScriptModule loaded, Tensor input, Tensor hidden)
    {
        switch (cell)
        {
            case TorchSharp.Modules.LSTMCell lstm:
                // TorchSharp passes no tuple state to a script (the seq2seq decoder passes one), so both
                // start from zeros; TorchSharp's own cell needs the zeros spelled out.
                var (h, c) = lstm.call(input, (torch.zeros_like(hidden), torch.zeros_like(hidden)));
                return (torch.cat([h, c], 1), torch.cat(ExportCases.Flatten(loaded.call(input)), 1));
            case TorchSharp.Modules.GRUCell gru:
                return (gru.call(input, hidden), ExportCases.Flatten(loaded.call(input, hidden))[0]);
            case TorchSharp.Modules.RNNCell rnn:
                return (rnn.call(input, hidden), ExportCases.Flatten(loaded.call(input, hidden))[0]);
            default:
                throw new InvalidOperationException(cell.GetType().Name);
        }
    }

    public static TheoryData<string> Cells() => ["lstm", "gru", "rnn_tanh", "rnn_relu", "lstm_no_bias", "gru_no_bias"];

    [Theory]
    [MemberData(nameof(Cells))]
    public void Cell_emitters_reproduce_TorchSharp_cells_within_1e6(string kind)
    {
        torch.manual_seed(41);
        nn.Module cell = kind switch
        {
            "lstm" => nn.LSTMCell(3, 4),
            "gru" => nn.GRUCell(3, 4),
            "rnn_tanh" => nn.RNNCell(3, 4),
            "rnn_relu" => nn.RNNCell(3, 4, nn.NonLinearities.ReLU),
            "lstm_no_bias" => nn.LSTMCell(3, 4, bias: false),
            _ => nn.GRUCell(3, 4, bias: false),
        };
        string path = Path.Combine(Path.GetTempPath(), $"torchlstm-cell-{Guid.NewGuid():N}.pt");
        try
        {
            TorchScript.Save(cell, path);
            using var loaded = torch.jit.load(path);
            loaded.eval();
            Assert.Equal(cell.named_parameters().Select(p => p.name), loaded.named_parameters().Select(p => p.name));
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var input = torch.randn(5, 3, generator: new Generator(5));
            var hidden = torch.randn(5, 4, generator: new Generator(6));
            var (expected, actual) = RunBoth(cell, loaded, input, hidden);
            Assert.True(ExportCases.MaxAbsDifference(expected, actual) <= 1e-6, $"{kind}: {ExportCases.MaxAbsDifference(expected, actual)}");
            // A ReLU cell clamps at zero where tanh would go negative: the detected op matters.
            if (kind == "rnn_relu") Assert.True(actual.min().item<float>() >= 0);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
