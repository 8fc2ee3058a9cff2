using TorchLstm.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchLstm.Tests.Models.ModelTestHelpers;

namespace TorchLstm.Tests.Models;

public class BidirectionalRnnTests
{
    [Theory]
    [InlineData(MergeMode.Concat, 8)]
    [InlineData(MergeMode.Sum, 4)]
    [InlineData(MergeMode.Average, 4)]
    [InlineData(MergeMode.Multiply, 4)]
    public void Merged_width_reaches_the_next_layer_and_the_head(MergeMode merge, int featureSize)
    {
        torch.manual_seed(10);
        using var model = new BidirectionalRnn(RecurrentCell.Gru, 3, [5, 4], 2, merge: merge, returnSequences: true);
        Assert.Equal(featureSize, model.FeatureSize);
        Assert.True(model.Bidirectional);
        Assert.Equal(merge, model.Merge);
        // The second layer reads the first layer's merged width: 10 for concat, else 5.
        long secondInput = merge == MergeMode.Concat ? 10 : 5;
        Assert.Equal([12L, secondInput], Parameter(model, "layers.1.weight_ih_l0_reverse").shape);
        Assert.Equal([2L, (long)featureSize], Parameter(model, "head.weight").shape);

        using var input = torch.randn(2, 6, 3);
        using var output = model.call(input);
        Assert.Equal([2L, 6L, 2L], output.shape);
    }

    /// <summary>
    /// Rebuilds each direction from plain unidirectional torch layers with the model's weights: the
    /// backward direction is the forward recurrence run on the time-reversed input, then reversed back.
    /// </summary>
    [Theory]
    [InlineData(RecurrentCell.Lstm, MergeMode.Concat)]
    [InlineData(RecurrentCell.Lstm, MergeMode.Sum)]
    [InlineData(RecurrentCell.Gru, MergeMode.Average)]
    [InlineData(RecurrentCell.Rnn, MergeMode.Multiply)]
    public void Merge_combines_the_forward_pass_with_a_hand_run_reverse_pass(RecurrentCell cell, MergeMode merge)
    {
        torch.manual_seed(11);
        const int hidden = 4;
        using var everyStep = new BidirectionalRnn(cell, 3, [hidden], 2, merge: merge, returnSequences: true);
        using var finalOnly = new BidirectionalRnn(cell, 3, [hidden], 2, merge: merge);
        finalOnly.load_state_dict(everyStep.state_dict());
        using var input = torch.randn(3, 5, 3);
        using var scope = torch.NewDisposeScope();

        var forward = RunUnidirectional(cell, everyStep, input, "");
        var backward = RunUnidirectional(cell, everyStep, input.flip(1), "_reverse").flip(1);
        Tensor Combine(Tensor f, Tensor b) => merge switch
        {
            MergeMode.Concat => torch.cat([f, b], -1),
            MergeMode.Sum => f + b,
            MergeMode.Average => (f + b) / 2,
            _ => f * b,
        };
        var weight = Parameter(everyStep, "head.weight");
        var bias = Parameter(everyStep, "head.bias");

        var expectedSequence = nn.functional.linear(Combine(forward, backward), weight, bias);
        Assert.True(MaxAbsDifference(everyStep.call(input), expectedSequence) < 1e-5);

        // Keras semantics: forward at the last step, backward where its pass ends (the first step).
        var expectedFinal = nn.functional.linear(Combine(forward.select(1, 4), backward.select(1, 0)), weight, bias);
        Assert.True(MaxAbsDifference(finalOnly.call(input), expectedFinal) < 1e-5);
    }

    private static Tensor RunUnidirectional(RecurrentCell cell, nn.Module model, Tensor input, string suffix)
    {
        switch (cell)
        {
            case RecurrentCell.Lstm:
                {
                    using var lstm = nn.LSTM(3, 4, batchFirst: true);
                    CopyParameters(lstm, model, "layers.0.", suffix);
                    return lstm.call(input).Item1;
                }
            case RecurrentCell.Gru:
                {
                    using var gru = nn.GRU(3, 4, batchFirst: true);
                    CopyParameters(gru, model, "layers.0.", suffix);
                    return gru.call(input).Item1;
                }
            default:
                {
                    using var rnn = nn.RNN(3, 4, batchFirst: true);
                    CopyParameters(rnn, model, "layers.0.", suffix);
                    return rnn.call(input).Item1;
                }
        }
    }
}
