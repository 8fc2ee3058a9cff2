using System.Globalization;

namespace TorchLstm.Reporting;

/// <summary>Checks plot inputs so that bad data fails with a message naming the series, not with a blank or broken image.</summary>
internal static class PlotInput
{
    private const int MinPixels = 16, MaxPixels = 8192;

    public static PlotOptions CheckOptions(PlotOptions? options)
    {
        options ??= new PlotOptions();
        if (options.Width is < MinPixels or > MaxPixels)
            throw new ArgumentOutOfRangeException(nameof(options), options.Width, $"Plot width must be between {MinPixels} and {MaxPixels} pixels.");
        if (options.Height is < MinPixels or > MaxPixels)
            throw new ArgumentOutOfRangeException(nameof(options), options.Height, $"Plot height must be between {MinPixels} and {MaxPixels} pixels.");
        return options;
    }

    public static void CheckPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("The output path is empty; give a file path such as plots/loss.png.", nameof(path));
        if (Directory.Exists(path))
            throw new ArgumentException($"The output path '{path}' is a directory; give a file path such as {Path.Combine(path, "plot.png")}.", nameof(path));
    }

    /// <summary>Non-empty, every value finite, and positive when drawn on a log axis.</summary>
    public static double[] CheckSeries(IReadOnlyList<double>? values, string seriesName, string paramName, bool logScale = false)
    {
        if (values is null)
            throw new ArgumentNullException(paramName, $"Series '{seriesName}' is null.");
        if (values.Count == 0)
            throw new ArgumentException($"Series '{seriesName}' is empty; a plot needs at least one value.", paramName);
        var copy = new double[values.Count];
        for (int i = 0; i < copy.Length; i++)
        {
            double v = values[i];
            if (!double.IsFinite(v))
                throw new ArgumentException($"Series '{seriesName}' has {Describe(v)} at index {i}; only finite values can be plotted.", paramName);
            if (logScale && v <= 0)
                throw new ArgumentException($"Series '{seriesName}' has {v.ToString(CultureInfo.InvariantCulture)} at index {i}; a log axis needs values above 0.", paramName);
            copy[i] = v;
        }
        return copy;
    }

    public static void CheckSameLength(int expected, string expectedName, int actual, string actualName, string paramName)
    {
        if (expected != actual)
            throw new ArgumentException($"Series '{actualName}' has {actual} values but '{expectedName}' has {expected}; they must have the same length.", paramName);
    }

    public static void CheckSameLength<T>(int expected, string expectedName, IReadOnlyList<T>? actual, string actualName, string paramName)
    {
        if (actual is null)
            throw new ArgumentNullException(paramName, $"Series '{actualName}' is null.");
        CheckSameLength(expected, expectedName, actual.Count, actualName, paramName);
    }

    public static string Describe(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+infinity" : double.IsNegativeInfinity(value) ? "-infinity" : value.ToString(CultureInfo.InvariantCulture);
}
