using System.Reflection;
using Microsoft.Data.Analysis;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>Small datasets shipped inside the library, and the seed example's synthetic series.</summary>
public static class BundledDatasets
{
    /// <summary>File names of the bundled CSV files.</summary>
    public static IReadOnlyList<string> FileNames { get; } = ["seattle-weather.csv", "co2-concentration.csv", "stocks.csv", WordLanguages.FileName];

    /// <summary>
    /// Daily Seattle weather 2012–2015 (1461 rows): date, precipitation, temp_max, temp_min, wind, weather.
    /// </summary>
    public static DataFrame SeattleWeather() => CsvFrame.Parse(ReadCsvText("seattle-weather.csv"));

    /// <summary>Monthly Mauna Loa CO₂ concentration (ppm) from 1958: Date, CO2, adjusted CO2.</summary>
    public static DataFrame Co2Concentration() => CsvFrame.Parse(ReadCsvText("co2-concentration.csv"));

    /// <summary>Monthly stock prices 2000–2010: symbol, date (like "Jan 1 2000"), price.</summary>
    /// <param name="symbol">Keep only this ticker (for example "MSFT"); null keeps all.</param>
    /// <exception cref="ArgumentException">The symbol is not in the file (the message lists those that are).</exception>
    public static DataFrame Stocks(string? symbol = null)
    {
        var frame = CsvFrame.Parse(ReadCsvText("stocks.csv"));
        if (symbol is null) return frame;
        var symbols = (StringDataFrameColumn)frame.Columns["symbol"];
        var keep = symbols.ElementwiseEquals(symbol);
        if (!keep.Any(k => k == true))
            throw new ArgumentException(
                $"symbol '{symbol}' is not in the stocks dataset; available: {string.Join(", ", symbols.Distinct().OrderBy(s => s, StringComparer.Ordinal))}",
                nameof(symbol));
        return frame.Filter(keep);
    }

    /// <summary>The raw text of a bundled CSV file.</summary>
    /// <param name="fileName">One of <see cref="FileNames"/>.</param>
    /// <exception cref="ArgumentException">No bundled file has that name.</exception>
    public static string ReadCsvText(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var assembly = typeof(BundledDatasets).Assembly;
        using Stream? stream = assembly.GetManifestResourceStream($"TorchLstm.Datasets.{fileName}");
        if (stream is null)
            throw new ArgumentException($"no bundled dataset is named '{fileName}'; available: {string.Join(", ", FileNames)}", nameof(fileName));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// The seed example's series: <c>y = sin(x) + noise · N(0, 1)</c> with <c>x = linspace(0, end, points)</c>,
    /// float32 shaped [points], the same for the same seed.
    /// </summary>
    /// <param name="points">Number of samples, at least 2.</param>
    /// <param name="end">Last x value (the first is 0); positive and finite.</param>
    /// <param name="noise">Standard deviation of the Gaussian noise; 0 or more.</param>
    /// <param name="seed">Seed of the torch generator that draws the noise.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is outside its accepted range.</exception>
    public static Tensor NoisySine(int points = 1000, double end = 50, double noise = 0.1, long seed = 42)
    {
        if (points < 2) throw new ArgumentOutOfRangeException(nameof(points), points, "points must be at least 2");
        if (!(end > 0) || !double.IsFinite(end)) throw new ArgumentOutOfRangeException(nameof(end), end, "end must be a positive finite number");
        if (!(noise >= 0) || !double.IsFinite(noise)) throw new ArgumentOutOfRangeException(nameof(noise), noise, "noise must be a finite number ≥ 0");
        using var scope = torch.NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        var x = torch.linspace(0, end, points, dtype: ScalarType.Float64);
        var y = x.sin() + noise * torch.randn(points, dtype: ScalarType.Float64, generator: generator);
        return y.to(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
