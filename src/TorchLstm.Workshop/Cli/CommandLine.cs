using System.Globalization;

namespace TorchLstm.Cli;

/// <summary>
/// Parses the <c>--name value</c> / <c>--switch</c> flags of the experiment scripts, rejecting unknown
/// flags and malformed values with a <see cref="UsageException"/> that names the flag.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="args"/>; a flag followed by another flag (or nothing) is a switch.</summary>
    /// <exception cref="UsageException">An argument does not start with <c>--</c> or a flag repeats.</exception>
    public CommandLine(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"unexpected argument '{arg}': flags look like --name value");
            string name = arg[2..];
            string? value = null;
            int eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) value = args[++i];
            if (!values.TryAdd(name, value))
                throw new UsageException($"flag --{name} is given twice");
        }
    }

    /// <summary>Whether a switch such as <c>--quick</c> was given.</summary>
    public bool Flag(string name)
    {
        read.Add(name);
        if (!values.TryGetValue(name, out var value)) return false;
        if (value is null) return true;
        return bool.TryParse(value, out bool parsed) ? parsed : throw new UsageException($"--{name} takes no value or true/false, got '{value}'");
    }

    /// <summary>The string value of <c>--name</c>, or <paramref name="fallback"/> when absent.</summary>
    public string String(string name, string fallback) => Optional(name) ?? fallback;

    /// <summary>The string value of <c>--name</c>, or null when absent.</summary>
    public string? Optional(string name)
    {
        read.Add(name);
        if (!values.TryGetValue(name, out var value)) return null;
        return value ?? throw new UsageException($"--{name} needs a value");
    }

    /// <summary>An integer flag, checked against an inclusive minimum.</summary>
    public int Int(string name, int fallback, int min = int.MinValue)
    {
        string? text = Optional(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw new UsageException($"--{name} must be a whole number, got '{text}'");
        if (value < min) throw new UsageException($"--{name} must be at least {min}, got {value}");
        return value;
    }

    /// <summary>A long integer flag (seeds).</summary>
    public long Long(string name, long fallback)
    {
        string? text = Optional(name);
        if (text is null) return fallback;
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
            ? value : throw new UsageException($"--{name} must be a whole number, got '{text}'");
    }

    /// <summary>A floating-point flag, checked to be finite and greater than <paramref name="exclusiveMin"/> when given.</summary>
    public double Double(string name, double fallback, double? exclusiveMin = null)
    {
        string? text = Optional(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new UsageException($"--{name} must be a number, got '{text}'");
        if (exclusiveMin is { } min && value <= min) throw new UsageException($"--{name} must be greater than {min.ToString(CultureInfo.InvariantCulture)}, got {text}");
        return value;
    }

    /// <summary>A comma-separated list flag (for example <c>--features a,b,c</c>), or null when absent.</summary>
    public IReadOnlyList<string>? List(string name) =>
        Optional(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A comma-separated integer list flag (for example <c>--hidden 64,32</c>).</summary>
    public int[] IntList(string name, int[] fallback)
    {
        var items = List(name);
        if (items is null) return fallback;
        return items.Select(item => int.TryParse(item, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0
            ? v : throw new UsageException($"--{name} must be a comma-separated list of positive whole numbers, got '{string.Join(',', items)}'")).ToArray();
    }

    /// <summary>
    /// The checkpoint flags every training experiment takes: <c>--checkpoint-dir DIR</c> (save the full
    /// training state after every epoch) and <c>--resume</c> (continue a killed run from it).
    /// </summary>
    /// <exception cref="UsageException"><c>--resume</c> was given without <c>--checkpoint-dir</c>.</exception>
    public (string? Directory, bool Resume) Checkpoints()
    {
        string? directory = Optional("checkpoint-dir");
        bool resume = Flag("resume");
        if (resume && directory is null)
            throw new UsageException("--resume needs --checkpoint-dir DIR: the folder the interrupted run saved its checkpoints in");
        return (directory, resume);
    }

    /// <summary>Throws when a flag was given that the script never asked about (a typo, usually).</summary>
    /// <exception cref="UsageException">Some flags are unknown; the message lists the known ones.</exception>
    public void RejectUnknown()
    {
        var unknown = values.Keys.Where(k => !read.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new UsageException($"unknown flag{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => "--" + u))}; known flags: {string.Join(", ", read.Order().Select(r => "--" + r))}");
    }
}

/// <summary>A command-line mistake: an unknown flag or a malformed value.</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception with a message naming the flag.</summary>
    public UsageException(string message) : base(message) { }
}
