using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace TorchLstm.NotebookRunner;

/// <summary>Turns the kernel's events for one cell into the outputs a notebook front end stores.</summary>
internal static class CellOutputs
{
    /// <summary>
    /// Displays and results with all their MIME types, console text merged per stream, and a display
    /// updated in place (by its value id) kept once, in its last state, where it first appeared.
    /// </summary>
    public static IReadOnlyList<CellOutput> From(IEnumerable<KernelEvent> events)
    {
        var outputs = new List<CellOutput>();
        var displayIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            switch (e)
            {
                case StandardOutputValueProduced stdout:
                    AppendStream(outputs, "stdout", Text(stdout.FormattedValues));
                    break;
                case StandardErrorValueProduced stderr:
                    AppendStream(outputs, "stderr", Text(stderr.FormattedValues));
                    break;
                case ReturnValueProduced result:
                    outputs.Add(new RichOutput(Data(result.FormattedValues), IsResult: true));
                    break;
                case DisplayedValueUpdated updated:
                    // A front end replaces the display with that id, and ignores an update for an id it never
                    // showed (as the final release's Kernel.display(...).Update(...) sends: see the README).
                    if (updated.ValueId is { } id && displayIndex.TryGetValue(id, out int index))
                        outputs[index] = new RichOutput(Data(updated.FormattedValues), IsResult: false);
                    break;
                case DisplayedValueProduced display:
                    if (display.FormattedValues.All(v => v.SuppressDisplay)) break;
                    if (display.ValueId is { } valueId) displayIndex[valueId] = outputs.Count;
                    outputs.Add(new RichOutput(Data(display.FormattedValues), IsResult: false));
                    break;
            }
        }
        return outputs;
    }

    private static Dictionary<string, string> Data(IEnumerable<FormattedValue> values) =>
        values.Where(v => !v.SuppressDisplay)
            .GroupBy(v => v.MimeType, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

    private static string Text(IEnumerable<FormattedValue> values) =>
        values.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value ?? "";

    private static void AppendStream(List<CellOutput> outputs, string stream, string text)
    {
        if (text.Length == 0) return;
        if (outputs.Count > 0 && outputs[^1] is StreamOutput last && last.StreamName == stream)
            outputs[^1] = last with { Text = last.Text + text };
        else
            outputs.Add(new StreamOutput(stream, text));
    }
}
