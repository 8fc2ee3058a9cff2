using System.IO.Compression;
using System.Runtime.InteropServices;
using TorchLstm.Export.Archive;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Export;

public static partial class TorchScript
{
    /// <summary>
    /// Loads a TorchScript file (one written by <see cref="Save"/>, <c>torch.jit.save</c> or libtorch)
    /// as a callable module, after checking in .NET that it is a complete archive: a zip whose entries
    /// pass their CRC check and that holds <c>data.pkl</c>, <c>version</c> and TorchScript code. A
    /// damaged file thus gives a <see cref="TorchScriptFormatException"/> naming it, not a libtorch error.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The module, in eval mode; dispose it when done.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="TorchScriptFormatException">The file is not a valid TorchScript archive.</exception>
    public static jit.ScriptModule<Tensor, Tensor> Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"TorchScript file '{path}' does not exist", path);
        CheckArchive(path);
        try
        {
            var module = jit.load<Tensor, Tensor>(path);
            module.eval();
            return module;
        }
        catch (Exception e) when (e is ExternalException or InvalidOperationException or ArgumentException)
        {
            throw new TorchScriptFormatException(path, $"libtorch could not load it ({FirstLine(e.Message)})", e);
        }
    }

    private static void CheckArchive(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            if (zip.Entries.Count == 0)
                throw new TorchScriptFormatException(path, "the zip archive is empty; expected data.pkl, version and code/ records");
            foreach (var entry in zip.Entries)
            {
                using var stream = entry.Open();
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                if (buffer.Length != entry.Length || System.IO.Hashing.Crc32.HashToUInt32(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) != entry.Crc32)
                    throw new TorchScriptFormatException(path, $"entry '{entry.FullName}' is truncated or corrupted (its CRC-32 does not match)");
            }
            string[] required = ["data.pkl", "version"];
            foreach (var name in required)
                if (!zip.Entries.Any(e => e.FullName.EndsWith("/" + name, StringComparison.Ordinal)))
                    throw new TorchScriptFormatException(path, $"the archive has no '{name}' record; it is a zip but not a TorchScript file " +
                        "(a state dict from torch.save or module.save loads with load_state_dict, not jit.load)");
            if (!zip.Entries.Any(e => e.FullName.Contains("/code/", StringComparison.Ordinal)))
                throw new TorchScriptFormatException(path, "the archive has no TorchScript code (code/*.py); it was not written by torch.jit.save");
        }
        catch (InvalidDataException e)
        {
            throw new TorchScriptFormatException(path, $"not a zip archive, or a truncated one ({e.Message}); TorchScript files are zip archives", e);
        }
    }

    private static string FirstLine(string message) =>
        message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? message;
}
