using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Models;

public class ResidualForecasterTests
{
    [Fact]
    public void Output_is_the_models_change_plus_the_last_observed_target_on_every_horizon_step()
    {
        var generator = new Generator(7);
        using var inner = new StackedLstm(3, [4], outputSize: 2);
        using var wrapped = new ResidualForecaster(inner, targetColumn: 2);
        wrapped.eval();
        using var x = randn([5, 6, 3], generator: generator);
        using var expected = inner.call(x) + x[.., -1, 2].unsqueeze(1);
        using var actual = wrapped.call(x);
        Assert.Equal([5L, 2L], actual.shape);
        Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-7));
        // The wrapper adds no parameters of its own: the state dict is the inner model's under "model.".
        Assert.Equal(inner.state_dict().Keys.Select(k => "model." + k), wrapped.state_dict().Keys);
    }

    [Fact]
    public void A_zero_change_model_is_exactly_the_persistence_forecast()
    {
        using var inner = new StackedLstm(2, [3], outputSize: 3);
        using (no_grad())
            foreach (var p in inner.parameters()) p.zero_();
        using var wrapped = new ResidualForecaster(inner, targetColumn: 0);
        using var x = arange(24, dtype: float32).reshape(2, 6, 2);
        using var y = wrapped.call(x);
        Assert.Equal(new float[] { 10, 10, 10, 22, 22, 22 }, y.data<float>().ToArray());
    }

    [Fact]
    public void Inputs_without_the_target_column_are_rejected_with_the_shape()
    {
        using var wrapped = new ResidualForecaster(new StackedLstm(2, [3], 1), targetColumn: 4);
        using var x = zeros(2, 5, 2);
        var e = Assert.Throws<ArgumentException>(() => wrapped.call(x));
        Assert.Contains("at least 5 features, got [2, 5, 2]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResidualForecaster(new StackedLstm(2, [3], 1), -1));
    }
}
