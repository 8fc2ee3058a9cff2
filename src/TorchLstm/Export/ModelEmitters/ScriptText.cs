using System.Globalization;
using TorchLstm.Export.Emission;

namespace TorchLstm.Export.ModelEmitters;

/// <summary>Small pieces of TorchScript source the model emitters share.</summary>
internal static class ScriptText
{
    /// <summary>An integer literal, culture-independent.</summary>
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A float literal that round-trips exactly.</summary>
    public static string Float(double value) => ScriptClassBuilder.FormatFloat(value);

    /// <summary>A Python boolean literal.</summary>
    public static string Bool(bool value) => value ? "True" : "False";

    /// <summary>A double-quoted Python string literal.</summary>
    public static string String(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// Lines (indented for a method body) that raise with <paramref name="message"/> when
    /// <paramref name="condition"/> holds, so a wrongly shaped input fails with a readable error
    /// instead of deep inside an operator.
    /// </summary>
    public static string Guard(string condition, string message) =>
        $"  if {condition}:\n    ops.prim.RaiseException({String(message)})\n";

    /// <summary>The guard every batch-first float sequence model starts with: rank 3 and the expected feature count.</summary>
    public static string SequenceGuard(string modelName, string input, long features) =>
        Guard($"{input}.dim() != 3",
            $"{modelName} expects input shaped (batch, time, features={features}); got a tensor of another rank") +
        Guard($"{input}.size(2) != {Int(features)}",
            $"{modelName} expects {features} features in the last dimension, shape (batch, time, {features})");
}
