using System.Runtime.InteropServices;
using System.Text;

namespace TorchLstm.IO;

/// <summary>
/// Flushes a folder's entries (names, renames) to disk, so that a file renamed into place survives a
/// power loss and not only a killed process.
/// </summary>
/// <remarks>
/// On Linux and macOS a rename is durable only once the folder itself is fsync'd (see <c>fsync(2)</c>);
/// .NET has no API for it because it refuses to open a folder as a file, so this calls the C library.
/// On Windows, NTFS journals the rename with the file's metadata and there is nothing to do.
/// </remarks>
internal static class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY is 0 on every Unix .NET runs on.
    private const int InvalidArgument = 22; // EINVAL: the file system cannot sync a folder.

    /// <summary>fsyncs <paramref name="directory"/> on Unix; does nothing elsewhere.</summary>
    /// <returns>Whether the folder was flushed: false on Windows, for a folder that cannot be opened, or on a file system that cannot sync folders.</returns>
    /// <exception cref="IOException">The file system reported an I/O error while flushing the folder.</exception>
    public static bool Flush(string directory)
    {
        if (OperatingSystem.IsWindows()) return false;
        byte[] path = Encoding.UTF8.GetBytes(directory + '\0');
        int descriptor = Open(path, ReadOnly);
        // A folder that cannot be opened for reading (no read permission) cannot be synced either; the
        // rename has already happened, so only durability across a power loss is lost.
        if (descriptor < 0) return false;
        try
        {
            if (Fsync(descriptor) != 0)
            {
                int error = Marshal.GetLastPInvokeError();
                if (error != InvalidArgument)
                    throw new IOException($"could not flush folder '{directory}' to disk after renaming a file into it (errno {error}); the file is in place but may not survive a power loss");
                return false;
            }
            return true;
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);
}
