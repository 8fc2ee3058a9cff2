using TorchLstm.IO;

namespace TorchLstm.Tests.IO;

public class DirectorySyncTests
{
    [Fact]
    public void Flushes_an_existing_folder_including_one_with_a_non_ascii_name()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"torchlstm-sync-données-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            // On Linux the call must reach fsync(2) and succeed; elsewhere there is nothing to flush.
            Assert.Equal(!OperatingSystem.IsWindows(), DirectorySync.Flush(folder));
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [Fact]
    public void A_folder_that_cannot_be_opened_is_not_flushed_and_does_not_throw()
    {
        Assert.False(DirectorySync.Flush(Path.Combine(Path.GetTempPath(), $"torchlstm-missing-{Guid.NewGuid():N}")));
    }
}
