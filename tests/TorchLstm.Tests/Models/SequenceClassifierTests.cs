using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchLstm.Tests.Models.ModelTestHelpers;

namespace TorchLstm.Tests.Models;

public class SequenceClassifierTests
{
    private static readonly long[][] Sentences = [[5, 3, 9, 2], [7, 1], [4, 8, 6, 2, 11, 3]];

    private static Tensor Pad(long[][] sentences, int steps, int leading = 0)
    {
        var ids = new long[sentences.Length * steps];
        for (int row = 0; row < sentences.Length; row++)
            Array.Copy(sentences[row], 0, ids, row * steps + leading, sentences[row].Length);
        return torch.tensor(ids, [sentences.Length, steps]);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, false)]
    [InlineData(RecurrentCell.Lstm, true)]
    [InlineData(RecurrentCell.Gru, false)]
    [InlineData(RecurrentCell.Gru, true)]
    public void Extra_trailing_padding_does_not_change_the_logits(RecurrentCell cell, bool bidirectional)
    {
        torch.manual_seed(30);
        using var model = new SequenceClassifier(12, 6, 5, 3, cell, bidirectional, numLayers: 2);
        model.eval();
        using var scope = torch.NewDisposeScope();
        var tight = model.call(Pad(Sentences, 6));
        var padded = model.call(Pad(Sentences, 11));
        Assert.Equal([3L, 3L], tight.shape);
        Assert.True(MaxAbsDifference(tight, padded) < 1e-6);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, true)]
    [InlineData(RecurrentCell.Gru, false)]
    public void Leading_padding_as_keras_pads_is_ignored_too(RecurrentCell cell, bool bidirectional)
    {
        torch.manual_seed(31);
        using var model = new SequenceClassifier(12, 6, 5, 2, cell, bidirectional);
        model.eval();
        using var scope = torch.NewDisposeScope();
        var post = model.call(Pad(Sentences, 6));
        var pre = model.call(Pad(Sentences, 9, leading: 3));
        Assert.True(MaxAbsDifference(post, pre) < 1e-6);
    }

    /// <summary>
    /// For one unpadded sentence the classifier must equal the plain recipe: embed, run torch's
    /// bidirectional LSTM, take the last layer's forward output at the last step and backward output
    /// at the first step, then the head.
    /// </summary>
    [Fact]
    public void Bidirectional_features_are_the_forward_end_state_and_the_backward_end_state()
    {
        torch.manual_seed(32);
        using var model = new SequenceClassifier(12, 6, 5, 3, RecurrentCell.Lstm, bidirectional: true, numLayers: 2);
        model.eval();
        using var scope = torch.NewDisposeScope();
        var tokens = torch.tensor(Sentences[2], [1, Sentences[2].Length]);

        var embedded = Parameter(model, "embedding.weight").index_select(0, tokens.flatten()).unsqueeze(0);
        using var lstm = nn.LSTM(6, 5, numLayers: 2, batchFirst: true, bidirectional: true);
        CopyParameters(lstm, model, "rnn.");
        lstm.eval();
        var output = lstm.call(embedded).Item1;
        var features = torch.cat([output[0, -1].narrow(0, 0, 5), output[0, 0].narrow(0, 5, 5)]).unsqueeze(0);
        var expected = nn.functional.linear(features, Parameter(model, "head.weight"), Parameter(model, "head.bias"));

        Assert.True(MaxAbsDifference(model.call(tokens), expected) < 1e-6);
    }

    [Fact]
    public void Padding_embedding_is_zero_and_parameter_names_follow_torch()
    {
        using var model = new SequenceClassifier(10, 4, 3, 2, RecurrentCell.Gru, bidirectional: true);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(0f, Parameter(model, "embedding.weight")[0].abs().max().item<float>());
        string[] expected =
        [
            "embedding.weight",
            "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
            "rnn.weight_ih_l0_reverse", "rnn.weight_hh_l0_reverse", "rnn.bias_ih_l0_reverse", "rnn.bias_hh_l0_reverse",
            "head.weight", "head.bias",
        ];
        Assert.Equal(expected, model.named_parameters().Select(p => p.name).ToArray());
        Assert.Equal([2L, 6L], Parameter(model, "head.weight").shape);
        Assert.Equal(6, model.FeatureSize);
        Assert.Equal((10, 4, 3, 2, RecurrentCell.Gru, true, 1), (model.VocabSize, model.EmbeddingDim, model.HiddenSize, model.NumClasses, model.Cell, model.Bidirectional, model.NumLayers));
    }

    [Fact]
    public void Int32_ids_and_an_all_padding_row_are_accepted()
    {
        torch.manual_seed(33);
        using var model = new SequenceClassifier(12, 4, 3, 2);
        using var scope = torch.NewDisposeScope();
        var ids = torch.tensor(new int[] { 3, 4, 0, 0, 0, 0 }, [2, 3]);
        var logits = model.call(ids);
        Assert.Equal([2L, 2L], logits.shape);
        Assert.False(logits.isnan().any().item<bool>());
    }
}
