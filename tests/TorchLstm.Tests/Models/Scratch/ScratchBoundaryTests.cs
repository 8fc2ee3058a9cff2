using TorchLstm.Models;
using TorchSharp;
using static TorchLstm.Tests.Models.Scratch.CrossCheck;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Models.Scratch;

/// <summary>Input validation, structure properties and dropout between layers.</summary>
public sealed class ScratchBoundaryTests
{
    [Fact]
    public void Wrong_rank_is_rejected_with_expected_and_actual_shapes()
    {
        using var scope = torch.NewDisposeScope();
        var lstm = new ScratchLstm(3, 4, batchFirst: true);
        var error = Assert.Throws<ArgumentException>(() => lstm.forward(torch.randn(2, 5, 3, 1)));
        Assert.Equal("input", error.ParamName);
        Assert.Contains("(batch, seq, features)", error.Message);
        Assert.Contains("[2, 5, 3, 1]", error.Message);
    }

    [Fact]
    public void Wrong_input_size_is_rejected_naming_both_sizes()
    {
        using var scope = torch.NewDisposeScope();
        var gru = new ScratchGru(3, 4);
        var error = Assert.Throws<ArgumentException>(() => gru.forward(torch.randn(5, 2, 7)));
        Assert.Contains("7 features", error.Message);
        Assert.Contains("input size 3", error.Message);
    }

    [Fact]
    public void Wrong_initial_state_shape_is_rejected()
    {
        using var scope = torch.NewDisposeScope();
        var lstm = new ScratchLstm(3, 4, numLayers: 2);
        Tensor good = torch.zeros(2, 5, 4);
        var error = Assert.Throws<ArgumentException>(() => lstm.forward(torch.randn(6, 5, 3), (good, torch.zeros(1, 5, 4))));
        Assert.Equal("c0", error.ParamName);
        Assert.Contains("[2, 5, 4]", error.Message);
        Assert.Contains("[1, 5, 4]", error.Message);

        var gru = new ScratchGru(3, 4, bidirectional: true);
        var gruError = Assert.Throws<ArgumentException>(() => gru.forward(torch.randn(6, 5, 3), torch.zeros(1, 5, 4)));
        Assert.Equal("h0", gruError.ParamName);
        Assert.Contains("[2, 5, 4]", gruError.Message);
    }

    [Fact]
    public void Dtype_mismatch_is_rejected_before_native_code()
    {
        using var scope = torch.NewDisposeScope();
        var lstm = new ScratchLstm(3, 4);
        var error = Assert.Throws<ArgumentException>(() => lstm.forward(torch.randn(5, 2, 3, ScalarType.Float64)));
        Assert.Contains("Float64", error.Message);
        Assert.Contains("Float32", error.Message);
    }

    [Theory]
    [InlineData(0, 4, 1, 0.0, "inputSize")]
    [InlineData(3, 0, 1, 0.0, "hiddenSize")]
    [InlineData(3, 4, 0, 0.0, "numLayers")]
    [InlineData(3, 4, 2, 1.5, "dropout")]
    [InlineData(3, 4, 2, double.NaN, "dropout")]
    public void Nonsense_hyper_parameters_are_rejected(long inputSize, long hidden, long layers, double dropout, string paramName)
    {
        var lstmError = Assert.Throws<ArgumentOutOfRangeException>(() => new ScratchLstm(inputSize, hidden, layers, dropout: dropout));
        Assert.Equal(paramName, lstmError.ParamName);
        var gruError = Assert.Throws<ArgumentOutOfRangeException>(() => new ScratchGru(inputSize, hidden, layers, dropout: dropout));
        Assert.Equal(paramName, gruError.ParamName);
    }

    [Fact]
    public void Structure_is_readable_from_properties()
    {
        using var scope = torch.NewDisposeScope();
        var lstm = new ScratchLstm(3, 4, numLayers: 2, bias: false, batchFirst: true, dropout: 0.25, bidirectional: true,
            variant: new ScratchLstmVariant(Peepholes: true));
        Assert.Equal((3L, 4L, 2L, false, true, 0.25, true, 2), (lstm.InputSize, lstm.HiddenSize, lstm.NumLayers, lstm.Bias,
            lstm.BatchFirst, lstm.Dropout, lstm.Bidirectional, lstm.NumDirections));
        Assert.True(lstm.Variant.Peepholes);
        var gru = new ScratchGru(5, 6, numLayers: 3);
        Assert.Equal((5L, 6L, 3L, true, false, 0.0, false), (gru.InputSize, gru.HiddenSize, gru.NumLayers, gru.Bias,
            gru.BatchFirst, gru.Dropout, gru.Bidirectional));
    }

    [Fact]
    public void Unbatched_input_gives_pytorchs_unbatched_shapes_and_values()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(8);
        var reference = nn.LSTM(3, 4, numLayers: 2);
        var scratch = new ScratchLstm(3, 4, numLayers: 2);
        CopyParameters(reference, scratch);
        Tensor input = torch.randn(6, 3);
        using var noGrad = torch.no_grad();
        // TorchSharp's nn.LSTM accepts only batched input; PyTorch's treats (seq, features) as a batch of one.
        var (expected, expectedH, _) = reference.forward(input.unsqueeze(1));
        var (actual, actualH, _) = scratch.forward(input);
        Assert.Equal([6L, 4L], actual.shape);
        Assert.Equal([2L, 4L], actualH.shape);
        (expected, expectedH) = (expected.squeeze(1), expectedH.squeeze(1));
        Close(actual, expected, 1e-6, "unbatched output");
        Close(actualH, expectedH, 1e-6, "unbatched h_n");
    }

    [Fact]
    public void Dropout_acts_between_layers_only_in_training()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(9);
        var reference = nn.LSTM(3, 8, numLayers: 2);
        var scratch = new ScratchLstm(3, 8, numLayers: 2, dropout: 0.5);
        CopyParameters(reference, scratch);
        Tensor input = torch.randn(10, 4, 3);
        using var noGrad = torch.no_grad();

        scratch.eval();
        Close(scratch.forward(input).Item1, reference.forward(input).Item1, 1e-6, "evaluation mode has no dropout");
        scratch.train();
        double trainingChange = MaxAbsDiff(scratch.forward(input).Item1, reference.forward(input).Item1);
        Assert.True(trainingChange > 1e-2, $"training mode should drop units between layers (change {trainingChange:E2})");

        // A single layer has no "between": dropout never applies, even in training.
        var single = new ScratchGru(3, 8, dropout: 0.5);
        single.train();
        Tensor first = single.forward(input).Item1;
        single.eval();
        Close(first, single.forward(input).Item1, 0, "single-layer output in training");
    }
}
