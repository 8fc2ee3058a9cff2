using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using TorchLstm.Export;
using TorchLstm.Export.Archive;
using TorchSharp;

namespace TorchLstm.Tests.Export;

public class ArchiveLayoutTests
{
    [Fact]
    public void Zip_entries_carry_the_standard_crc32()
    {
        using var buffer = new MemoryStream();
        var zip = new StoredZipWriter(buffer);
        zip.AddEntry("check", "123456789"u8.ToArray());
        zip.Finish();

        using var archive = new ZipArchive(new MemoryStream(buffer.ToArray()), ZipArchiveMode.Read);
        // 0xCBF43926 is CRC-32/ISO-HDLC's published check value for "123456789".
        Assert.Equal(0xCBF43926u, Assert.Single(archive.Entries).Crc32);
    }

    [Fact]
    public void Zip_entries_are_stored_64_byte_aligned_and_readable_by_a_standard_reader()
    {
        using var buffer = new MemoryStream();
        var zip = new StoredZipWriter(buffer);
        var contents = new Dictionary<string, byte[]>
        {
            ["a/version"] = "3\n"u8.ToArray(),
            ["a/data/0"] = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray(),
            ["a/a_rather_long_record_name.py"] = Encoding.UTF8.GetBytes("class X(Module):\n  pass\n"),
        };
        foreach (var (name, data) in contents) zip.AddEntry(name, data);
        zip.Finish();
        byte[] bytes = buffer.ToArray();

        using var archive = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        Assert.Equal(contents.Keys, archive.Entries.Select(e => e.FullName));
        foreach (var entry in archive.Entries)
        {
            Assert.Equal(entry.Length, entry.CompressedLength); // stored, not deflated
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Assert.Equal(contents[entry.FullName], copy.ToArray());
        }

        // Walk the local headers: every entry's data must start on a 64-byte boundary.
        int offset = 0;
        for (int i = 0; i < contents.Count; i++)
        {
            Assert.Equal(0x04034b50u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset)));
            Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(offset + 8))); // method: stored
            int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 18));
            int dataStart = offset + 30 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(offset + 26)) + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(offset + 28));
            Assert.Equal(0, dataStart % 64);
            offset = dataStart + size;
        }
    }

    [Fact]
    public void Archive_is_laid_out_like_torch_jit_save()
    {
        torch.manual_seed(1);
        string path = Path.Combine(Path.GetTempPath(), $"layout_{Guid.NewGuid():N}.pt");
        try
        {
            TorchScript.Save(new LastStepRegressor(), path, ExportCases.Options);
            using var archive = ZipFile.OpenRead(path);
            string prefix = Path.GetFileNameWithoutExtension(path) + "/";
            var names = archive.Entries.Select(e => e.FullName).ToList();
            Assert.All(names, n => Assert.StartsWith(prefix, n));
            string Read(string name)
            {
                using var reader = new StreamReader(archive.GetEntry(prefix + name)!.Open());
                return reader.ReadToEnd();
            }
            Assert.Equal("3\n", Read("version"));
            Assert.Contains(prefix + "data.pkl", names);
            Assert.Contains(prefix + "constants.pkl", names);
            // 8 LSTM tensors + Linear weight and bias, one storage each.
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{prefix}data/{i}"), names.Where(n => n.Contains("/data/")));
            string rnn = Read("code/__torch__/torch/nn/modules/rnn.py");
            Assert.StartsWith("class LSTM(Module):\n  __parameters__ = [\"weight_ih_l0\", \"weight_hh_l0\", \"bias_ih_l0\", \"bias_hh_l0\", ", rnn);
            Assert.Contains("\n  weight_hh_l1 : Tensor\n", rnn);
            Assert.Contains("\n  training : bool\n", rnn);
            Assert.Contains("\n  batch_first : Final[bool] = True\n", rnn);
            string root = Read("code/__torch__/TorchLstm/Tests.py");
            Assert.Contains("\n  lstm : __torch__.torch.nn.modules.rnn.LSTM\n", root);
            Assert.Contains("\n  head : __torch__.torch.nn.modules.linear.Linear\n", root);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Two_differently_configured_modules_of_one_type_get_mangled_classes()
    {
        torch.manual_seed(1);
        string path = Path.Combine(Path.GetTempPath(), $"mangle_{Guid.NewGuid():N}.pt");
        try
        {
            // Two Dropouts with different p compile to different sources; the two Linears share one class.
            TorchScript.Save(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.1), torch.nn.Linear(2, 2), torch.nn.Dropout(0.2)), path);
            using var archive = ZipFile.OpenRead(path);
            var code = archive.Entries.Select(e => e.FullName).Where(n => n.Contains("/code/")).Order().ToList();
            Assert.Equal(4, code.Count);
            Assert.Contains(code, n => n.EndsWith("/code/__torch__/torch/nn/modules/dropout.py", StringComparison.Ordinal));
            Assert.Contains(code, n => n.EndsWith("/code/__torch__/torch/nn/modules/dropout/___torch_mangle_0.py", StringComparison.Ordinal));
            using var loaded = torch.jit.load(path);
            Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], loaded.named_parameters().Select(p => p.name));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
