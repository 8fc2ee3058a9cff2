using SkiaSharp;
using TorchLstm.Reporting;

namespace TorchLstm.Tests.Reporting;

public sealed class PlotsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "torchlstm-plots-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private string PathFor(string name) => Path.Combine(_directory, name);

    private static readonly double[] Train = Enumerable.Range(0, 12).Select(i => 1.0 / (i + 1) + 0.05).ToArray();
    private static readonly double[] Validation = Enumerable.Range(0, 12).Select(i => 1.1 / (i + 1) + 0.08 + (i > 7 ? 0.01 * (i - 7) : 0)).ToArray();
    private static readonly double[] Sine = Enumerable.Range(0, 60).Select(i => Math.Sin(i / 5.0)).ToArray();

    private static bool IsGreen(SKColor c) => c.Green > 100 && c.Red < 60 && c.Blue < 60;
    private static bool IsRed(SKColor c) => c.Red > 200 && c.Green < 50 && c.Blue < 50;

    [Fact]
    public void Loss_curves_write_a_png_of_the_requested_size_with_the_best_epoch_line()
    {
        string path = PathFor("nested/loss.png"); // a missing directory is created
        double[] rates = [1e-3, 1e-3, 1e-3, 1e-3, 2e-4, 2e-4, 2e-4, 2e-4, 2e-4, 4e-5, 4e-5, 4e-5];

        Plots.LossCurves(path, Train, Validation, rates, options: new PlotOptions { Width = 640, Height = 400, LogY = true });

        PngAssert.IsPng(path, 640, 400);
        var pixels = PngAssert.IsNotBlank(path);
        Assert.True(PngAssert.CountPixels(pixels, IsGreen) > 200, "the green best-epoch line is missing");
    }

    [Fact]
    public void Predictions_by_index_and_by_date_are_drawn()
    {
        var predicted = Sine.Select((v, i) => v + 0.1 * Math.Cos(i)).ToArray();
        var persistence = new NamedSeries("persistence", new[] { Sine[0] }.Concat(Sine[..^1]).ToArray());
        var dates = Enumerable.Range(0, Sine.Length).Select(i => new DateTime(2024, 1, 1).AddDays(i)).ToArray();

        Plots.Predictions(PathFor("index.png"), Sine, predicted, [persistence], firstIndex: 800);
        Plots.Predictions(PathFor("dates.png"), dates, Sine, predicted, options: new PlotOptions { Width = 300, Height = 200 });

        PngAssert.IsPng(PathFor("index.png"), 800, 500);
        PngAssert.IsNotBlank(PathFor("index.png"));
        PngAssert.IsPng(PathFor("dates.png"), 300, 200);
        PngAssert.IsNotBlank(PathFor("dates.png"));
    }

    [Fact]
    public void Line_plot_supports_log_axes()
    {
        string path = PathFor("scaling.png");
        Plots.Lines(path, [8, 16, 32, 64], [new("LSTM", [0.1, 0.05, 0.02, 0.015]), new("RNN", [0.2, 0.1, 0.08, 0.07])],
            new PlotOptions { LogX = true, LogY = true, Width = 500, Height = 350 });

        PngAssert.IsPng(path, 500, 350);
        PngAssert.IsNotBlank(path);
    }

    [Fact]
    public void Heatmap_colours_the_hot_cell_at_the_top_left()
    {
        string path = PathFor("attention.png");
        var weights = new double[3, 4];
        weights[0, 0] = 1.0;
        weights[2, 3] = 0.5;

        Plots.Heatmap(path, weights, ["a", "b", "c"], ["w", "x", "y", "z"], "attention", new PlotOptions { Width = 600, Height = 450 });

        PngAssert.IsPng(path, 600, 450);
        var pixels = PngAssert.IsNotBlank(path);
        // Viridis maps the maximum to yellow; the hot cell must be in the upper-left quarter of the image.
        using var bitmap = SKBitmap.Decode(path);
        var yellow = Enumerable.Range(0, bitmap.Height).SelectMany(y => Enumerable.Range(0, bitmap.Width).Select(x => (x, y)))
            .Where(p => { var c = bitmap.GetPixel(p.x, p.y); return c.Red > 220 && c.Green > 200 && c.Blue < 80; })
            .Where(p => p.x < bitmap.Width * 0.85) // leave out the colour bar on the right
            .ToList();
        Assert.True(yellow.Count > 1000, $"only {yellow.Count} yellow pixels");
        Assert.True(yellow.Average(p => p.x) < bitmap.Width / 2.0 && yellow.Average(p => p.y) < bitmap.Height / 2.0);
        Assert.NotEmpty(pixels);
    }

    [Fact]
    public void Flagged_points_are_red_and_absent_without_flags()
    {
        var flags = Sine.Select(v => v > 0.95).ToArray();
        Plots.FlaggedPoints(PathFor("flagged.png"), Sine, flags, threshold: 0.95, seriesName: "error");
        Plots.FlaggedPoints(PathFor("clean.png"), Sine, new bool[Sine.Length], seriesName: "error");
        var dates = Enumerable.Range(0, Sine.Length).Select(i => new DateTime(2024, 1, 1).AddHours(i)).ToArray();
        Plots.FlaggedPoints(PathFor("dated.png"), dates, Sine, flags);

        PngAssert.IsPng(PathFor("flagged.png"), 800, 500);
        Assert.True(PngAssert.CountPixels(PngAssert.IsNotBlank(PathFor("flagged.png")), IsRed) > 100, "flagged points are not highlighted");
        Assert.Equal(0, PngAssert.CountPixels(PngAssert.IsNotBlank(PathFor("clean.png")), IsRed));
        PngAssert.IsNotBlank(PathFor("dated.png"));
    }

    [Fact]
    public void An_interval_band_is_shaded_with_red_flags_outside_it()
    {
        var dates = Enumerable.Range(0, Sine.Length).Select(i => new DateTime(2024, 1, 1).AddDays(i)).ToArray();
        var lower = Sine.Select(v => v - 0.3).ToArray();
        var upper = Sine.Select(v => v + 0.3).ToArray();
        var actual = Sine.Select((v, i) => i % 20 == 7 ? v + 1 : v).ToArray();
        var flags = actual.Select((v, i) => v > upper[i]).ToArray();
        Plots.IntervalBand(PathFor("band.png"), dates, actual, lower, upper, flags, forecast: Sine, bandName: "95 % interval");
        Plots.IntervalBand(PathFor("band-clean.png"), dates, Sine, lower, upper);

        var pixels = PngAssert.IsNotBlank(PathFor("band.png"));
        Assert.True(PngAssert.CountPixels(pixels, IsRed) > 100, "flagged points are not highlighted");
        Assert.True(PngAssert.CountPixels(pixels, p => p.Blue > p.Red + 20 && p.Blue > 200 && p.Red > 150) > 1000, "the band is not shaded");
        Assert.Equal(0, PngAssert.CountPixels(PngAssert.IsNotBlank(PathFor("band-clean.png")), IsRed));

        var error = Assert.Throws<ArgumentException>(() => Plots.IntervalBand(PathFor("bad.png"), dates, Sine, lower[..5], upper));
        Assert.Contains("'lower' has 5 values", error.Message);
    }

    [Fact]
    public void Writing_replaces_the_file_and_leaves_no_temporary_files()
    {
        string path = PathFor("loss.png");
        Plots.LossCurves(path, Train, options: new PlotOptions { Width = 100, Height = 80 });
        Plots.LossCurves(path, Train, options: new PlotOptions { Width = 120, Height = 90 });

        PngAssert.IsPng(path, 120, 90);
        Assert.Equal(["loss.png"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void NaN_empty_and_mismatched_series_are_rejected_with_the_series_name()
    {
        string path = PathFor("bad.png");
        double[] withNaN = [0.5, double.NaN, 0.2];

        var nan = Assert.Throws<ArgumentException>(() => Plots.LossCurves(path, Train, Validation[..^1].Append(double.NaN).ToArray()));
        Assert.Equal("validationLoss", nan.ParamName);
        Assert.Contains("Series 'validation loss' has NaN at index 11", nan.Message);

        var empty = Assert.Throws<ArgumentException>(() => Plots.LossCurves(path, []));
        Assert.Contains("Series 'train loss' is empty", empty.Message);

        var mismatch = Assert.Throws<ArgumentException>(() => Plots.Predictions(path, Sine, Sine[..10]));
        Assert.Equal("predicted", mismatch.ParamName);
        Assert.Contains("'predicted' has 10 values but 'truth' has 60", mismatch.Message);

        var baseline = Assert.Throws<ArgumentException>(() => Plots.Predictions(path, withNaN, withNaN.Select(_ => 1.0).ToArray()));
        Assert.Contains("Series 'truth' has NaN at index 1", baseline.Message);

        var series = Assert.Throws<ArgumentException>(() => Plots.Lines(path, [1, 2, 3], [new("GRU", [1, 2])]));
        Assert.Contains("Series 'GRU' has 2 values but 'x' has 3", series.Message);

        var log = Assert.Throws<ArgumentException>(() => Plots.Lines(path, [1, 2], [new("RNN", [0.1, 0])], new PlotOptions { LogY = true }));
        Assert.Contains("Series 'RNN' has 0 at index 1; a log axis needs values above 0", log.Message);

        var flags = Assert.Throws<ArgumentException>(() => Plots.FlaggedPoints(path, Sine, new bool[3], seriesName: "error"));
        Assert.Contains("'flagged' has 3 values but 'error' has 60", flags.Message);

        var time = Assert.Throws<ArgumentException>(() => Plots.Predictions(path, [new DateTime(2024, 1, 2), new DateTime(2024, 1, 1)], [1.0, 2.0], [1.0, 2.0]));
        Assert.Equal("time", time.ParamName);
        Assert.Contains("Series 'time' goes backwards or repeats at index 1", time.Message);

        var ancient = Assert.Throws<ArgumentException>(() => Plots.FlaggedPoints(path, [DateTime.MinValue], [1.0], [true]));
        Assert.Contains("dates before year 100 cannot be plotted", ancient.Message);

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Bad_heatmaps_sizes_and_epochs_are_rejected()
    {
        string path = PathFor("bad.png");
        var cells = new double[2, 2];

        var columns = Assert.Throws<ArgumentException>(() => Plots.Heatmap(path, cells, ["a", "b"], ["x"]));
        Assert.Equal("columnLabels", columns.ParamName);
        Assert.Contains("There are 1 column labels for 2 columns", columns.Message);
        Assert.Equal("rowLabels", Assert.Throws<ArgumentException>(() => Plots.Heatmap(path, cells, ["a"], ["x", "y"])).ParamName);
        cells[1, 0] = double.PositiveInfinity;
        Assert.Contains("Heatmap cell [1, 0] is +infinity", Assert.Throws<ArgumentException>(() => Plots.Heatmap(path, cells, ["a", "b"], ["x", "y"])).Message);
        Assert.Contains("at least one row", Assert.Throws<ArgumentException>(() => Plots.Heatmap(path, new double[0, 3], [], ["x", "y", "z"])).Message);

        Assert.Equal("bestEpoch", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.LossCurves(path, Train, bestEpoch: 0)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.LossCurves(path, Train, options: new PlotOptions { Width = 0 })).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => Plots.LossCurves(" ", Train)).ParamName);
        Assert.False(File.Exists(path));
    }
}
