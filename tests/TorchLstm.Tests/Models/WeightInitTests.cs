using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchLstm.Tests.Models.ModelTestHelpers;

namespace TorchLstm.Tests.Models;

public class WeightInitTests
{
    [Fact]
    public void Keras_normal_draws_weights_with_std_0_05_and_zero_biases()
    {
        torch.manual_seed(20);
        using var model = new StackedLstm(16, [64, 32], 8, weightInit: WeightInit.KerasNormal);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(WeightInit.KerasNormal, model.WeightInit);
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (name.Contains("bias", StringComparison.Ordinal))
            {
                Assert.Equal(0.0, parameter.abs().max().item<float>());
                continue;
            }
            double std = parameter.std().item<float>();
            double mean = parameter.mean().item<float>();
            // The smallest matrix (head, 256 values) has a sampling std error of about 0.0022; the bounds allow 4.5 of them.
            Assert.InRange(std, 0.04, 0.06);
            Assert.InRange(mean, -0.015, 0.015);
        }
        // The bulk of the weights pins the std down more tightly.
        Assert.InRange(Parameter(model, "layers.0.weight_hh_l0").std().item<float>(), 0.049, 0.051);
    }

    [Theory]
    [InlineData(RecurrentCell.Lstm, 4)]
    [InlineData(RecurrentCell.Gru, 3)]
    [InlineData(RecurrentCell.Rnn, 1)]
    public void Xavier_orthogonal_makes_each_recurrent_gate_block_orthogonal(RecurrentCell cell, int gates)
    {
        torch.manual_seed(21);
        const int hidden = 6;
        using var model = new BidirectionalRnn(cell, 5, [hidden], 1, weightInit: WeightInit.XavierOrthogonal);
        using var scope = torch.NewDisposeScope();
        var identity = torch.eye(hidden);
        foreach (string name in new[] { "layers.0.weight_hh_l0", "layers.0.weight_hh_l0_reverse" })
        {
            var weight = Parameter(model, name);
            Assert.Equal([gates * (long)hidden, hidden], weight.shape);
            for (int gate = 0; gate < gates; gate++)
            {
                var block = weight.narrow(0, gate * hidden, hidden);
                var gram = block.t().matmul(block);
                Assert.True(MaxAbsDifference(gram, identity) < 1e-5, $"{name} block {gate} is not orthogonal");
            }
        }
    }

    [Fact]
    public void Xavier_orthogonal_sets_the_lstm_forget_bias_to_one_and_the_rest_to_zero()
    {
        torch.manual_seed(22);
        const int hidden = 5;
        using var model = new StackedLstm(3, [hidden], 1, weightInit: WeightInit.XavierOrthogonal);
        using var scope = torch.NewDisposeScope();
        var biasIh = Parameter(model, "layers.0.bias_ih_l0");
        var biasHh = Parameter(model, "layers.0.bias_hh_l0");
        // Torch's gate order is i, f, g, o; the effective bias is bias_ih + bias_hh.
        var effective = biasIh + biasHh;
        float[] expected = [.. Enumerable.Repeat(0f, hidden), .. Enumerable.Repeat(1f, hidden), .. Enumerable.Repeat(0f, 2 * hidden)];
        Assert.Equal(expected, effective.data<float>().ToArray());
        Assert.Equal(0f, biasHh.abs().max().item<float>());
        Assert.Equal(0f, Parameter(model, "head.bias").abs().max().item<float>());
    }

    [Fact]
    public void Xavier_orthogonal_input_weights_stay_within_the_glorot_uniform_limit()
    {
        torch.manual_seed(23);
        using var model = new StackedGru(10, [20], 1, weightInit: WeightInit.XavierOrthogonal);
        using var scope = torch.NewDisposeScope();
        var weight = Parameter(model, "layers.0.weight_ih_l0");
        // Glorot limit √(6 / (fan_in + fan_out)) over the whole (3 × 20, 10) matrix.
        double limit = Math.Sqrt(6.0 / (10 + 60));
        double maxAbs = weight.abs().max().item<float>();
        Assert.InRange(maxAbs, 0.9 * limit, limit);
        // Uniform(−a, a) has std a/√3.
        Assert.InRange(weight.std().item<float>(), 0.85 * limit / Math.Sqrt(3), 1.15 * limit / Math.Sqrt(3));
    }

    [Fact]
    public void Classifier_applies_the_scheme_to_every_layer_and_direction_but_keeps_the_padding_row_zero()
    {
        torch.manual_seed(24);
        const int hidden = 4;
        using var model = new SequenceClassifier(9, 5, hidden, 2, RecurrentCell.Lstm, bidirectional: true, numLayers: 2, weightInit: WeightInit.XavierOrthogonal);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(WeightInit.XavierOrthogonal, model.WeightInit);
        var forgetBias = Parameter(model, "rnn.bias_ih_l1_reverse").narrow(0, hidden, hidden);
        Assert.Equal(Enumerable.Repeat(1f, hidden), forgetBias.data<float>().ToArray());
        var block = Parameter(model, "rnn.weight_hh_l1_reverse").narrow(0, 3 * hidden, hidden);
        Assert.True(MaxAbsDifference(block.t().matmul(block), torch.eye(hidden)) < 1e-5);
        Assert.Equal(0f, Parameter(model, "embedding.weight")[0].abs().max().item<float>());
    }
}
