using System.Globalization;
using System.Runtime.CompilerServices;
using TorchSharp;

namespace TorchLstm;

/// <summary>
/// Chooses libtorch's intra-op thread count for a piece of work, so that training and prediction are fast
/// without tuning: small models and busy machines get one thread, large models on idle cores get them all.
/// </summary>
/// <remarks>
/// <para>Measured on a 2-core machine (<c>experiments/threads.cs</c>, interleaved pairs; README, Performance):
/// with the machine busy, a second thread made every model from 1 → 16 to 1 → 256 → 256 five to twenty
/// times slower, because the threads of each small operation wait for a core; on an idle machine two
/// threads made the seed model's epoch (37,571 parameters, batch 32) 0.76× as long. An operation-level
/// choice cannot see the load, so this one does: it uses more than one thread only when the model does
/// enough work per step (parameters × batch at least <see cref="MinWorkForSeveralThreads"/>) and the
/// one-minute load average leaves cores idle; never more threads than idle cores.</para>
/// <para>An explicit count (<see cref="Training.TrainingOptions.Threads"/>, the <c>threads</c> argument of
/// <see cref="Training.ExperimentRunner.Predict"/>) is always used as given, and when the <c>OMP_NUM_THREADS</c>
/// environment variable is set libtorch's count is left as that variable made it.</para>
/// </remarks>
public static class TorchThreads
{
    /// <summary>
    /// Parameters × batch size from which a model's per-step products are large enough to share among
    /// threads (the seed model, 37,571 parameters × batch 32, is just above it and was measured faster with two).
    /// </summary>
    public const long MinWorkForSeveralThreads = 1_000_000;

    /// <summary>The thread count the automatic rule picks for a model with <paramref name="parameters"/> parameters run in batches of <paramref name="batchSize"/>.</summary>
    /// <param name="parameters">Number of trainable values (sum of the parameter tensors' element counts).</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    /// <param name="cores">Logical processors available; the machine's when null.</param>
    /// <param name="loadAverage">The one-minute load average; read from the system when null (0 where it cannot be read).</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, or cores is below 1.</exception>
    public static int Choose(long parameters, long batchSize, int? cores = null, double? loadAverage = null)
    {
        if (parameters < 0) throw new ArgumentOutOfRangeException(nameof(parameters), parameters, "parameters must be 0 or more");
        if (batchSize < 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be 0 or more");
        int available = cores ?? Environment.ProcessorCount;
        if (available < 1) throw new ArgumentOutOfRangeException(nameof(cores), available, "cores must be 1 or more");
        if (parameters * batchSize < MinWorkForSeveralThreads) return 1;
        double load = loadAverage ?? ReadLoadAverage() ?? 0;
        int idle = available - (int)Math.Ceiling(Math.Max(0, load) - 0.25);
        return Math.Clamp(idle, 1, available);
    }

    /// <summary>
    /// Sets libtorch's intra-op thread count for the work about to run and puts the previous count back when
    /// disposed. libtorch's count is process-wide: concurrent callers that choose differently overwrite each
    /// other's choice (speed changes; results can differ in the last bits, as with any thread count).
    /// <paramref name="explicitThreads"/> wins when given; otherwise <see cref="Choose"/> decides from the model's size, unless <c>OMP_NUM_THREADS</c> is set.
    /// </summary>
    /// <param name="explicitThreads">A caller's own choice, or null for the automatic rule.</param>
    /// <param name="model">The model whose parameters measure the work.</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    /// <returns>A scope to dispose when the work is done.</returns>
    public static IDisposable Use(int? explicitThreads, torch.nn.Module model, long batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        int? wanted = explicitThreads;
        if (wanted is null && Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null)
            wanted = Choose(ParameterCount(model), batchSize);
        int previous = torch.get_num_threads();
        if (wanted is not { } threads || threads == previous) return NoChange.Instance;
        torch.set_num_threads(threads);
        return new Restore(previous);
    }

    // Counted once per model: Predict may be called thousands of times, and walking the module tree each time costs more than a small forward pass.
    private static readonly ConditionalWeakTable<torch.nn.Module, StrongBox<long>> Counts = [];

    private static long ParameterCount(torch.nn.Module model) => Counts.GetValue(model, m =>
    {
        long count = 0;
        foreach (var p in m.parameters()) count += p.numel();
        return new StrongBox<long>(count);
    }).Value;

    /// <summary>The one-minute load average on Linux; null elsewhere or when it cannot be read.</summary>
    internal static double? ReadLoadAverage()
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return null;
            string text = File.ReadAllText("/proc/loadavg");
            int space = text.IndexOf(' ', StringComparison.Ordinal);
            return double.TryParse(space > 0 ? text[..space] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out double load) ? load : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private sealed class Restore(int previous) : IDisposable
    {
        private bool done;

        public void Dispose()
        {
            if (done) return;
            done = true;
            torch.set_num_threads(previous);
        }
    }

    private sealed class NoChange : IDisposable
    {
        public static readonly NoChange Instance = new();

        public void Dispose() { }
    }
}
