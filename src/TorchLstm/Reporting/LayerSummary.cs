namespace TorchLstm.Reporting;

/// <summary>How <see cref="ModelSummary"/> writes dimensions that depend on the batch size.</summary>
public enum BatchDimensionStyle
{
    /// <summary>Keras style: batch-dependent dimensions read <c>None</c>, e.g. <c>(None, 50, 60)</c>.</summary>
    ShowAsNone,

    /// <summary>torchsummary style: batch-dependent dimensions read <c>-1</c>, e.g. <c>(-1, 50, 60)</c>.</summary>
    ShowAsMinusOne,

    /// <summary>Shapes are shown exactly as the example forward pass produced them.</summary>
    ShowActualSize,
}

/// <summary>One row of a <see cref="ModelSummary"/>: a leaf layer, or the parameters a container registers itself.</summary>
/// <param name="Name">Path of the module in the module tree, as <c>named_modules()</c> spells it (e.g. <c>encoder.lstm</c>).</param>
/// <param name="Type">The module's .NET type name (e.g. <c>Linear</c>, <c>LSTM</c>).</param>
/// <param name="OutputShape">
/// Shape of the layer's (first) output on the example input, with batch-dependent dimensions as -1;
/// <see langword="null"/> when the layer did not run through <c>call()</c> or returned no tensor.
/// </param>
/// <param name="ExampleOutputShape">Shape of the first output exactly as the example forward pass produced it.</param>
/// <param name="Parameters">Number of parameter elements owned by this row.</param>
/// <param name="TrainableParameters">How many of <paramref name="Parameters"/> require gradients.</param>
/// <param name="IsOwnParametersOfContainer">
/// True when the row stands for parameters registered directly on a container module (its children have rows of their own).
/// </param>
public sealed record LayerSummary(
    string Name,
    string Type,
    IReadOnlyList<long>? OutputShape,
    IReadOnlyList<long>? ExampleOutputShape,
    long Parameters,
    long TrainableParameters,
    bool IsOwnParametersOfContainer = false)
{
    /// <summary>The output shape as text in the given style: <c>(None, 4)</c>, <c>(-1, 4)</c>, <c>(32, 4)</c>; <c>-</c> for container rows, <c>?</c> when unknown.</summary>
    public string FormatOutputShape(BatchDimensionStyle style)
    {
        if (IsOwnParametersOfContainer) return "-";
        if (ExampleOutputShape is null || OutputShape is null) return "?";
        var parts = new string[ExampleOutputShape.Count];
        for (int i = 0; i < parts.Length; i++)
        {
            bool batch = OutputShape[i] == -1;
            parts[i] = !batch || style == BatchDimensionStyle.ShowActualSize
                ? ExampleOutputShape[i].ToString(System.Globalization.CultureInfo.InvariantCulture)
                : style == BatchDimensionStyle.ShowAsNone ? "None" : "-1";
        }
        return parts.Length == 1 ? $"({parts[0]},)" : $"({string.Join(", ", parts)})";
    }
}
