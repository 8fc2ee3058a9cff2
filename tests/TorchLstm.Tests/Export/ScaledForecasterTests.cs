using TorchLstm.Data;
using TorchLstm.Export;
using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

public sealed class ScaledForecasterTests
{
    public static TheoryData<string> ScalerKinds() => ["minmax", "standard", "minmax_range"];

    private static Scaler Create(string kind) => kind switch
    {
        "minmax" => new MinMaxScaler(),
        "standard" => new StandardScaler(),
        _ => new MinMaxScaler(-1, 1),
    };

    [Theory]
    [MemberData(nameof(ScalerKinds))]
    public void Forecaster_equals_scale_predict_inverse_scale_with_the_fitted_scaler(string kind)
    {
        var scaler = ModelExportCases.FittedScaler(Create(kind));
        torch.manual_seed(3);
        var model = new StackedLstm(3, [6], 2);
        var forecaster = ScaledForecaster.FromScaler(model, scaler, targetColumn: 1);
        forecaster.eval();
        using var noGrad = torch.no_grad();
        var raw = ModelExportCases.RawValues(new Generator(5), 4, 6, 3);

        var expected = scaler.InverseTransformColumn(model.call(scaler.Transform(raw)), 1);
        var actual = forecaster.call(raw);
        Assert.Equal(new long[] { 4, 2 }, actual.shape);
        double difference = ExportCases.MaxAbsDifference(expected, actual);
        Assert.True(difference <= 1e-5 * expected.abs().max().item<float>(), $"max |diff| {difference}");
        // Predictions live on the target's scale (level -2, spread 0.5), not the model's [0, 1]-ish one.
        Assert.True(ExportCases.MaxAbsDifference(actual, model.call(scaler.Transform(raw))) > 0.5);
    }

    [Fact]
    public void Column_scaling_reproduces_the_scalers_statistics_and_constant_column_rules()
    {
        var minMax = (MinMaxScaler)ModelExportCases.FittedScaler(new MinMaxScaler(-1, 1));
        var fromMinMax = ColumnScaling.FromScaler(minMax);
        Assert.Equal(minMax.DataMin!, fromMinMax.Center);
        Assert.Equal(-1, fromMinMax.Shift);
        Assert.Equal(2.0 / (minMax.DataMax![0] - minMax.DataMin![0]), fromMinMax.Factor[0], 12);
        Assert.Equal(2.0, fromMinMax.Factor[2]); // constant column: span counts as 1

        var standard = (StandardScaler)ModelExportCases.FittedScaler(new StandardScaler());
        var fromStandard = ColumnScaling.FromScaler(standard);
        Assert.Equal(standard.Mean!, fromStandard.Center);
        Assert.Equal(0, fromStandard.Shift);
        Assert.Equal(1 / standard.StandardDeviation![1], fromStandard.Factor[1], 12);
        Assert.Equal(1.0, fromStandard.Factor[2]); // constant column: deviation counts as 1
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_what_was_wrong()
    {
        var model = new StackedLstm(3, [4], 1);
        var unfitted = Assert.Throws<InvalidOperationException>(() => ScaledForecaster.FromScaler(model, new StandardScaler(), 0));
        Assert.Contains("not fitted", unfitted.Message);

        var scaler = ModelExportCases.FittedScaler(new MinMaxScaler());
        var target = Assert.Throws<ArgumentOutOfRangeException>(() => ScaledForecaster.FromScaler(model, scaler, 3));
        Assert.Equal("targetColumn", target.ParamName);
        Assert.Contains("[0, 2]", target.Message);

        var width = Assert.Throws<ArgumentException>(() => ScaledForecaster.FromScaler(new StackedLstm(2, [4], 1), scaler, 0));
        Assert.Contains("expects 2 input features but the scaler was fitted on 3 columns", width.Message);

        var forecaster = ScaledForecaster.FromScaler(model, scaler, 0);
        var shape = Assert.Throws<ArgumentException>(() => forecaster.call(torch.zeros(2, 5, 4)));
        Assert.Equal("raw", shape.ParamName);
        Assert.Contains("(batch, window, 3)", shape.Message);

        var lengths = Assert.Throws<ArgumentException>(() => ColumnScaling.Standard([1.0, 2.0], [1.0]));
        Assert.Contains("same non-zero number of columns; got 2 and 1", lengths.Message);
        var order = Assert.Throws<ArgumentException>(() => ColumnScaling.MinMax([0.0, 5.0], [1.0, 4.0]));
        Assert.Contains("column 1 has min 5 and max 4", order.Message);
    }
}
