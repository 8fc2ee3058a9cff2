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

    /// <summary>Checks an experiment's checkpoint settings, naming the options type in the message.</summary>
    /// <exception cref="ArgumentException">The folder is blank, or resuming is asked for without a folder.</exception>
    public static void Validate(string? directory, bool resume, string optionsType)
    {
        if (directory is not null && string.IsNullOrWhiteSpace(directory))
            throw new ArgumentException($"{optionsType}.CheckpointDirectory must be null (no checkpoints) or name a folder", "CheckpointDirectory");
        if (resume && directory is null)
            throw new ArgumentException($"{optionsType}.Resume needs a CheckpointDirectory to resume from", "Resume");
    }

    private static string Safe(string part)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return new string(part.Select(c => invalid.Contains(c) || char.IsWhiteSpace(c) ? '_' : c).ToArray());
    }
}
