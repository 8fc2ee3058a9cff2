using TorchLstm.Models;
using TorchSharp;
using static TorchLstm.Tests.Models.Scratch.CrossCheck;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Models.Scratch;

/// <summary>ScratchLstm against nn.LSTM with the same weights: outputs, final states and every gradient.</summary>
public sealed class ScratchLstmEquivalenceTests
{
    public static TheoryData<bool, int, bool, bool, bool, int, bool> Grid => new()
    {
        // float64, layers, batchFirst, bidirectional, initial state, steps, fused kernel
        { true, 1, false, false, false, 1, true },
        { true, 1, false, false, true, 50, true },
        { true, 2, true, false, true, 50, true },
        { true, 3, false, true, false, 50, true },
        { true, 2, true, true, true, 1, true },
        { true, 2, false, true, true, 200, true },
        { false, 1, false, false, false, 1, true },
        { false, 1, true, false, true, 50, true },
        { false, 2, false, true, true, 50, true },
        { false, 3, true, true, false, 50, true },
        { false, 2, false, false, true, 200, true },
        // The per-step autograd path (the readable reference) must agree as well.
        { true, 2, true, true, true, 50, false },
        { false, 1, false, false, true, 1, false },
        { false, 3, false, true, false, 50, false },
    };

    [Theory]
    [MemberData(nameof(Grid))]
    [InlineData(false, 2, true, true, true, 50, true, false)]
    [InlineData(true, 1, false, false, false, 50, false, false)]
    public void Matches_torch_lstm_outputs_states_and_gradients(
        bool float64, int layers, bool batchFirst, bool bidirectional, bool withState, int steps, bool fused, bool bias = true)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        var generator = new Generator(7);
        ScalarType dtype = float64 ? ScalarType.Float64 : ScalarType.Float32;
        double outputTolerance = float64 ? 1e-12 : 1e-6, gradientTolerance = float64 ? 1e-12 : 1e-5;
        const int inputSize = 3, hidden = 5, batch = 2;
        int directions = bidirectional ? 2 : 1;

        var reference = nn.LSTM(inputSize, hidden, layers, bias, batchFirst: batchFirst, bidirectional: bidirectional, dtype: dtype);
        var scratch = new ScratchLstm(inputSize, hidden, layers, bias, batchFirst: batchFirst, bidirectional: bidirectional) { UseFusedKernel = fused };
        scratch.to(dtype);
        CopyParameters(reference, scratch);

        long[] inputShape = batchFirst ? [batch, steps, inputSize] : [steps, batch, inputSize];
        Tensor input = torch.randn(inputShape, dtype, generator: generator);
        Tensor h0 = torch.randn([layers * directions, batch, hidden], dtype, generator: generator);
        Tensor c0 = torch.randn([layers * directions, batch, hidden], dtype, generator: generator);

        var (x1, h1, c1) = (input.clone().requires_grad_(), h0.clone().requires_grad_(), c0.clone().requires_grad_());
        var (x2, h2, c2) = (input.clone().requires_grad_(), h0.clone().requires_grad_(), c0.clone().requires_grad_());
        var (expectedOut, expectedH, expectedC) = reference.forward(x1, withState ? (h1, c1) : null);
        var (actualOut, actualH, actualC) = scratch.forward(x2, withState ? (h2, c2) : null);

        Close(actualOut, expectedOut, outputTolerance, "output");
        Close(actualH, expectedH, outputTolerance, "h_n");
        Close(actualC, expectedC, outputTolerance, "c_n");

        // One scalar loss that weighs every output and final-state element differently.
        Tensor wOut = Weighting(expectedOut, generator), wH = Weighting(expectedH, generator), wC = Weighting(expectedC, generator);
        ((expectedOut * wOut).sum() + (expectedH * wH).sum() + (expectedC * wC).sum()).backward();
        ((actualOut * wOut).sum() + (actualH * wH).sum() + (actualC * wC).sum()).backward();

        var expectedGrads = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        foreach (var (name, parameter) in scratch.named_parameters())
            GradientsClose(parameter.grad, expectedGrads[name], gradientTolerance, name);
        GradientsClose(x2.grad, x1.grad, gradientTolerance, "input");
        if (withState)
        {
            GradientsClose(h2.grad, h1.grad, gradientTolerance, "h0");
            GradientsClose(c2.grad, c1.grad, gradientTolerance, "c0");
        }
    }

    [Fact]
    public void Parameters_have_torchs_names_shapes_and_order()
    {
        using var scope = torch.NewDisposeScope();
        var reference = nn.LSTM(3, 4, numLayers: 2, bidirectional: true);
        var scratch = new ScratchLstm(3, 4, numLayers: 2, bidirectional: true);
        var expected = reference.named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape))).ToArray();
        var actual = scratch.named_parameters().Select(p => (p.name, string.Join("x", p.parameter.shape))).ToArray();
        Assert.Equal(expected, actual);
        Assert.Equal("weight_ih_l1_reverse", actual[^4].name);
        Assert.Equal("16x8", actual[^4].Item2);
    }

    [Fact]
    public void State_dict_round_trips_from_scratch_to_torch()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var scratch = new ScratchLstm(2, 6, numLayers: 2, batchFirst: true);
        var reference = nn.LSTM(2, 6, numLayers: 2, batchFirst: true);
        CopyParameters(scratch, reference);
        Tensor input = torch.randn(4, 9, 2);
        using var noGrad = torch.no_grad();
        var (expected, _, _) = reference.forward(input);
        var (actual, _, _) = scratch.forward(input);
        Close(actual, expected, 1e-6, "output after loading scratch weights into nn.LSTM");

        // And back: a fresh scratch module loaded from torch's state dict computes the same.
        var again = new ScratchLstm(2, 6, numLayers: 2, batchFirst: true);
        CopyParameters(reference, again);
        Close(again.forward(input).Item1, expected, 1e-6, "output after loading nn.LSTM weights into a fresh ScratchLstm");
    }

    [Fact]
    public void Default_initialisation_is_uniform_within_one_over_sqrt_hidden()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        var scratch = new ScratchLstm(8, 16);
        double bound = 1 / Math.Sqrt(16);
        Tensor all = torch.cat(scratch.parameters().Select(p => p.flatten()).ToArray(), 0);
        Assert.True(all.abs().max().ToDouble() <= bound);
        Assert.True(all.abs().max().ToDouble() > 0.95 * bound, "values should fill the interval");
        Assert.InRange(all.mean().ToDouble(), -0.02, 0.02);
    }
}
