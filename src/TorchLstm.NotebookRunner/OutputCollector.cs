using System.Text;

namespace TorchLstm.NotebookRunner;

/// <summary>Gathers one cell's outputs in order; consecutive writes to the same stream merge into one output.</summary>
internal sealed class OutputCollector
{
    private readonly List<CellOutput> _outputs = [];
    private readonly Lock _gate = new();
    private StringBuilder? _openStream;
    private string? _openStreamName;

    public void Write(string streamName, string text)
    {
        if (string.IsNullOrEmpty(text)) return;
        lock (_gate)
        {
            if (_openStreamName != streamName) CloseStream();
            _openStreamName = streamName;
            (_openStream ??= new StringBuilder()).Append(text);
        }
    }

    public void Add(RichOutput output)
    {
        lock (_gate)
        {
            CloseStream();
            _outputs.Add(output);
        }
    }

    public IReadOnlyList<CellOutput> Finish()
    {
        lock (_gate)
        {
            CloseStream();
            return _outputs.ToArray();
        }
    }

    private void CloseStream()
    {
        if (_openStream is { Length: > 0 }) _outputs.Add(new StreamOutput(_openStreamName!, _openStream.ToString()));
        _openStream = null;
        _openStreamName = null;
    }
}

/// <summary>
/// Routes console output written while a cell runs to that cell's collector. Tests run in parallel, so
/// swapping <see cref="Console.Out"/> per cell would steal other tests' output; instead one routing
/// writer is installed for good and the current cell is found through an <see cref="AsyncLocal{T}"/>,
/// which follows the cell's tasks and nothing else.
/// </summary>
internal static class ConsoleCapture
{
    private static readonly AsyncLocal<OutputCollector?> Current = new();
    private static readonly Lock Gate = new();
    private static bool installed;

    public static IDisposable Begin(OutputCollector collector)
    {
        Install();
        var previous = Current.Value;
        Current.Value = collector;
        return new Restore(previous);
    }

    private static void Install()
    {
        lock (Gate)
        {
            if (installed) return;
            Console.SetOut(new RoutingWriter(Console.Out, "stdout"));
            Console.SetError(new RoutingWriter(Console.Error, "stderr"));
            installed = true;
        }
    }

    private sealed class Restore(OutputCollector? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }

    private sealed class RoutingWriter(TextWriter fallback, string streamName) : TextWriter
    {
        public override Encoding Encoding => fallback.Encoding;

        public override void Write(char value) => Write(value.ToString());

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void Write(string? value)
        {
            if (value is null) return;
            if (Current.Value is { } collector) collector.Write(streamName, value);
            else lock (fallback) fallback.Write(value);
        }

        public override void WriteLine(string? value) => Write(value + NewLine);

        public override void WriteLine() => Write(NewLine);

        public override void Flush()
        {
            if (Current.Value is null) fallback.Flush();
        }
    }
}
