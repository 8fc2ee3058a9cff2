using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;
using TorchLstm.IO;

namespace TorchLstm.Training;

/// <summary>
/// One epoch's complete training state as written by <see cref="ExperimentRunner.Fit"/> into
/// <see cref="TrainingOptions.CheckpointDirectory"/>: model weights, optimiser state (its moments and
/// learning rate), callback states, the history so far, and the random generators' states. Loading
/// verifies a SHA-256 checksum, so a truncated or corrupted file is reported, never half-used.
/// </summary>
/// <remarks>
/// Resuming is normally done by <see cref="TrainingOptions.Resume"/>; this type also lets a caller
/// inspect a checkpoint or put its weights into a model for inference.
/// </remarks>
internal sealed class TrainingCheckpoint : IDisposable
{
    /// <summary>Extension of checkpoint files.</summary>
    public const string FileExtension = ".ckpt";
    private const string FilePrefix = "epoch-";

    private readonly Dictionary<string, Tensor> modelState;
    private readonly List<Dictionary<string, Tensor>> callbackTensors;
    private readonly JsonObject meta;
    private readonly byte[] optimizerState;
    private readonly byte[] torchRngState;
    private readonly byte[] shuffleRngState;

    private TrainingCheckpoint(string path, JsonObject meta, Dictionary<string, Tensor> modelState, byte[] optimizerState,
        byte[] torchRngState, byte[] shuffleRngState, List<Dictionary<string, Tensor>> callbackTensors)
    {
        Path = path;
        this.meta = meta;
        this.modelState = modelState;
        this.optimizerState = optimizerState;
        this.torchRngState = torchRngState;
        this.shuffleRngState = shuffleRngState;
        this.callbackTensors = callbackTensors;
        Epoch = meta["epoch"]!.GetValue<int>();
    }

    /// <summary>The file this was read from.</summary>
    public string Path { get; }

    /// <summary>The 1-based epoch after which the state was saved.</summary>
    public int Epoch { get; }

    /// <summary>The model's state dict (CPU copies owned by this checkpoint), by torch name.</summary>
    public IReadOnlyDictionary<string, Tensor> ModelState => modelState;

    /// <summary>File name of the checkpoint of a 1-based epoch: <c>epoch-0003.ckpt</c>.</summary>
    public static string FileName(int epoch) => string.Create(CultureInfo.InvariantCulture, $"{FilePrefix}{epoch:D4}{FileExtension}");

    /// <summary>Checkpoint files in <paramref name="directory"/>, newest epoch first; empty when the folder does not exist.</summary>
    public static IReadOnlyList<string> Find(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory)) return [];
        return Directory.GetFiles(directory, FilePrefix + "*" + FileExtension)
            .Select(path => (path, epoch: EpochOf(path)))
            .Where(p => p.epoch > 0)
            .OrderByDescending(p => p.epoch)
            .Select(p => p.path)
            .ToList();
    }

    /// <summary>Reads and verifies a checkpoint file.</summary>
    /// <exception cref="CheckpointException">The file is missing, truncated, corrupted, or not a checkpoint of this format.</exception>
    public static TrainingCheckpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var sections = CheckpointContainer.Read(path);
        Dictionary<string, Tensor>? model = null;
        var callbacks = new List<Dictionary<string, Tensor>>();
        try
        {
            var meta = JsonNode.Parse(Section(sections, "meta.json"))?.AsObject()
                ?? throw new FormatException("meta.json is empty");
            model = TensorBytes.ReadDictionary(Section(sections, "model"));
            int callbackCount = (meta["callbacks"] as JsonArray ?? throw new FormatException("'callbacks' is missing")).Count;
            for (int i = 0; i < callbackCount; i++)
                callbacks.Add(TensorBytes.ReadDictionary(Section(sections, $"callback.{i}")));
            _ = meta["epoch"]!.GetValue<int>();
            return new TrainingCheckpoint(path, meta, model, Section(sections, "optimizer"),
                Section(sections, "rng.torch"), Section(sections, "rng.shuffle"), callbacks);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidDataException or InvalidOperationException or NullReferenceException or EndOfStreamException)
        {
            Release(model, callbacks);
            throw new CheckpointException(path, $"its content is malformed ({e.Message})", e);
        }
        catch
        {
            Release(model, callbacks);
            throw;
        }
    }

    /// <summary>The training history up to and including <see cref="Epoch"/>.</summary>
    public History ReadHistory()
    {
        var history = new History();
        HistoryJson.ReadInto(meta["history"]!.AsObject(), history);
        return history;
    }

    /// <summary>Copies the checkpoint's weights into <paramref name="model"/> (in place, on the model's device).</summary>
    /// <exception cref="CheckpointException">The model's parameter names, shapes or dtypes differ from the checkpoint's.</exception>
    public void RestoreWeights(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var target = model.state_dict();
        var problems = new List<string>();
        foreach (var name in target.Keys.Where(k => !modelState.ContainsKey(k))) problems.Add($"'{name}' is missing from the checkpoint");
        foreach (var name in modelState.Keys.Where(k => !target.ContainsKey(k))) problems.Add($"'{name}' is not a parameter of the model");
        foreach (var (name, tensor) in target)
        {
            if (!modelState.TryGetValue(name, out var saved)) continue;
            if (!saved.shape.SequenceEqual(tensor.shape) || saved.dtype != tensor.dtype)
                problems.Add($"'{name}' is {Metrics.Shape(saved)} {saved.dtype} in the checkpoint but {Metrics.Shape(tensor)} {tensor.dtype} in the model");
        }
        if (problems.Count > 0)
            throw new CheckpointException(Path,
                $"it was written for a differently shaped model: {string.Join("; ", problems)}. Build the model with the same layers, " +
                "hidden sizes and features, or use another checkpoint directory");
        // copy_ hands back a wrapper of the same storage; the scope releases it.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, tensor) in target)
            tensor.copy_(modelState[name]);
    }

    /// <summary>Releases the tensors read from the file.</summary>
    public void Dispose() => Release(modelState, callbackTensors);

    internal JsonObject Fingerprint => meta["run"]!.AsObject();

    /// <summary>Fails unless this checkpoint was written by a run with the same data, options and callbacks.</summary>
    internal void CheckResumable(JsonObject currentRun, IReadOnlyList<Callback> callbacks, nn.Module model)
    {
        var saved = Fingerprint;
        var differences = currentRun
            .Where(kv => !JsonNode.DeepEquals(kv.Value, saved[kv.Key]))
            .Select(kv => $"{kv.Key} was {saved[kv.Key]?.ToJsonString() ?? "absent"}, now {kv.Value?.ToJsonString() ?? "absent"}")
            .ToList();
        if (differences.Count > 0)
            throw new CheckpointException(Path,
                $"it was written by a run with other settings ({string.Join("; ", differences)}); resume with the same data and " +
                "training options, or use another checkpoint directory");
        var savedKeys = SavedCallbackKeys();
        var currentKeys = callbacks.Select(c => c.StateKey).ToList();
        if (!savedKeys.Order(StringComparer.Ordinal).SequenceEqual(currentKeys.Order(StringComparer.Ordinal)))
            throw new CheckpointException(Path,
                $"it holds the state of callbacks [{string.Join(", ", savedKeys)}] but this run has [{string.Join(", ", currentKeys)}]; " +
                "pass the same callbacks (in any order)");
        RestoreWeightsCheckOnly(model);
    }

    /// <summary>Puts the saved state into a run that has been set up exactly as the saving one.</summary>
    internal void RestoreTraining(nn.Module model, optim.Optimizer optimizer, History history, Generator shuffle)
    {
        RestoreWeights(model);
        if (optimizer is not TorchSharp.Modules.OptimizerHelper helper)
            throw new NotSupportedException($"optimizer {optimizer.GetType().Name} cannot restore its state");
        try
        {
            using var reader = new BinaryReader(new MemoryStream(optimizerState, writable: false), Encoding.UTF8);
            helper.load_state_dict(reader);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or EndOfStreamException)
        {
            throw new CheckpointException(Path, $"its optimizer state does not fit this run's optimizer ({e.Message})", e);
        }
        HistoryJson.ReadInto(meta["history"]!.AsObject(), history);
    }

    /// <summary>Restores callback states; call after <see cref="Callback.OnTrainBegin"/>, which resets them.</summary>
    internal void RestoreCallbacks(IReadOnlyList<Callback> callbacks)
    {
        var states = meta["callbacks"]!.AsArray();
        var savedKeys = SavedCallbackKeys();
        foreach (var callback in callbacks)
        {
            int i = savedKeys.IndexOf(callback.StateKey);
            callback.SetState(states[i]!["state"]!.AsObject());
            callback.SetTensorState(callbackTensors[i]);
        }
    }

    /// <summary>The saved callbacks' state keys in saved order; files written before keys existed name only the type, which was the default key.</summary>
    private List<string> SavedCallbackKeys() =>
        meta["callbacks"]!.AsArray().Select(c => (c!["key"] ?? c["type"])!.GetValue<string>()).ToList();

    /// <summary>Fails when two callbacks would file their state under one key.</summary>
    /// <exception cref="ArgumentException">Two callbacks share a <see cref="Callback.StateKey"/>.</exception>
    internal static void CheckUniqueKeys(IReadOnlyList<Callback> callbacks)
    {
        var duplicate = callbacks.GroupBy(c => c.StateKey, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException(
                $"{duplicate.Count()} callbacks share the state key '{duplicate.Key}', so a checkpoint could not tell their states apart; " +
                "give each its own settings, or override Callback.StateKey", "callbacks");
    }

    /// <summary>Restores the global and shuffle generators; last, so that nothing draws from them in between.</summary>
    internal void RestoreRandomState(Generator shuffle)
    {
        using var torchState = tensor(torchRngState, ScalarType.Byte);
        torch.random.set_rng_state(torchState);
        using var shuffleState = tensor(shuffleRngState, ScalarType.Byte);
        shuffle.set_state(shuffleState);
    }

    internal bool StopRequested => meta["stop_requested"]!.GetValue<bool>();

    /// <summary>Writes the state after <paramref name="epoch"/> atomically into <paramref name="path"/>.</summary>
    internal static void Write(string path, int epoch, bool stopRequested, JsonObject run, nn.Module model, optim.Optimizer optimizer,
        History history, IReadOnlyList<Callback> callbacks, Generator shuffle, Action<string>? beforeRename)
    {
        if (optimizer is not TorchSharp.Modules.OptimizerHelper helper)
            throw new NotSupportedException($"optimizer {optimizer.GetType().Name} cannot save its state");
        var callbackMeta = new JsonArray();
        var sections = new List<(string, byte[])>();
        for (int i = 0; i < callbacks.Count; i++)
        {
            callbackMeta.Add(new JsonObject { ["type"] = callbacks[i].GetType().Name, ["key"] = callbacks[i].StateKey, ["state"] = callbacks[i].GetState() });
            sections.Add(($"callback.{i}", Serialize(w => TensorBytes.WriteDictionary(w, callbacks[i].GetTensorState()))));
        }
        var meta = new JsonObject
        {
            ["format_version"] = CheckpointContainer.FormatVersion,
            ["epoch"] = epoch,
            ["stop_requested"] = stopRequested,
            ["run"] = run.DeepClone(),
            ["history"] = HistoryJson.Write(history),
            ["callbacks"] = callbackMeta,
        };
        sections.Insert(0, ("meta.json", Encoding.UTF8.GetBytes(meta.ToJsonString(new JsonSerializerOptions { WriteIndented = true }))));
        sections.Insert(1, ("model", Serialize(w => TensorBytes.WriteDictionary(w, model.state_dict()))));
        sections.Insert(2, ("optimizer", Serialize(helper.save_state_dict)));
        using (var state = torch.random.get_rng_state())
            sections.Insert(3, ("rng.torch", TensorBytes.Of(state)));
        using (var state = shuffle.get_state())
            sections.Insert(4, ("rng.shuffle", TensorBytes.Of(state)));
        AtomicFile.Write(path, stream => CheckpointContainer.Write(stream, sections), beforeRename);
    }

    internal static int EpochOf(string path)
    {
        string name = System.IO.Path.GetFileNameWithoutExtension(path);
        return name.StartsWith(FilePrefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(FilePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int epoch) ? epoch : 0;
    }

    private void RestoreWeightsCheckOnly(nn.Module model)
    {
        var target = model.state_dict();
        bool fits = target.Count == modelState.Count && target.All(kv =>
            modelState.TryGetValue(kv.Key, out var saved) && saved.shape.SequenceEqual(kv.Value.shape) && saved.dtype == kv.Value.dtype);
        if (!fits) RestoreWeights(model); // throws with the full list of differences
    }

    private static byte[] Serialize(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) write(writer);
        return stream.ToArray();
    }

    private static byte[] Section(Dictionary<string, byte[]> sections, string name) =>
        sections.TryGetValue(name, out var data) ? data : throw new FormatException($"section '{name}' is missing");

    private static void Release(Dictionary<string, Tensor>? model, List<Dictionary<string, Tensor>> callbacks)
    {
        if (model is not null) foreach (var t in model.Values) t.Dispose();
        foreach (var dict in callbacks) foreach (var t in dict.Values) t.Dispose();
        model?.Clear();
        callbacks.Clear();
    }
}
