using System.Globalization;
using System.Text.Json.Nodes;

namespace TorchLstm.Training;

/// <summary>
/// History to and from JSON inside a checkpoint. Doubles are written round-trippably; non-finite
/// values (a NaN loss) become strings, since JSON has no NaN.
/// </summary>
internal static class HistoryJson
{
    public static JsonObject Write(History history)
    {
        var epochs = new JsonArray();
        foreach (var e in history.Epochs)
        {
            var metrics = new JsonObject();
            foreach (var (name, value) in e.Metrics) metrics[name] = Number(value);
            epochs.Add(new JsonObject
            {
                ["epoch"] = e.Epoch,
                ["loss"] = Number(e.Loss),
                ["val_loss"] = e.ValidationLoss is { } v ? Number(v) : null,
                ["metrics"] = metrics,
                ["lr"] = Number(e.LearningRate),
                ["seconds"] = Number(e.Seconds),
            });
        }
        var changes = new JsonArray();
        foreach (var c in history.LearningRateChanges)
            changes.Add(new JsonObject { ["epoch"] = c.Epoch, ["old"] = Number(c.OldLearningRate), ["new"] = Number(c.NewLearningRate) });
        return new JsonObject
        {
            ["epochs"] = epochs,
            ["lr_changes"] = changes,
            ["stop_reason"] = history.StopReason.ToString(),
            ["stop_message"] = history.StopMessage,
            ["best_epoch"] = history.BestEpoch,
            ["monitor"] = history.Monitor,
        };
    }

    /// <summary>Fills an empty history.</summary>
    /// <exception cref="FormatException">A field is missing or malformed.</exception>
    public static void ReadInto(JsonObject json, History history)
    {
        foreach (var node in Array(json, "epochs"))
        {
            var e = node!.AsObject();
            var metrics = new Dictionary<string, double>();
            foreach (var (name, value) in Object(e, "metrics")) metrics[name] = ToDouble(value, name);
            history.Add(new EpochRecord(
                e["epoch"]!.GetValue<int>(), ToDouble(e["loss"], "loss"),
                e["val_loss"] is { } v ? ToDouble(v, "val_loss") : null, metrics,
                ToDouble(e["lr"], "lr"), ToDouble(e["seconds"], "seconds")));
        }
        foreach (var node in Array(json, "lr_changes"))
        {
            var c = node!.AsObject();
            history.AddLearningRateChange(new LearningRateChange(c["epoch"]!.GetValue<int>(), ToDouble(c["old"], "old"), ToDouble(c["new"], "new")));
        }
        history.StopReason = Enum.Parse<StopReason>(json["stop_reason"]!.GetValue<string>());
        history.StopMessage = json["stop_message"]?.GetValue<string>();
        history.BestEpoch = json["best_epoch"]?.GetValue<int>();
        history.Monitor = json["monitor"]?.GetValue<string>();
    }

    public static JsonNode Number(double value) =>
        double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(value.ToString("R", CultureInfo.InvariantCulture));

    public static double ToDouble(JsonNode? node, string name) => node switch
    {
        JsonValue value when value.TryGetValue(out double d) => d,
        JsonValue value when value.TryGetValue(out string? s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new FormatException($"'{name}' is not a number"),
    };

    private static JsonArray Array(JsonObject json, string name) =>
        json[name] as JsonArray ?? throw new FormatException($"'{name}' is missing");

    private static JsonObject Object(JsonObject json, string name) =>
        json[name] as JsonObject ?? throw new FormatException($"'{name}' is missing");
}
