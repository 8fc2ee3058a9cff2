using TorchLstm.Models;
using TorchSharp;
using static TorchLstm.Tests.Models.Scratch.CrossCheck;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Models.Scratch;

/// <summary>ScratchGru against nn.GRU with the same weights: outputs, final state and every gradient.</summary>
public sealed class ScratchGruEquivalenceTests
{
    public static TheoryData<bool, int, bool, bool, bool, int> Grid => new()
    {
        // float64, layers, batchFirst, bidirectional, initial state, steps
        { true, 1, false, false, false, 1 },
        { true, 2, true, false, true, 50 },
        { true, 3, false, true, true, 50 },
        { true, 2, false, true, false, 200 },
        { false, 1, true, false, true, 1 },
        { false, 2, false, true, true, 50 },
        { false, 3, true, false, false, 50 },
        { false, 1, false, true, true, 200 },
    };

    [Theory]
    [MemberData(nameof(Grid))]
    public void Matches_torch_gru_outputs_state_and_gradients(
        bool float64, int layers, bool batchFirst, bool bidirectional, bool withState, int steps)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(13);
        var generator = new Generator(17);
        ScalarType dtype = float64 ? ScalarType.Float64 : ScalarType.Float32;
        double outputTolerance = float64 ? 1e-12 : 1e-6, gradientTolerance = float64 ? 1e-12 : 1e-5;
        const int inputSize = 3, hidden = 5, batch = 2;
        int directions = bidirectional ? 2 : 1;

        var reference = nn.GRU(inputSize, hidden, layers, batchFirst: batchFirst, bidirectional: bidirectional, dtype: dtype);
        var scratch = new ScratchGru(inputSize, hidden, layers, batchFirst: batchFirst, bidirectional: bidirectional);
        scratch.to(dtype);
        CopyParameters(reference, scratch);

        long[] inputShape = batchFirst ? [batch, steps, inputSize] : [steps, batch, inputSize];
        Tensor input = torch.randn(inputShape, dtype, generator: generator);
        Tensor h0 = torch.randn([layers * directions, batch, hidden], dtype, generator: generator);
        var (x1, h1) = (input.clone().requires_grad_(), h0.clone().requires_grad_());
        var (x2, h2) = (input.clone().requires_grad_(), h0.clone().requires_grad_());
        var (expectedOut, expectedH) = reference.forward(x1, withState ? h1 : null);
        var (actualOut, actualH) = scratch.forward(x2, withState ? h2 : null);

        Close(actualOut, expectedOut, outputTolerance, "output");
        Close(actualH, expectedH, outputTolerance, "h_n");

        Tensor wOut = Weighting(expectedOut, generator), wH = Weighting(expectedH, generator);
        ((expectedOut * wOut).sum() + (expectedH * wH).sum()).backward();
        ((actualOut * wOut).sum() + (actualH * wH).sum()).backward();
        var expectedGrads = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        foreach (var (name, parameter) in scratch.named_parameters())
            GradientsClose(parameter.grad, expectedGrads[name], gradientTolerance, name);
        GradientsClose(x2.grad, x1.grad, gradientTolerance, "input");
        if (withState) GradientsClose(h2.grad, h1.grad, gradientTolerance, "h0");
    }

    [Fact]
    public void State_dict_round_trips_both_ways_with_torch_gru()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        var scratch = new ScratchGru(2, 5, numLayers: 2, bidirectional: true, bias: false);
        var reference = nn.GRU(2, 5, numLayers: 2, bidirectional: true, bias: false);
        Assert.Equal(reference.named_parameters().Select(p => p.name), scratch.named_parameters().Select(p => p.name));
        CopyParameters(scratch, reference);
        Tensor input = torch.randn(7, 3, 2);
        using var noGrad = torch.no_grad();
        Tensor expected = reference.forward(input).Item1;
        Close(scratch.forward(input).Item1, expected, 1e-6, "nn.GRU loaded from ScratchGru");
        var again = new ScratchGru(2, 5, numLayers: 2, bidirectional: true, bias: false);
        CopyParameters(reference, again);
        Close(again.forward(input).Item1, expected, 1e-6, "ScratchGru loaded from nn.GRU");
    }
}
