namespace TorchLstm.Export;

/// <summary>
/// A file given to <see cref="TorchScript.Load"/> is not a loadable TorchScript archive: not a zip,
/// a zip without the records TorchScript needs, an entry whose CRC does not match (truncated or
/// corrupted), or code libtorch refuses. The message names the file and what was wrong.
/// </summary>
public sealed class TorchScriptFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file concerned.</param>
    /// <param name="message">What was wrong; the file name is prefixed.</param>
    /// <param name="innerException">The underlying error, when there is one.</param>
    public TorchScriptFormatException(string path, string message, Exception? innerException = null)
        : base($"TorchScript file '{path}': {message}", innerException)
    {
        Path = path;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public TorchScriptFormatException() : this("", "not a TorchScript archive") { }

    /// <summary>The file concerned.</summary>
    public string Path { get; }
}
