using System.Globalization;
using System.Text.Json.Nodes;
using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Training;

/// <summary>
/// The per-epoch checkpoint files of one <see cref="TrainingOptions.CheckpointDirectory"/>: choosing
/// the one to resume from, writing new ones atomically and pruning old ones.
/// </summary>
/// <remarks>
/// For crash tests, the environment variable <c>TORCHLSTM_CHECKPOINT_FAULT</c> set to
/// <c>pause-before-rename:N</c> or <c>pause-after-write:N</c> makes the process announce itself on
/// standard error and sleep forever at that point of epoch N's checkpoint, so that a test can kill
/// it there (with the complete temporary file not yet renamed, or right after the rename).
/// </remarks>
internal sealed class CheckpointStore
{
    public const string FaultVariable = "TORCHLSTM_CHECKPOINT_FAULT";
    private const string TemporaryPattern = ".epoch-*.ckpt.*.tmp";

    private readonly string directory;
    private readonly int keep;
    private readonly (string Stage, int Epoch)? fault;

    public CheckpointStore(string directory, int keep)
    {
        this.directory = directory;
        this.keep = keep;
        fault = ParseFault(Environment.GetEnvironmentVariable(FaultVariable));
    }

    /// <summary>Fingerprint of what must not change between a run and its resumption.</summary>
    /// <param name="options">The run's options.</param>
    /// <param name="metrics">The logged metrics (a resumed history must log the same values).</param>
    /// <param name="train">The training data's first tensor (its shape stands for the data's).</param>
    /// <param name="validation">The validation data's first tensor, if any.</param>
    public static JsonObject RunFingerprint(TrainingOptions options, IReadOnlyList<Metric> metrics, Tensor train, Tensor? validation) => new()
    {
        ["optimizer"] = options.Optimizer.ToString(),
        ["loss"] = options.Loss.Name,
        ["metrics"] = string.Join(",", metrics.Select(m => m.Name)),
        ["batch_size"] = options.BatchSize,
        ["shuffle"] = options.Shuffle,
        ["seed"] = options.Seed,
        ["train_shape"] = Metrics.Shape(train),
        ["validation_shape"] = validation is null ? null : Metrics.Shape(validation),
    };

    /// <summary>
    /// The newest checkpoint that reads back intact, or null when the folder has none. Unreadable
    /// newer files are skipped and noted; when every file is unreadable the first error is thrown.
    /// </summary>
    /// <exception cref="CheckpointException">Checkpoints exist but none can be read.</exception>
    public TrainingCheckpoint? LoadNewest(History history)
    {
        RemoveTemporaryFiles(history);
        var files = TrainingCheckpoint.Find(directory);
        if (files.Count == 0)
        {
            history.AddCheckpointNote($"no checkpoint in '{directory}' yet; starting at epoch 1");
            return null;
        }
        CheckpointException? first = null;
        foreach (var file in files)
        {
            try
            {
                var checkpoint = TrainingCheckpoint.Load(file);
                history.AddCheckpointNote($"resuming after epoch {checkpoint.Epoch} from '{file}'");
                return checkpoint;
            }
            catch (CheckpointException e)
            {
                first ??= e;
                history.AddCheckpointNote($"skipping unreadable {e.Message}; falling back to the previous checkpoint");
            }
        }
        throw new CheckpointException(first!.Path,
            $"none of the {files.Count} checkpoint(s) in '{directory}' can be read; the newest failed with: {first.Message}", first);
    }

    /// <summary>A fresh run: checkpoints of an earlier run would otherwise outrank this run's by epoch number.</summary>
    public void RemoveStale(History history)
    {
        RemoveTemporaryFiles(history);
        foreach (var file in TrainingCheckpoint.Find(directory))
        {
            File.Delete(file);
            history.AddCheckpointNote($"removed '{file}' of an earlier run (set TrainingOptions.Resume to continue it instead)");
        }
    }

    public void Save(int epoch, bool stopRequested, JsonObject run, nn.Module model, optim.Optimizer optimizer,
        History history, IReadOnlyList<Callback> callbacks, Generator shuffle)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, TrainingCheckpoint.FileName(epoch));
        Action<string>? beforeRename = fault is ("pause-before-rename", var e) && e == epoch ? _ => Pause(epoch, "before renaming") : null;
        TrainingCheckpoint.Write(path, epoch, stopRequested, run, model, optimizer, history, callbacks, shuffle, beforeRename);
        foreach (var old in TrainingCheckpoint.Find(directory).Skip(keep))
            File.Delete(old);
        if (fault is ("pause-after-write", var after) && after == epoch) Pause(epoch, "after writing");
    }

    private void RemoveTemporaryFiles(History history)
    {
        if (!Directory.Exists(directory)) return;
        foreach (var file in Directory.GetFiles(directory, TemporaryPattern))
        {
            File.Delete(file);
            history.AddCheckpointNote($"removed the incomplete '{Path.GetFileName(file)}' left by an interrupted write");
        }
    }

    private static void Pause(int epoch, string stage)
    {
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checkpoint fault: paused {stage} the checkpoint of epoch {epoch}"));
        Console.Error.Flush();
        Thread.Sleep(Timeout.Infinite);
    }

    private static (string, int)? ParseFault(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var parts = value.Split(':');
        if (parts.Length == 2 && parts[0] is "pause-before-rename" or "pause-after-write"
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch))
            return (parts[0], epoch);
        throw new ArgumentException($"{FaultVariable} must be 'pause-before-rename:N' or 'pause-after-write:N', got '{value}'");
    }
}
