using System.Globalization;
using System.Net;
using System.Text;
using TorchLstm.Training;

namespace TorchLstm.Notebooks;

/// <summary>
/// The state of a training run as one notebook display: epoch, logged values, learning rate, time,
/// ETA and a small loss chart. <see cref="NotebookProgress"/> replaces it in place after each epoch.
/// </summary>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = [NotebookFormatterSource.Html, NotebookFormatterSource.PlainText])]
internal sealed class TrainingProgress(IReadOnlyList<double> loss, IReadOnlyList<double>? validationLoss, int epoch, int epochs, IReadOnlyDictionary<string, double> logs, double meanEpochSeconds, string? stopMessage)
{
    public int Epoch { get; } = epoch;

    public int Epochs { get; } = epochs;

    public double EtaSeconds => meanEpochSeconds * Math.Max(0, Epochs - Epoch);

    public override string ToString() =>
        ProgressReporter.FormatLine(Epoch, Epochs, new Dictionary<string, double>(logs), meanEpochSeconds) + (stopMessage is null ? "" : "\n" + stopMessage);

    public string ToHtml()
    {
        var c = CultureInfo.InvariantCulture;
        double done = Epochs == 0 ? 1 : (double)Epoch / Epochs;
        var html = new StringBuilder("<div>");
        html.Append(c, $"<div><strong>Epoch {Epoch}/{Epochs}</strong> &middot; {meanEpochSeconds:0.00} s/epoch &middot; ETA {EtaSeconds:0.0} s</div>");
        html.Append(c, $"<div style=\"width:360px;height:6px;background:#eee\"><div style=\"width:{360 * done:0}px;height:6px;background:#1f77b4\"></div></div>");
        var keys = logs.Keys.Where(k => k != LogNames.Seconds).ToList();
        html.Append(NotebookHtml.Table(keys, [keys.Select(k => NotebookHtml.FormatLogged(k, logs[k])).ToArray()], [.. Enumerable.Repeat(true, keys.Count)]));
        if (loss.Count > 0) html.Append(NotebookHtml.LossChart(loss, validationLoss, null, width: 360, height: 150));
        if (stopMessage is not null) html.Append("<p>").Append(WebUtility.HtmlEncode(stopMessage)).Append("</p>");
        return html.Append("</div>").ToString();
    }
}

/// <summary>
/// Training progress in a notebook: one display below the cell, replaced after every epoch, instead
/// of one printed line per epoch.
/// </summary>
internal sealed class NotebookProgress
{
    private readonly List<double> _loss = [];
    private readonly List<double> _validationLoss = [];
    private KernelDisplay.Handle? _display;
    private double _secondsSoFar;

    /// <summary>Starts the display, or returns null when no notebook cell is running.</summary>
    public static NotebookProgress? TryStart() => KernelDisplay.InCell ? new NotebookProgress() : null;

    public void OnTrainBegin(TrainingContext context)
    {
        // After a resume the curves and the ETA start from the restored epochs.
        _secondsSoFar = context.History.Epochs.Sum(e => e.Seconds);
        _loss.AddRange(context.History.Epochs.Select(e => e.Loss));
        _validationLoss.AddRange(context.History.Epochs.Select(e => e.ValidationLoss ?? double.NaN));
    }

    public void OnEpochEnd(TrainingContext context)
    {
        _secondsSoFar += context.Logs[LogNames.Seconds];
        _loss.Add(context.Logs[LogNames.Loss]);
        _validationLoss.Add(context.Logs.TryGetValue(LogNames.ValidationLoss, out double v) ? v : double.NaN);
        Show(new TrainingProgress(_loss.ToArray(), ValidationCurve(), context.Epoch, context.Options.Epochs,
            new Dictionary<string, double>(context.Logs), _secondsSoFar / context.Epoch, null));
    }

    public void OnTrainEnd(TrainingContext context)
    {
        if (context.History.StopMessage is not { } message) return;
        int epoch = Math.Max(context.History.Count, 1);
        var logs = context.History.Last is { } last
            ? context.History.Keys.Where(k => last.TryGet(k, out _)).ToDictionary(k => k, k => { last.TryGet(k, out double v); return v; })
            : new Dictionary<string, double>();
        Show(new TrainingProgress(_loss.ToArray(), ValidationCurve(), context.History.Count, context.Options.Epochs, logs, _secondsSoFar / epoch, message));
    }

    private double[]? ValidationCurve() => _validationLoss.Any(double.IsFinite) ? _validationLoss.ToArray() : null;

    private void Show(TrainingProgress progress)
    {
        if (_display is null) _display = KernelDisplay.Show(progress);
        else _display.Update(progress);
    }
}
