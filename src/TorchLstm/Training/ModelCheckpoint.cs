using System.Text;
using System.Text.Json.Nodes;
using TorchSharp;
using TorchLstm.IO;

namespace TorchLstm.Training;

/// <summary>
/// Saves the model's weights after epochs: <c>last.pt</c> after every epoch and <c>best.pt</c> when the
/// monitored value improves, in TorchSharp's <c>module.save</c> format (reload with <c>module.load(path)</c>).
/// Files are written atomically (see <see cref="AtomicFile"/>): a crash never leaves a truncated
/// file under the final name.
/// </summary>
public sealed class ModelCheckpoint : Callback
{
    /// <summary>File name of the best epoch's weights.</summary>
    public const string BestFileName = "best.pt";
    /// <summary>File name of the latest epoch's weights.</summary>
    public const string LastFileName = "last.pt";

    private bool maximize;
    private double best;
    private int bestEpoch;

    /// <summary>Creates the callback.</summary>
    /// <param name="directory">Folder for the files; created when missing.</param>
    /// <param name="monitor">Logged value that decides the best epoch.</param>
    /// <param name="mode">Whether lower or higher is better; Auto infers it from the name.</param>
    /// <param name="saveBest">Write <c>best.pt</c> on improvement.</param>
    /// <param name="saveLast">Write <c>last.pt</c> every epoch.</param>
    /// <exception cref="ArgumentException">The directory or monitor is empty, or both files are disabled.</exception>
    public ModelCheckpoint(
        string directory, string monitor = LogNames.ValidationLoss, MonitorMode mode = MonitorMode.Auto, bool saveBest = true, bool saveLast = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Monitoring.CheckArguments(monitor, mode);
        if (!saveBest && !saveLast)
            throw new ArgumentException("ModelCheckpoint with saveBest and saveLast both false would write nothing", nameof(saveBest));
        Directory = directory;
        Monitor = monitor;
        Mode = mode;
        SaveBest = saveBest;
        SaveLast = saveLast;
        maximize = Monitoring.Maximizes(monitor, mode);
        best = Monitoring.Worst(maximize);
    }

    /// <summary>Folder of the files.</summary>
    public string Directory { get; }
    /// <summary>Value that decides the best epoch.</summary>
    public string Monitor { get; }
    /// <summary>Whether lower or higher is better, as given.</summary>
    public MonitorMode Mode { get; }
    /// <summary>Whether <c>best.pt</c> is written.</summary>
    public bool SaveBest { get; }
    /// <summary>Whether <c>last.pt</c> is written.</summary>
    public bool SaveLast { get; }
    /// <summary>Path of <c>best.pt</c>.</summary>
    public string BestPath => Path.Combine(Directory, BestFileName);
    /// <summary>Path of <c>last.pt</c>.</summary>
    public string LastPath => Path.Combine(Directory, LastFileName);
    /// <summary>1-based epoch saved as best, 0 before any.</summary>
    public int BestEpoch => bestEpoch;

    /// <inheritdoc />
    public override string StateKey => $"{nameof(ModelCheckpoint)}(directory={Directory}, monitor={Monitor})";

    /// <summary>Writes a module's weights to <paramref name="path"/> atomically, in <c>module.save</c> format.</summary>
    public static void Save(torch.nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            module.save(writer);
            writer.Flush();
        });
    }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        if (SaveBest) Monitoring.RequireLogged(nameof(ModelCheckpoint), Monitor, context);
        if (Mode == MonitorMode.Auto && bestEpoch == 0)
        {
            maximize = context.HigherIsBetter(Monitor);
            best = Monitoring.Worst(maximize);
        }
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        // Weights stepped with a NaN loss are garbage; the runner puts back the last finite ones after this hook.
        if (!double.IsFinite(context.Logs[LogNames.Loss])) return;
        if (SaveLast) Save(context.Model, LastPath);
        if (!SaveBest) return;
        double current = context.Logs[Monitor];
        if (!double.IsFinite(current)) return;
        if (maximize ? current > best : current < best)
        {
            best = current;
            bestEpoch = context.Epoch;
            Save(context.Model, BestPath);
        }
    }

    /// <inheritdoc />
    public override JsonObject GetState() => new()
    {
        ["best"] = double.IsFinite(best) ? best : null,
        ["best_epoch"] = bestEpoch,
    };

    /// <inheritdoc />
    public override void SetState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        bestEpoch = Read<int>(state, "best_epoch");
        best = state["best"] is null ? Monitoring.Worst(maximize) : Read<double>(state, "best");
    }
}
