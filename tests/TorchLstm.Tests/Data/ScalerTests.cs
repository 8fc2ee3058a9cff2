using TorchLstm.Data;
using TorchSharp;

namespace TorchLstm.Tests.Data;

public class ScalerTests
{
    private static torch.Tensor Sample()
    {
        using var generator = new torch.Generator(7);
        // Columns with very different offsets and spreads, like CO2 ppm next to a small rate.
        using var raw = torch.randn(200, 3, generator: generator);
        using var spread = torch.tensor(new float[] { 1f, 25f, 0.01f });
        using var offset = torch.tensor(new float[] { 0f, 315f, -3f });
        return raw * spread + offset;
    }

    public static TheoryData<string> Kinds => new() { "minmax", "standard" };

    private static Scaler Create(string kind) => kind == "minmax" ? new MinMaxScaler(-1, 1) : new StandardScaler();

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Inverse_of_transform_is_the_identity(string kind)
    {
        using var x = Sample();
        var scaler = Create(kind).Fit(x);
        using var scaled = scaler.Transform(x);
        using var back = scaler.InverseTransform(scaled);
        Assert.True(back.allclose(x, rtol: 1e-5, atol: 1e-5), $"max error {(back - x).abs().max().item<float>()}");

        using var column = scaled.select(1, 1).reshape(20, 10);
        using var columnBack = scaler.InverseTransformColumn(column, 1);
        Assert.True(columnBack.reshape(-1).allclose(x.select(1, 1), rtol: 1e-5, atol: 1e-4));
    }

    [Fact]
    public void MinMax_maps_training_extremes_onto_the_range()
    {
        using var x = Sample();
        var scaler = new MinMaxScaler(-1, 1);
        using var scaled = scaler.FitTransform(x);
        Assert.Equal(new[] { -1f, -1f, -1f }, scaled.amin([0]).data<float>().ToArray().Select(v => MathF.Round(v, 5)));
        Assert.Equal(new[] { 1f, 1f, 1f }, scaled.amax([0]).data<float>().ToArray().Select(v => MathF.Round(v, 5)));
    }

    [Fact]
    public void Standard_gives_zero_mean_and_unit_population_deviation()
    {
        using var x = Sample();
        using var scaled = new StandardScaler().FitTransform(x);
        Assert.All(scaled.mean([0]).data<float>().ToArray(), m => Assert.InRange(m, -1e-4f, 1e-4f));
        Assert.All(scaled.std(0, unbiased: false).data<float>().ToArray(), s => Assert.InRange(s, 0.9999f, 1.0001f));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Constant_column_gives_finite_values_and_round_trips(string kind)
    {
        using var x = torch.tensor(new float[] { 5, 1, 5, 2, 5, 3 }, [3, 2]);
        var scaler = Create(kind).Fit(x);
        using var scaled = scaler.Transform(x);
        Assert.True(scaled.isfinite().all().item<bool>());
        float expected = kind == "minmax" ? -1f : 0f;
        Assert.Equal(new[] { expected, expected, expected }, scaled.select(1, 0).data<float>().ToArray());
        using var back = scaler.InverseTransform(scaled);
        Assert.Equal(x.data<float>().ToArray(), back.data<float>().ToArray());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Json_and_file_round_trip_restore_the_same_transform(string kind)
    {
        using var x = Sample();
        var scaler = Create(kind).Fit(x);
        var restored = Scaler.FromJson(scaler.ToJson());
        Assert.IsType(scaler.GetType(), restored);
        using var a = scaler.Transform(x);
        using var b = restored.Transform(x);
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());

        string dir = Path.Combine(Path.GetTempPath(), $"scaler-{Guid.NewGuid():N}");
        try
        {
            string path = Path.Combine(dir, "scaler.json");
            scaler.Save(path);
            scaler.Save(path); // overwriting an existing file works too
            Assert.Equal(new[] { "scaler.json" }, Directory.GetFiles(dir).Select(Path.GetFileName));
            using var c = Scaler.Load(path).Transform(x);
            Assert.Equal(a.data<float>().ToArray(), c.data<float>().ToArray());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Fitting_and_windowing_leave_the_callers_tensors_usable()
    {
        // float64 [rows, columns] needs neither reshape nor conversion: the scope must not take the caller's tensor.
        using var x = torch.tensor(new double[] { 1, 2, 3, 4, 5, 6 }, [3, 2]);
        var scaler = new StandardScaler().Fit(x);
        using (var w = SlidingWindows.Create(x, 2, 1, 0, copy: false)) { }
        Assert.Equal(21.0, x.sum().item<double>());
        using var scaled = scaler.Transform(x);
        Assert.Equal(new long[] { 3, 2 }, scaled.shape);
    }

    [Fact]
    public void Using_an_unfitted_scaler_is_an_invalid_operation()
    {
        using var x = torch.ones(2, 2);
        var e = Assert.Throws<InvalidOperationException>(() => new MinMaxScaler().Transform(x));
        Assert.Contains("MinMaxScaler is not fitted", e.Message);
        Assert.Throws<InvalidOperationException>(() => new StandardScaler().InverseTransformColumn(x, 0));
        Assert.Throws<InvalidOperationException>(() => new StandardScaler().ToJson());
    }

    [Fact]
    public void Bad_inputs_are_rejected_with_the_numbers()
    {
        using var x = torch.ones(4, 3);
        var scaler = new MinMaxScaler().Fit(x);
        using var wrong = torch.ones(4, 2);
        var shape = Assert.Throws<ArgumentException>(() => scaler.Transform(wrong));
        Assert.Contains("fitted on 3 columns", shape.Message);
        Assert.Contains("[4, 2]", shape.Message);
        var column = Assert.Throws<ArgumentOutOfRangeException>(() => scaler.InverseTransformColumn(x, 3));
        Assert.Equal("column", column.ParamName);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => new MinMaxScaler(1, 0));
        Assert.Contains("(1, 0)", range.Message);
        using var nan = torch.tensor(new float[] { 1, float.NaN });
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => new StandardScaler().Fit(nan)).Message);
        Assert.Contains("kind 'robust'", Assert.Throws<DataValidationException>(() => Scaler.FromJson("{\"kind\":\"robust\"}")).Message);
    }
}
