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
        writer.Flush();
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        if (writer is null) return;
        var row = new StringBuilder(context.Epoch.ToString(CultureInfo.InvariantCulture));
        foreach (var column in columns)
        {
            row.Append(',');
            if (context.Logs.TryGetValue(column, out double value)) row.Append(value.ToString("R", CultureInfo.InvariantCulture));
        }
        writer.WriteLine(row.ToString());
        writer.Flush();
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
