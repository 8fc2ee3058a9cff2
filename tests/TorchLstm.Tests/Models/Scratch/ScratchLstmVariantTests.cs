using TorchLstm.Models;
using TorchSharp;
using static TorchLstm.Tests.Models.Scratch.CrossCheck;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Models.Scratch;

/// <summary>Peephole and CIFG variants against a reference written here, step by step, from their equations.</summary>
public sealed class ScratchLstmVariantTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Variant_matches_its_equations_in_outputs_and_gradients(bool peepholes, bool coupled)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(21);
        var generator = new Generator(22);
        const int inputSize = 3, hidden = 4, batch = 2, steps = 12;
        var variant = new ScratchLstmVariant(peepholes, coupled);
        var scratch = new ScratchLstm(inputSize, hidden, numLayers: 2, bidirectional: true, variant: variant);
        scratch.to(ScalarType.Float64);
        // Peephole weights are initialised uniformly like the rest, so a miswired peephole changes the result.
        var parameters = scratch.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

        Tensor input = torch.randn([steps, batch, inputSize], ScalarType.Float64, generator: generator);
        Tensor x1 = input.clone().requires_grad_(), x2 = input.clone().requires_grad_();
        var (output, hN, cN) = scratch.forward(x1);
        var (expectedOutput, expectedH, expectedC) = Reference(x2, parameters, hidden, peepholes, coupled);

        Close(output, expectedOutput, 1e-12, "output");
        Close(hN, expectedH, 1e-12, "h_n");
        Close(cN, expectedC, 1e-12, "c_n");

        Tensor weights = Weighting(output, generator);
        var actualGrads = torch.autograd.grad([(output * weights).sum() + cN.sum()], [x1, .. parameters.Values]);
        var expectedGrads = torch.autograd.grad([(expectedOutput * weights).sum() + expectedC.sum()], [x2, .. parameters.Values]);
        for (int k = 0; k < actualGrads.Count; k++)
            GradientsClose(actualGrads[k], expectedGrads[k], 1e-12, k == 0 ? "input" : parameters.Keys.ElementAt(k - 1));
    }

    [Fact]
    public void Variants_add_or_remove_the_documented_parameters()
    {
        using var scope = torch.NewDisposeScope();
        var peephole = new ScratchLstm(3, 4, variant: new ScratchLstmVariant(Peepholes: true));
        Assert.Equal(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ci_l0", "weight_cf_l0", "weight_co_l0"],
            peephole.named_parameters().Select(p => p.name));
        Assert.Equal([4L], peephole.get_parameter("weight_co_l0")!.shape);

        var cifg = new ScratchLstm(3, 4, variant: new ScratchLstmVariant(CoupledInputForgetGate: true));
        Assert.Equal([12L, 3L], cifg.get_parameter("weight_ih_l0")!.shape);
        Assert.Equal([12L], cifg.get_parameter("bias_hh_l0")!.shape);

        var both = new ScratchLstm(3, 4, variant: new ScratchLstmVariant(true, true));
        Assert.DoesNotContain("weight_cf_l0", both.named_parameters().Select(p => p.name));
        Assert.False(both.Variant.IsStandard);
        Assert.Equal(3, both.Variant.GateCount);
    }

    /// <summary>The equations, one sample-independent step at a time, with nothing shared with the library.</summary>
    private static (Tensor Output, Tensor H, Tensor C) Reference(
        Tensor x, Dictionary<string, Tensor> p, int hidden, bool peepholes, bool coupled)
    {
        long steps = x.shape[0], batch = x.shape[1];
        var finalH = new List<Tensor>();
        var finalC = new List<Tensor>();
        Tensor layerInput = x;
        for (int layer = 0; layer < 2; layer++)
        {
            var directionOutputs = new List<Tensor>();
            foreach (string suffix in new[] { $"_l{layer}", $"_l{layer}_reverse" })
            {
                Tensor W(string name) => p[name + suffix];
                Tensor Rows(Tensor m, int block) => m.narrow(0, block * hidden, hidden);
                int blockI = 0, blockF = 1, blockG = coupled ? 1 : 2, blockO = coupled ? 2 : 3;
                Tensor Gate(int block, Tensor xt, Tensor hPrev) =>
                    xt.matmul(Rows(W("weight_ih"), block).t()) + Rows(W("bias_ih"), block)
                    + hPrev.matmul(Rows(W("weight_hh"), block).t()) + Rows(W("bias_hh"), block);

                Tensor h = torch.zeros(batch, hidden, ScalarType.Float64), c = torch.zeros(batch, hidden, ScalarType.Float64);
                var outputs = new Tensor[steps];
                bool reverse = suffix.EndsWith("_reverse", StringComparison.Ordinal);
                for (long k = 0; k < steps; k++)
                {
                    long t = reverse ? steps - 1 - k : k;
                    Tensor xt = layerInput[t];
                    Tensor i = torch.sigmoid(Gate(blockI, xt, h) + (peepholes ? W("weight_ci") * c : 0));
                    Tensor f = coupled ? 1 - i : torch.sigmoid(Gate(blockF, xt, h) + (peepholes ? W("weight_cf") * c : 0));
                    Tensor g = torch.tanh(Gate(blockG, xt, h));
                    c = f * c + i * g;
                    Tensor o = torch.sigmoid(Gate(blockO, xt, h) + (peepholes ? W("weight_co") * c : 0));
                    h = o * torch.tanh(c);
                    outputs[t] = h;
                }
                directionOutputs.Add(torch.stack(outputs));
                finalH.Add(h);
                finalC.Add(c);
            }
            layerInput = torch.cat(directionOutputs, 2);
        }
        return (layerInput, torch.stack(finalH), torch.stack(finalC));
    }
}
