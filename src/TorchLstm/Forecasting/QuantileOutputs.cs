namespace TorchLstm.Forecasting;

/// <summary>
/// Reads the outputs of a network trained with <see cref="Training.Loss.Quantile"/> and a point output: each
/// horizon step holds K = 1 + quantiles values side by side, the point forecast first.
/// </summary>
internal static class QuantileOutputs
{
    /// <summary>Splits raw outputs [row, horizon·K] into point forecasts [row, step] and quantiles [row, step, level].</summary>
    /// <remarks>
    /// The quantiles of each step are sorted (monotone rearrangement, Chernozhukov et al. 2010): separately
    /// trained outputs can cross, and sorting them never makes an estimate worse while keeping every interval's
    /// width non-negative.
    /// </remarks>
    public static (double[,] Point, double[,,] Quantiles) Split(double[] flat, int rows, int horizon, int levels)
    {
        int perStep = levels + 1;
        if (flat.Length != rows * horizon * perStep)
            throw new InvalidOperationException(
                $"the network returned {flat.Length} values for {rows} windows; a horizon of {horizon} with a point and {levels} quantiles per step needs {rows * horizon * perStep}");
        var point = new double[rows, horizon];
        var quantiles = new double[rows, horizon, levels];
        var step = new double[levels];
        for (int i = 0; i < rows; i++)
        {
            for (int h = 0; h < horizon; h++)
            {
                int offset = (i * horizon + h) * perStep;
                point[i, h] = flat[offset];
                Array.Copy(flat, offset + 1, step, 0, levels);
                Array.Sort(step);
                for (int q = 0; q < levels; q++) quantiles[i, h, q] = step[q];
            }
        }
        return (point, quantiles);
    }
}
