namespace TorchLstm.Notebooks;

/// <summary>
/// A PNG picture to show in a notebook: <c>display(PngImage.FromFile(path))</c> renders it inline in
/// .NET Interactive (Polyglot Notebooks, Jupyter) and is stored as an <c>image/png</c> output by the
/// project's notebook runner.
/// </summary>
/// <remarks>
/// .NET Interactive finds the formatter by convention (an attribute named
/// <c>TypeFormatterSourceAttribute</c>), so this library needs no reference to .NET Interactive.
/// </remarks>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = [NotebookFormatterSource.Png, NotebookFormatterSource.PlainText])]
public sealed class PngImage
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly byte[] _bytes;

    private PngImage(byte[] bytes, string? sourcePath)
    {
        _bytes = bytes;
        SourcePath = sourcePath;
    }

    /// <summary>The file the image was read from, or null when it was made from bytes.</summary>
    public string? SourcePath { get; }

    /// <summary>The PNG file's bytes (a copy, so the image cannot be changed after it was displayed).</summary>
    public byte[] GetBytes() => (byte[])_bytes.Clone();

    /// <summary>The image as base64 text, as notebooks store it.</summary>
    public string ToBase64() => Convert.ToBase64String(_bytes);

    /// <summary>Reads a PNG file (for example one written by <c>TorchLstm.Reporting.Plots</c>).</summary>
    /// <exception cref="ArgumentException">The path is blank or the file is not a PNG image.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static PngImage FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No PNG image at '{path}': write the plot first (for example with Plots.LossCurves).", path);
        var bytes = File.ReadAllBytes(path);
        CheckSignature(bytes, $"The file '{path}'", nameof(path));
        return new PngImage(bytes, Path.GetFullPath(path));
    }

    /// <summary>Wraps the bytes of a PNG image (copied).</summary>
    /// <exception cref="ArgumentException">The bytes do not start with the PNG signature.</exception>
    public static PngImage FromBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        CheckSignature(bytes, "The bytes", nameof(bytes));
        return new PngImage((byte[])bytes.Clone(), null);
    }

    /// <summary>A short description, used where an image cannot be shown.</summary>
    public override string ToString() =>
        SourcePath is null ? $"PNG image ({_bytes.Length} bytes)" : $"PNG image {Path.GetFileName(SourcePath)} ({_bytes.Length} bytes)";

    private static void CheckSignature(byte[] bytes, string what, string paramName)
    {
        if (bytes.Length < Signature.Length || !bytes.AsSpan(0, Signature.Length).SequenceEqual(Signature))
            throw new ArgumentException($"{what} are not a PNG image: a PNG starts with the 8-byte signature 89 50 4E 47 0D 0A 1A 0A.", paramName);
    }
}
