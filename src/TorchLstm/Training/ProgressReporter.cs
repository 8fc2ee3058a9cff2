using System.Globalization;
using System.Text;
using Spectre.Console;
using TorchLstm.Notebooks;

namespace TorchLstm.Training;

/// <summary>
/// Shows progress: one line per epoch (loss, val_loss, metrics, lr, time, ETA), and on an interactive
/// terminal a live bar. The per-batch cost is one integer increment; the bar is drawn by Spectre's own thread.
/// </summary>
internal sealed class ProgressReporter : Callback, IDisposable
{
    private readonly TextWriter? writer;
    private readonly bool live;
    private readonly NotebookProgress? notebook;
    private int batchesDone;
    private double secondsSoFar;
    private Thread? renderThread;
    private ManualResetEventSlim? finished;

    private ProgressReporter(TextWriter? writer, bool live, NotebookProgress? notebook = null)
    {
        this.writer = writer;
        this.live = live;
        this.notebook = notebook;
    }

    /// <summary>The reporter for a mode, or null for <see cref="ProgressMode.None"/>.</summary>
    public static ProgressReporter? Create(ProgressMode mode, TextWriter? writer)
    {
        bool interactive = writer is null && !Console.IsOutputRedirected
            && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (mode is ProgressMode.Auto or ProgressMode.Notebook && writer is null && NotebookProgress.TryStart() is { } cell)
            return new ProgressReporter(null, live: false, cell);
        return mode switch
        {
            ProgressMode.None => null,
            ProgressMode.Lines or ProgressMode.Notebook => new ProgressReporter(writer, live: false),
            ProgressMode.Bar => new ProgressReporter(writer, live: writer is null),
            _ => new ProgressReporter(writer, live: interactive),
        };
    }

    public override void OnTrainBegin(TrainingContext context)
    {
        // After a resume the ETA keeps averaging over every epoch, including the restored ones.
        secondsSoFar = context.History.Epochs.Sum(e => e.Seconds);
        notebook?.OnTrainBegin(context);
        if (!live || context.Options.Epochs == 0) return;
        finished = new ManualResetEventSlim(false);
        long total = (long)context.BatchesPerEpoch * context.Options.Epochs;
        renderThread = new Thread(() => RenderBar(total)) { IsBackground = true, Name = "training progress" };
        renderThread.Start();
    }

    public override void OnBatchEnd(TrainingContext context) => Interlocked.Increment(ref batchesDone);

    public override void OnEpochEnd(TrainingContext context)
    {
        secondsSoFar += context.Logs[LogNames.Seconds];
        if (notebook is not null)
        {
            notebook.OnEpochEnd(context);
            return;
        }
        string line = FormatLine(context.Epoch, context.Options.Epochs, context.Logs, secondsSoFar / context.Epoch);
        if (live) AnsiConsole.WriteLine(line);
        else (writer ?? Console.Out).WriteLine(line);
    }

    public override void OnTrainEnd(TrainingContext context)
    {
        Stop();
        if (notebook is not null)
        {
            notebook.OnTrainEnd(context);
            return;
        }
        if (context.History.StopMessage is { } message)
        {
            if (live) AnsiConsole.WriteLine(message);
            else (writer ?? Console.Out).WriteLine(message);
        }
    }

    /// <summary>
    /// "Epoch 3/20 - loss: 0.0123 - mae: 0.0871 - val_loss: 0.0150 - val_mae: 0.0902 - lr: 1.0e-03 - 0.52s - ETA 8.8s":
    /// every logged value with four decimals like Keras, switching to four significant digits in
    /// scientific notation below 1e-3 so small losses do not print as 0.0000.
    /// </summary>
    internal static string FormatLine(int epoch, int epochs, IDictionary<string, double> logs, double meanEpochSeconds)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"Epoch {epoch}/{epochs}");
        foreach (var (name, value) in logs)
        {
            if (name is LogNames.LearningRate or LogNames.Seconds) continue;
            sb.Append(c, $" - {name}: {FormatValue(value)}");
        }
        if (logs.TryGetValue(LogNames.LearningRate, out double lr)) sb.Append(c, $" - lr: {lr:0.0#e+00}");
        if (logs.TryGetValue(LogNames.Seconds, out double seconds)) sb.Append(c, $" - {seconds:0.00}s");
        sb.Append(c, $" - ETA {meanEpochSeconds * (epochs - epoch):0.0}s");
        return sb.ToString();
    }

    internal static string FormatValue(double value) =>
        value == 0 || !double.IsFinite(value) || Math.Abs(value) >= 1e-3
            ? value.ToString("0.0000", CultureInfo.InvariantCulture)
            : value.ToString("0.000e+00", CultureInfo.InvariantCulture);

    private void RenderBar(long total)
    {
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: total);
                while (!finished!.Wait(100))
                    task.Value = Volatile.Read(ref batchesDone);
                task.Value = Volatile.Read(ref batchesDone);
            });
    }

    private void Stop()
    {
        finished?.Set();
        renderThread?.Join();
        renderThread = null;
    }

    public void Dispose()
    {
        Stop();
        finished?.Dispose();
        finished = null;
    }
}
