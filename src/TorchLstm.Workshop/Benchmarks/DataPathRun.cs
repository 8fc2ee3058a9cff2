using System.Globalization;
using System.Text;
using TorchLstm.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Benchmarks;

/// <summary>Times the data path: windowing a long series, and a CSV file through the DataFrame into tensors.</summary>
public static class DataPathRun
{
    /// <summary>Milliseconds to window a <paramref name="points"/>-point series into (N, lookback, 1) inputs and (N, 1) targets.</summary>
    /// <param name="points">Length of the series.</param>
    /// <param name="lookback">Window length.</param>
    /// <param name="copy">Contiguous copies (true) or strided views (false); see <see cref="SlidingWindows.Create"/>.</param>
    public static double WindowingMs(int points, int lookback, bool copy)
    {
        using var scope = NewDisposeScope();
        var series = BundledDatasets.NoisySine(points, end: 0.05 * points, noise: 0.1, seed: 1).unsqueeze(1);
        return MachineProbe.TimeMs(() =>
        {
            using var windows = SlidingWindows.Create(series, lookback, horizon: 1, targetColumn: 0, copy: copy);
        });
    }

    /// <summary>
    /// Writes a CSV of <paramref name="rows"/> rows (columns <c>step,value,load</c>, numbers as a logger
    /// would write them) to <paramref name="path"/>.
    /// </summary>
    public static void WriteCsv(string path, int rows)
    {
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be 1 or more");
        var random = new Random(5);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16) { NewLine = "\n" };
        writer.WriteLine("step,value,load");
        var line = new StringBuilder(64);
        for (int r = 0; r < rows; r++)
        {
            double value = Math.Sin(r * 0.05) + 0.1 * (random.NextDouble() - 0.5);
            line.Clear();
            line.Append(r.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(value.ToString("0.######", CultureInfo.InvariantCulture)).Append(',')
                .Append((50 + 10 * random.NextDouble()).ToString("0.###", CultureInfo.InvariantCulture));
            writer.WriteLine(line);
        }
    }

    /// <summary>
    /// Milliseconds for CSV file → <see cref="CsvFrame"/> → <see cref="TimeSeriesTable"/> (target <c>value</c>,
    /// features <c>value</c> and <c>load</c>) → float32 tensor, and the time of the CSV parse alone.
    /// </summary>
    public static (double TotalMs, double ParseMs) CsvToTensorsMs(string path)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var frame = CsvFrame.Load(path);
        double parse = clock.Elapsed.TotalMilliseconds;
        using var table = TimeSeriesTable.FromDataFrame(frame, target: "value", features: ["value", "load"]);
        return (clock.Elapsed.TotalMilliseconds, parse);
    }
}
