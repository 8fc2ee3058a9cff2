namespace TorchLstm.Experiments;

/// <summary>
/// Where an experiment that trains several models keeps each one's checkpoints: one subfolder per model
/// under the folder the user gave, so every model resumes from its own files.
/// </summary>
internal static class CheckpointFolders
{
    /// <summary>The subfolder for one model (null when checkpoints are off); name parts are made file-name safe.</summary>
    public static string? For(string? root, params string[] parts) =>
        root is null ? null : Path.Combine([root, .. parts.Select(Safe)]);

    private static string Safe(string part)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return new string(part.Select(c => invalid.Contains(c) || char.IsWhiteSpace(c) ? '_' : c).ToArray());
    }
}
