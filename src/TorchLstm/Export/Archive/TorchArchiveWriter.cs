using System.Globalization;
using System.Text;

namespace TorchLstm.Export.Archive;

/// <summary>
/// Lays records out under one top-level folder, as torch's PyTorchStreamWriter does
/// (<c>archive/data.pkl</c>, <c>archive/data/0</c>, ..., <c>archive/version</c>); readers take the
/// folder name from the first entry and look every record up beneath it.
/// </summary>
internal sealed class TorchArchiveWriter
{
    /// <summary>
    /// File-format version written to the <c>version</c> record. 3 is what PyTorch 1.13 itself writes
    /// for models whose operators have no versioned upgraders, and every libtorch from 1.x to 2.10
    /// accepts it; records of version 6 and later would move to <c>.data/version</c>.
    /// </summary>
    public const int FileFormatVersion = 3;

    private readonly StoredZipWriter _zip;
    private readonly string _archiveName;

    public TorchArchiveWriter(Stream output, string archiveName)
    {
        ArgumentException.ThrowIfNullOrEmpty(archiveName);
        if (archiveName.Contains('/') || archiveName.Contains('\\'))
            throw new ArgumentException($"archive folder name '{archiveName}' must not contain a path separator", nameof(archiveName));
        _zip = new StoredZipWriter(output);
        _archiveName = archiveName;
    }

    public void WriteRecord(string name, ReadOnlySpan<byte> data) => _zip.AddEntry(_archiveName + "/" + name, data);

    public void WriteTextRecord(string name, string text) => WriteRecord(name, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes each storage as <c>data/key</c>.</summary>
    public void WriteStorages(TensorStorageTable storages)
    {
        foreach (var (key, bytes) in storages.Storages)
            WriteRecord("data/" + key, bytes);
    }

    /// <summary>Writes the version record and the zip directory.</summary>
    public void Finish()
    {
        WriteTextRecord("version", FileFormatVersion.ToString(CultureInfo.InvariantCulture) + "\n");
        _zip.Finish();
    }
}
