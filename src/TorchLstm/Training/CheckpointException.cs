namespace TorchLstm.Training;

/// <summary>
/// A training checkpoint cannot be used: the file is missing, truncated or corrupted (its checksum
/// does not match), was written by another format version, or holds the state of a differently
/// shaped model, optimiser or callback list. The message names the file, what was wrong and what
/// is accepted.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The checkpoint file concerned.</param>
    /// <param name="message">What was wrong and what is accepted; the file name is prefixed.</param>
    /// <param name="innerException">The underlying error, when there is one.</param>
    public CheckpointException(string path, string message, Exception? innerException = null)
        : base($"checkpoint '{path}': {message}", innerException)
    {
        Path = path;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public CheckpointException() : this("", "the checkpoint cannot be used") { }

    /// <summary>The checkpoint file concerned.</summary>
    public string Path { get; }
}
