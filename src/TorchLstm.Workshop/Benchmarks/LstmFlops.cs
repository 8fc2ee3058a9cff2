namespace TorchLstm.Benchmarks;

/// <summary>
/// Counts the floating-point operations of the matrix products in an LSTM network, the work a fast
/// implementation cannot avoid; the element-wise gate arithmetic (a few operations per hidden unit)
/// is left out, as is usual when comparing against a matrix-multiply peak.
/// </summary>
/// <remarks>
/// A product of an (m × k) and a (k × n) matrix costs <c>2·m·k·n</c> operations (a multiply and an add
/// per term). One LSTM step of a layer with input size I and hidden size H on a batch of B computes the
/// four gates from <c>x_t</c> and <c>h_{t−1}</c>: <c>2·B·(I + H)·4H</c>. Backpropagation needs two
/// products of the same size per forward product (the gradient with respect to the input and to the
/// weights), so a training step costs three times the forward products.
/// </remarks>
public static class LstmFlops
{
    /// <summary>Operations of one (m × k)·(k × n) matrix product: <c>2·m·k·n</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is below 1.</exception>
    public static double MatrixProduct(long m, long k, long n)
    {
        Positive(m, nameof(m));
        Positive(k, nameof(k));
        Positive(n, nameof(n));
        return 2.0 * m * k * n;
    }

    /// <summary>Forward matrix-product operations of one LSTM layer over a whole sequence: <c>2·B·T·(I + H)·4H</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public static double LayerForward(long batch, long steps, long inputSize, long hiddenSize)
    {
        Positive(batch, nameof(batch));
        Positive(steps, nameof(steps));
        Positive(inputSize, nameof(inputSize));
        Positive(hiddenSize, nameof(hiddenSize));
        return steps * MatrixProduct(batch, inputSize + hiddenSize, 4 * hiddenSize);
    }

    /// <summary>
    /// Forward matrix-product operations of stacked LSTM layers (each reading the previous one's
    /// hidden states) followed by a linear head on the last step.
    /// </summary>
    /// <param name="batch">Samples per batch.</param>
    /// <param name="steps">Time steps per sample.</param>
    /// <param name="inputSize">Features per step of the first layer.</param>
    /// <param name="hiddenSizes">Hidden size of each layer, first to last.</param>
    /// <param name="outputSize">Width of the head; 0 for no head.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 (outputSize below 0), or there are no layers.</exception>
    public static double NetworkForward(long batch, long steps, long inputSize, IReadOnlyList<int> hiddenSizes, long outputSize)
    {
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        if (hiddenSizes.Count == 0)
            throw new ArgumentOutOfRangeException(nameof(hiddenSizes), 0, "at least one LSTM layer is needed");
        if (outputSize < 0)
            throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "the head width must be 0 (no head) or more");
        double total = 0;
        long layerInput = inputSize;
        foreach (int hidden in hiddenSizes)
        {
            total += LayerForward(batch, steps, layerInput, hidden);
            layerInput = hidden;
        }
        if (outputSize > 0) total += MatrixProduct(batch, layerInput, outputSize);
        return total;
    }

    /// <summary>Matrix-product operations of one training step (forward plus backward): three times <see cref="NetworkForward"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">As <see cref="NetworkForward"/>.</exception>
    public static double NetworkTrainingStep(long batch, long steps, long inputSize, IReadOnlyList<int> hiddenSizes, long outputSize) =>
        3 * NetworkForward(batch, steps, inputSize, hiddenSizes, outputSize);

    private static void Positive(long value, string name)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be 1 or more");
    }
}
