using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchLstm.Tests.Models.ModelTestHelpers;

namespace TorchLstm.Tests.Models;

public class StackedRecurrentTests
{
    private static StackedRecurrent Create(RecurrentCell cell, int inputSize, int[] hidden, int output, double dropout = 0, bool returnSequences = false) => cell switch
    {
        RecurrentCell.Lstm => new StackedLstm(inputSize, hidden, output, dropout, returnSequences),
        RecurrentCell.Gru => new StackedGru(inputSize, hidden, output, dropout, returnSequences),
        _ => new StackedRnn(inputSize, hidden, output, dropout, returnSequences),
    };

    [Theory]
    [InlineData(RecurrentCell.Lstm, false)]
    [InlineData(RecurrentCell.Lstm, true)]
    [InlineData(RecurrentCell.Gru, false)]
    [InlineData(RecurrentCell.Gru, true)]
    [InlineData(RecurrentCell.Rnn, false)]
    [InlineData(RecurrentCell.Rnn, true)]
    public void Output_shape_is_batch_by_output_or_batch_by_time_by_output(RecurrentCell cell, bool returnSequences)
    {
        torch.manual_seed(1);
        using var model = Create(cell, 3, [6, 5], 2, returnSequences: returnSequences);
        using var input = torch.randn(4, 7, 3);
        using var output = model.call(input);
        long[] expected = returnSequences ? [4, 7, 2] : [4, 2];
        Assert.Equal(expected, output.shape);
        Assert.Equal(cell, model.Cell);
        Assert.Equal(3, model.InputSize);
        Assert.Equal([6, 5], model.HiddenSizes);
        Assert.Equal(2, model.OutputSize);
        Assert.Equal(5, model.FeatureSize);
        Assert.Equal(returnSequences, model.ReturnSequences);
        Assert.False(model.Bidirectional);
    }

    [Fact]
    public void Many_to_one_output_equals_the_head_applied_to_the_last_step_of_the_sequence_output()
    {
        torch.manual_seed(2);
        using var oneStep = new StackedGru(2, [4], 3);
        using var everyStep = new StackedGru(2, [4], 3, returnSequences: true);
        everyStep.load_state_dict(oneStep.state_dict());
        using var input = torch.randn(5, 6, 2);
        using var last = oneStep.call(input);
        using var all = everyStep.call(input);
        using var lastOfAll = all.select(1, 5);
        Assert.True(MaxAbsDifference(last, lastOfAll) < 1e-6);
    }

    [Fact]
    public void Parameter_names_follow_torch_layer_by_layer()
    {
        using var model = new StackedLstm(3, [6, 5], 1);
        string[] expected =
        [
            "layers.0.weight_ih_l0", "layers.0.weight_hh_l0", "layers.0.bias_ih_l0", "layers.0.bias_hh_l0",
            "layers.1.weight_ih_l0", "layers.1.weight_hh_l0", "layers.1.bias_ih_l0", "layers.1.bias_hh_l0",
            "head.weight", "head.bias",
        ];
        Assert.Equal(expected, model.named_parameters().Select(p => p.name).ToArray());
        Assert.Equal([24L, 3L], Parameter(model, "layers.0.weight_ih_l0").shape);
        Assert.Equal([20L, 6L], Parameter(model, "layers.1.weight_ih_l0").shape);
        Assert.Equal([1L, 5L], Parameter(model, "head.weight").shape);
    }

    // Keras counts one bias per gate for LSTM and SimpleRNN; torch keeps bias_ih and bias_hh, adding
    // gates × hidden per layer. Keras's default GRU (reset_after=True) already keeps two biases.
    [Theory]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    [InlineData(RecurrentCell.Rnn)]
    public void Parameter_count_equals_the_keras_formula_plus_torchs_second_bias(RecurrentCell cell)
    {
        int[] hidden = [6, 5];
        int input = 3, output = 2;
        using var model = Create(cell, input, hidden, output);
        long keras = 0, torchExtra = 0;
        int layerInput = input;
        foreach (int h in hidden)
        {
            keras += cell switch
            {
                RecurrentCell.Lstm => 4 * (h * (layerInput + h) + h),
                RecurrentCell.Gru => 3 * (h * (layerInput + h) + 2 * h),
                _ => h * (layerInput + h) + h,
            };
            torchExtra += cell switch
            {
                RecurrentCell.Lstm => 4 * h,
                RecurrentCell.Gru => 0,
                _ => h,
            };
            layerInput = h;
        }
        keras += layerInput * output + output;
        Assert.Equal(keras + torchExtra, ParameterCount(model));
    }

    [Fact]
    public void Dropout_changes_outputs_in_training_and_not_in_evaluation()
    {
        torch.manual_seed(3);
        using var model = new StackedLstm(2, [8, 8], 1, dropout: 0.5);
        using var input = torch.randn(6, 5, 2);

        model.train();
        using var first = model.call(input);
        using var second = model.call(input);
        Assert.True(MaxAbsDifference(first, second) > 1e-4);

        model.eval();
        using var third = model.call(input);
        using var fourth = model.call(input);
        Assert.Equal(0.0, MaxAbsDifference(third, fourth));
    }

    [Fact]
    public void Dropout_is_applied_before_the_head_even_with_a_single_layer()
    {
        torch.manual_seed(4);
        using var model = new StackedRnn(2, [16], 1, dropout: 0.5);
        using var input = torch.randn(6, 5, 2);
        model.train();
        using var first = model.call(input);
        using var second = model.call(input);
        Assert.True(MaxAbsDifference(first, second) > 1e-4);
    }

    [Fact]
    public void Forward_leaves_no_tensors_behind_but_its_result()
    {
        torch.manual_seed(5);
        using var model = new BidirectionalRnn(RecurrentCell.Lstm, 2, [4, 3], 1, dropout: 0.2, merge: MergeMode.Sum);
        using var input = torch.randn(3, 4, 2);
        using var scope = torch.NewDisposeScope();
        using var output = model.call(input);
        Assert.Equal(1, scope.DisposablesCount);
    }
}
