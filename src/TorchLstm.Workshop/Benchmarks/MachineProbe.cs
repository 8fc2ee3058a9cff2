using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Benchmarks;

/// <summary>What the machine can do and how busy it is: matrix-multiply peak, resident memory, load average.</summary>
public static class MachineProbe
{
    /// <summary>
    /// The best float32 throughput, in GFLOP/s, of <paramref name="tries"/> (n × n)·(n × n) products
    /// through libtorch with its current thread setting, after one untimed warm-up product.
    /// The best (not the median) is reported because a peak is what the hardware can reach.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> or <paramref name="tries"/> is below 1.</exception>
    public static double MatmulPeakGflops(int size = 2048, int tries = 5)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "size must be 1 or more");
        if (tries < 1) throw new ArgumentOutOfRangeException(nameof(tries), tries, "tries must be 1 or more");
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var a = rand(size, size, generator: generator);
        var b = rand(size, size, generator: generator);
        using (NewDisposeScope()) a.mm(b);
        double best = double.PositiveInfinity;
        for (int t = 0; t < tries; t++)
        {
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope()) a.mm(b);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return LstmFlops.MatrixProduct(size, size, size) / best / 1e9;
    }

    /// <summary>Resident set size of this process in bytes (VmRSS on Linux, the working set elsewhere).</summary>
    public static long ResidentBytes()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
        {
            foreach (string line in File.ReadLines(status))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long kib))
                    return kib * 1024;
            }
        }
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>
    /// The C heap as glibc's allocator sees it (<c>mallinfo2</c>): bytes obtained from the system and bytes
    /// in use by live allocations; null where glibc is not the allocator. Separates native memory (libtorch's
    /// tensors and TorchSharp's native objects) from the .NET heap inside the resident set.
    /// </summary>
    public static (long Obtained, long InUse)? NativeHeap()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var info = GlibcMallInfo.mallinfo2();
            return ((long)(info.Arena + info.MmapBytes), (long)(info.InUse + info.MmapBytes));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The 1-minute load average (runnable processes), or null where the system does not publish it.</summary>
    public static double? LoadAverage()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path)) return null;
        string[] parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 0 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double load) ? load : null;
    }

    /// <summary>Wall-clock milliseconds of <paramref name="action"/>.</summary>
    public static double TimeMs(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// Wall-clock and CPU milliseconds of <paramref name="action"/>. The CPU time is the whole process's (all its
    /// threads, the collector's included), so on a machine shared with other work it counts what this process
    /// computed and not the time it waited for a core; with one libtorch thread it is the work's own cost.
    /// </summary>
    public static (double WallMs, double CpuMs) TimeWallAndCpuMs(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        action();
        double wall = clock.Elapsed.TotalMilliseconds;
        return (wall, (Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds);
    }

    /// <summary>Microseconds of each of <paramref name="count"/> calls of <paramref name="call"/>, after <paramref name="warmup"/> untimed calls.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1 or <paramref name="warmup"/> below 0.</exception>
    public static double[] LatenciesMicroseconds(Action call, int count, int warmup = 10)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be 1 or more");
        if (warmup < 0) throw new ArgumentOutOfRangeException(nameof(warmup), warmup, "warmup must be 0 or more");
        for (int i = 0; i < warmup; i++) call();
        var latencies = new double[count];
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return latencies;
    }
}

/// <summary>glibc's <c>struct mallinfo2</c> (glibc 2.33 and later).</summary>
internal static class GlibcMallInfo
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    internal struct MallInfo2
    {
        public nuint Arena, FreeChunks, FastBins, MmapChunks, MmapBytes, MaxTotal, FastBinFree, InUse, Free, TopFree;
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    internal static extern MallInfo2 mallinfo2();
}
