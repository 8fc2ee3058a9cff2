namespace TorchLstm.NotebookRunner;

/// <summary>How the runner executes a notebook.</summary>
public sealed record NotebookRunOptions
{
    /// <summary>
    /// Environment variables set while the notebook runs and restored afterwards, for example
    /// <c>TORCHLSTM_NOTEBOOK_QUICK=1</c> for a short run under test. A null value unsets the variable.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// Package sources the kernel is given before the first cell (as <c>#i "nuget: ..."</c> would), for
    /// example the folder the working tree's TorchLstm package was packed into.
    /// </summary>
    public IReadOnlyList<string> PackageSources { get; init; } = [];

    /// <summary>Where to report each cell's progress (number and seconds), or null for silence.</summary>
    public TextWriter? Progress { get; init; }

    /// <summary>The name of the environment variable notebooks read to run a shorter version of themselves.</summary>
    public const string QuickVariable = "TORCHLSTM_NOTEBOOK_QUICK";

    /// <summary>Options for a quick run (<see cref="QuickVariable"/> set to 1).</summary>
    public static NotebookRunOptions Quick { get; } = new() { Environment = new Dictionary<string, string?> { [QuickVariable] = "1" } };
}
