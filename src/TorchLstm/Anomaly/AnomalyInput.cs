using System.Globalization;

namespace TorchLstm.Anomaly;

internal static class AnomalyInput
{
    public static double[] CheckErrors(IReadOnlyList<double>? errors, string paramName)
    {
        ArgumentNullException.ThrowIfNull(errors, paramName);
        if (errors.Count == 0)
            throw new ArgumentException("The error list is empty; give one error per point.", paramName);
        var copy = errors.ToArray();
        for (int i = 0; i < copy.Length; i++)
            if (!double.IsFinite(copy[i]))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Error {i} is {copy[i]}; errors must be finite numbers (check the predictions for NaN)."), paramName);
        return copy;
    }
}
