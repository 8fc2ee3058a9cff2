using System.Globalization;
using System.Text;

namespace TorchLstm.Training;

/// <summary>
/// Writes one CSV row per epoch (epoch, loss, val_loss, metrics, lr, seconds) to a file, flushing
/// after each row so the file is readable while training runs.
/// </summary>
public sealed class CsvLogger : Callback, IDisposable
{
    private StreamWriter? writer;
    private string[] columns = [];

    /// <summary>Creates the logger.</summary>
    /// <param name="path">The CSV file, for example <c>history.csv</c>; overwritten when training starts.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public CsvLogger(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = path;
    }

    /// <summary>The CSV file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override string StateKey => $"{nameof(CsvLogger)}(path={Path})";

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        Dispose();
        string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (directory is not null) Directory.CreateDirectory(directory);
        // Column order follows History.ToCsv: loss, val_loss, metrics, lr, seconds.
        var keys = context.LogKeys;
        columns = [.. keys.Where(k => k is LogNames.Loss or LogNames.ValidationLoss),
                   .. keys.Where(k => k is not (LogNames.Loss or LogNames.ValidationLoss or LogNames.LearningRate or LogNames.Seconds)),
                   .. keys.Where(k => k is LogNames.LearningRate or LogNames.Seconds)];
        writer = new StreamWriter(Path, append: false, new UTF8Encoding(false)) { NewLine = "\n" };
        writer.WriteLine("epoch," + string.Join(',', columns));
        // A resumed run starts with the checkpoint's epochs; the file then reads as if never interrupted.
        foreach (var record in context.History.Epochs)
            writer.WriteLine(Row(record.Epoch, column => record.TryGet(column, out double v) ? v : null));
        writer.Flush();
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        if (writer is null) return;
        writer.WriteLine(Row(context.Epoch, column => context.Logs.TryGetValue(column, out double v) ? v : null));
        writer.Flush();
    }

    private string Row(int epoch, Func<string, double?> value)
    {
        var row = new StringBuilder(epoch.ToString(CultureInfo.InvariantCulture));
        foreach (var column in columns)
        {
            row.Append(',');
            if (value(column) is { } v) row.Append(v.ToString("R", CultureInfo.InvariantCulture));
        }
        return row.ToString();
    }

    /// <inheritdoc />
    public override void OnTrainEnd(TrainingContext context) => Dispose();

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        writer?.Dispose();
        writer = null;
    }
}
