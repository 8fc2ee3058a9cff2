using System.Globalization;
using ScottPlot;
using static TorchLstm.Reporting.PlotInput;
using static TorchLstm.Reporting.PlotRendering;

namespace TorchLstm.Reporting;

/// <summary>
/// PNG plots for training reports, drawn headless with ScottPlot: loss curves, predictions against truth,
/// generic line plots, heatmaps and flagged series.
/// </summary>
/// <remarks>
/// Every method takes plain arrays, so it can be fed from a training history or a prediction frame in one
/// line. Inputs are validated first (empty series, NaN or infinite values, mismatched lengths, non-positive
/// values on a log axis raise <see cref="ArgumentException"/> naming the series). The image is rendered in
/// memory and written to a temporary file that is then renamed over <c>path</c>, so a reader never sees a
/// half-written file; missing directories are created.
/// </remarks>
public static partial class Plots
{
    /// <summary>Training and validation loss per epoch, with the best epoch and learning-rate reductions marked.</summary>
    /// <param name="path">PNG file to write.</param>
    /// <param name="trainLoss">Training loss of epochs 1, 2, ….</param>
    /// <param name="validationLoss">Validation loss per epoch, same length as <paramref name="trainLoss"/>; optional.</param>
    /// <param name="learningRates">Learning rate used in each epoch; every epoch whose rate is lower than the previous one gets a dashed line.</param>
    /// <param name="bestEpoch">1-based epoch to mark as best; by default the epoch of lowest validation loss (training loss without validation).</param>
    /// <param name="options">Title, labels, size, <see cref="PlotOptions.LogY"/>.</param>
    /// <exception cref="ArgumentException">A series is empty, has non-finite values, or lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bestEpoch"/> is not an epoch of the series, or the image size is out of range.</exception>
    public static void LossCurves(
        string path, IReadOnlyList<double> trainLoss, IReadOnlyList<double>? validationLoss = null,
        IReadOnlyList<double>? learningRates = null, int? bestEpoch = null, PlotOptions? options = null)
    {
        CheckPath(path);
        options = CheckOptions(options);
        var train = CheckSeries(trainLoss, "train loss", nameof(trainLoss), options.LogY);
        double[]? validation = null;
        if (validationLoss is not null)
        {
            validation = CheckSeries(validationLoss, "validation loss", nameof(validationLoss), options.LogY);
            CheckSameLength(train.Length, "train loss", validation.Length, "validation loss", nameof(validationLoss));
        }
        double[]? rates = null;
        if (learningRates is not null)
        {
            rates = CheckSeries(learningRates, "learning rate", nameof(learningRates));
            CheckSameLength(train.Length, "train loss", rates.Length, "learning rate", nameof(learningRates));
        }
        var monitored = validation ?? train;
        int best = bestEpoch ?? Array.IndexOf(monitored, monitored.Min()) + 1;
        if (best < 1 || best > train.Length)
            throw new ArgumentOutOfRangeException(nameof(bestEpoch), bestEpoch, $"The best epoch must be between 1 and {train.Length} (epochs are numbered from 1).");

        var plot = NewPlot(options, "Loss per epoch", "epoch", "loss");
        var epochs = Indexes(train.Length, firstIndex: 1);
        AddLine(plot, epochs, ToAxisScale(train, options.LogY), "train loss");
        if (validation is not null)
            AddLine(plot, epochs, ToAxisScale(validation, options.LogY), "validation loss");

        var bestLine = plot.Add.VerticalLine(best, 2, Colors.Green);
        string bestValue = monitored[best - 1].ToString("G4", CultureInfo.InvariantCulture);
        bestLine.LegendText = $"best epoch {best} ({(validation is null ? "train" : "validation")} loss {bestValue})";
        bestLine.Text = $"best {best}";

        if (rates is not null)
        {
            // Labels on the lines would collide with the title or the best-epoch label; the legend lists them instead.
            var reductions = new List<string>();
            ScottPlot.Plottables.VerticalLine? firstReduction = null;
            for (int i = 1; i < rates.Length; i++)
            {
                if (rates[i] >= rates[i - 1]) continue;
                var line = plot.Add.VerticalLine(i + 1, 1, Colors.Gray, LinePattern.Dashed);
                firstReduction ??= line;
                reductions.Add($"{i + 1} (to {rates[i].ToString("G3", CultureInfo.InvariantCulture).Replace('E', 'e')})");
            }
            if (firstReduction is not null)
                firstReduction.LegendText = $"learning rate reduced at epoch {string.Join(", ", reductions)}";
        }

        if (options.LogY) UseLogTicks(plot, plot.Axes.Left);
        plot.ShowLegend(Alignment.UpperRight);
        SavePngAtomically(plot, path, options);
    }

    /// <summary>Predictions against the truth over a range indexed by position (e.g. test samples 800…999).</summary>
    /// <param name="path">PNG file to write.</param>
    /// <param name="truth">Observed values.</param>
    /// <param name="predicted">Model predictions, one per observed value.</param>
    /// <param name="baselines">Optional reference forecasts (e.g. persistence), one value per observed value each.</param>
    /// <param name="firstIndex">x position of the first value, so a test range keeps its place in the whole series.</param>
    /// <param name="options">Title, labels, size, <see cref="PlotOptions.LogY"/>.</param>
    /// <exception cref="ArgumentException">A series is empty, has non-finite values, or lengths differ.</exception>
    public static void Predictions(
        string path, IReadOnlyList<double> truth, IReadOnlyList<double> predicted,
        IReadOnlyList<NamedSeries>? baselines = null, int firstIndex = 0, PlotOptions? options = null)
    {
        CheckPath(path);
        options = CheckOptions(options);
        ArgumentNullException.ThrowIfNull(truth);
        DrawPredictions(path, Indexes(truth.Count, firstIndex), dates: false, truth, predicted, baselines, options);
    }

    /// <summary>Predictions against the truth over a time range, with dates on the horizontal axis.</summary>
    /// <param name="path">PNG file to write.</param>
    /// <param name="time">Timestamp of each value, in increasing order.</param>
    /// <param name="truth">Observed values.</param>
    /// <param name="predicted">Model predictions, one per observed value.</param>
    /// <param name="baselines">Optional reference forecasts (e.g. persistence), one value per observed value each.</param>
    /// <param name="options">Title, labels, size, <see cref="PlotOptions.LogY"/>.</param>
    /// <exception cref="ArgumentException">A series is empty, has non-finite values, lengths differ, or time goes backwards.</exception>
    public static void Predictions(
        string path, IReadOnlyList<DateTime> time, IReadOnlyList<double> truth, IReadOnlyList<double> predicted,
        IReadOnlyList<NamedSeries>? baselines = null, PlotOptions? options = null)
    {
        CheckPath(path);
        options = CheckOptions(options);
        ArgumentNullException.ThrowIfNull(truth);
        DrawPredictions(path, CheckTimeAgainst(time, truth.Count, "truth", nameof(time)), dates: true, truth, predicted, baselines, options);
    }

    /// <summary>Several named y series over a shared numeric x (e.g. test error against hidden size per model).</summary>
    /// <param name="path">PNG file to write.</param>
    /// <param name="x">x values, shared by every series.</param>
    /// <param name="series">One or more series, each with one value per x.</param>
    /// <param name="options">Title, labels, size, <see cref="PlotOptions.LogX"/>, <see cref="PlotOptions.LogY"/>.</param>
    /// <exception cref="ArgumentException">No series, a series is empty, has non-finite values, or its length differs from x.</exception>
    public static void Lines(string path, IReadOnlyList<double> x, IReadOnlyList<NamedSeries> series, PlotOptions? options = null)
    {
        CheckPath(path);
        options = CheckOptions(options);
        var xs = CheckSeries(x, "x", nameof(x), options.LogX);
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0)
            throw new ArgumentException("No series to plot; give at least one NamedSeries.", nameof(series));

        var plot = NewPlot(options, "", "x", "y");
        foreach (var s in series)
        {
            ArgumentNullException.ThrowIfNull(s, nameof(series));
            var ys = CheckSeries(s.Values, s.Name, nameof(series), options.LogY);
            CheckSameLength(xs.Length, "x", ys.Length, s.Name, nameof(series));
            AddLine(plot, ToAxisScale(xs, options.LogX), ToAxisScale(ys, options.LogY), s.Name, markers: true);
        }
        if (options.LogX) UseLogTicks(plot, plot.Axes.Bottom);
        if (options.LogY) UseLogTicks(plot, plot.Axes.Left);
        plot.ShowLegend(Edge.Bottom);
        SavePngAtomically(plot, path, options);
    }

    private static void DrawPredictions(
        string path, double[] xs, bool dates, IReadOnlyList<double> truth, IReadOnlyList<double> predicted,
        IReadOnlyList<NamedSeries>? baselines, PlotOptions options)
    {
        var observed = CheckSeries(truth, "truth", nameof(truth), options.LogY);
        var forecast = CheckSeries(predicted, "predicted", nameof(predicted), options.LogY);
        CheckSameLength(observed.Length, "truth", forecast.Length, "predicted", nameof(predicted));

        var plot = NewPlot(options, "Predictions vs truth", dates ? "time" : "index", "value");
        AddLine(plot, xs, ToAxisScale(observed, options.LogY), "truth");
        AddLine(plot, xs, ToAxisScale(forecast, options.LogY), "predicted");
        foreach (var baseline in baselines ?? [])
        {
            ArgumentNullException.ThrowIfNull(baseline, nameof(baselines));
            var values = CheckSeries(baseline.Values, baseline.Name, nameof(baselines), options.LogY);
            CheckSameLength(observed.Length, "truth", values.Length, baseline.Name, nameof(baselines));
            var line = AddLine(plot, xs, ToAxisScale(values, options.LogY), baseline.Name);
            line.LinePattern = LinePattern.Dashed;
        }
        if (dates)
        {
            plot.Axes.DateTimeTicksBottom();
            plot.XLabel(options.XLabel ?? "time"); // the date axis replaces the bottom axis and its label
        }
        if (options.LogY) UseLogTicks(plot, plot.Axes.Left);
        plot.ShowLegend(Edge.Bottom);
        SavePngAtomically(plot, path, options);
    }

    /// <summary>Timestamps as OLE automation dates (what ScottPlot's date axis reads), checked to increase.</summary>
    private static double[] CheckTimeAgainst(IReadOnlyList<DateTime>? time, int expectedCount, string seriesName, string paramName)
    {
        CheckSameLength(expectedCount, seriesName, time, "time", paramName);
        var xs = new double[time!.Count];
        for (int i = 0; i < xs.Length; i++)
        {
            if (i > 0 && time[i] <= time[i - 1])
                throw new ArgumentException($"Series 'time' goes backwards or repeats at index {i} ({time[i - 1]:O} then {time[i]:O}); timestamps must increase.", paramName);
            // ScottPlot's date axis works in OLE automation dates, which start in year 100.
            if (time[i].Year < 100)
                throw new ArgumentException($"Series 'time' has {time[i]:O} at index {i}; dates before year 100 cannot be plotted.", paramName);
            xs[i] = time[i].ToOADate();
        }
        return xs;
    }

    private static ScottPlot.Plottables.Scatter AddLine(Plot plot, double[] xs, double[] ys, string label, bool markers = false)
    {
        var line = plot.Add.ScatterLine(xs, ys);
        line.LegendText = label;
        line.LineWidth = 2;
        if (markers || xs.Length == 1) line.MarkerSize = 6;
        return line;
    }
}
