using System.Text.Json.Nodes;
using TorchLstm.IO;
using TorchLstm.Training;
using TorchSharp;

namespace TorchLstm.Cli;

/// <summary>
/// How the experiment scripts write their results: each file appears whole or not at all (written to
/// a temporary file in the same folder, flushed, then renamed), so an interrupted run never leaves a
/// half-written <c>metrics.json</c> behind.
/// </summary>
public static class ResultFiles
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically; creates the folder.</summary>
    public static void Write(string path, Action<Stream> write) => AtomicFile.Write(path, write);

    /// <summary>Writes UTF-8 text (no byte-order mark) atomically.</summary>
    public static void WriteAllText(string path, string text) => AtomicFile.WriteAllText(path, text);

    /// <summary>Writes indented JSON atomically.</summary>
    public static void WriteJson(string path, JsonNode json) => AtomicFile.WriteJson(path, json);

    /// <summary>SHA-256 of a module's state dict (names, shapes, dtypes and bytes), for recording that two runs ended bit-identical.</summary>
    public static string WeightsSha256(torch.nn.Module module) => WeightHash.Sha256(module);
}
