using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>
/// Boundary checks and layout changes shared by the from-scratch recurrent modules, so that a wrong
/// shape or dtype is reported in the caller's terms before libtorch sees it.
/// </summary>
internal static class RecurrentShapes
{
    internal static string Describe(Tensor tensor) => $"[{string.Join(", ", tensor.shape)}]";

    /// <summary>Checks constructor arguments common to <see cref="ScratchLstm"/> and <see cref="ScratchGru"/>.</summary>
    internal static void CheckHyperParameters(long inputSize, long hiddenSize, long numLayers, double dropout)
    {
        if (inputSize < 1)
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "input size must be at least 1 (the number of features per time step)");
        if (hiddenSize < 1)
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "hidden size must be at least 1");
        if (numLayers < 1)
            throw new ArgumentOutOfRangeException(nameof(numLayers), numLayers, "number of layers must be at least 1");
        if (double.IsNaN(dropout) || dropout < 0 || dropout > 1)
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout is a probability: accepted values are 0 ≤ dropout ≤ 1");
    }

    /// <summary>
    /// Validates the input and returns it time-major and batched, shaped (seq, batch, features), with a
    /// flag telling whether the caller passed an unbatched (seq, features) tensor.
    /// </summary>
    internal static (Tensor TimeMajor, bool Batched) ToTimeMajor(
        Tensor input, long inputSize, bool batchFirst, ScalarType parameterType, Device parameterDevice, string module)
    {
        ArgumentNullException.ThrowIfNull(input);
        string layout = batchFirst ? "(batch, seq, features)" : "(seq, batch, features)";
        if (input.dim() != 2 && input.dim() != 3)
            throw new ArgumentException(
                $"{module}: input must be 3-D {layout} or unbatched 2-D (seq, features) with features = {inputSize}; got shape {Describe(input)}", nameof(input));
        if (input.shape[^1] != inputSize)
            throw new ArgumentException(
                $"{module}: input has {input.shape[^1]} features in its last dimension but the module expects input size {inputSize}; got shape {Describe(input)}, expected {layout} with features = {inputSize}", nameof(input));
        if (input.shape.Take((int)input.dim() - 1).Any(size => size == 0))
            throw new ArgumentException($"{module}: input has an empty sequence or batch dimension; got shape {Describe(input)}", nameof(input));
        if (input.dtype != parameterType)
            throw new ArgumentException(
                $"{module}: input dtype {input.dtype} differs from the parameters' dtype {parameterType}; convert the input (input.to({parameterType})) or the module (module.to({parameterType}))", nameof(input));
        if (input.device_type != parameterDevice.type)
            throw new ArgumentException(
                $"{module}: input is on {input.device} but the parameters are on {parameterDevice}; move one of them", nameof(input));

        if (input.dim() == 2)
            return (input.unsqueeze(1), false);
        return (batchFirst ? input.transpose(0, 1) : input, true);
    }

    /// <summary>
    /// Validates one initial state tensor against torch's layout, (layers × directions, batch, hidden), or
    /// (layers × directions, hidden) for unbatched input, and returns it in the batched layout.
    /// </summary>
    internal static Tensor CheckState(
        Tensor state, string stateName, long stackedLayers, long batch, long hiddenSize, bool batched, ScalarType parameterType, string module)
    {
        ArgumentNullException.ThrowIfNull(state, stateName);
        string expected = batched ? $"[{stackedLayers}, {batch}, {hiddenSize}]" : $"[{stackedLayers}, {hiddenSize}]";
        bool matches = batched
            ? state.dim() == 3 && state.shape[0] == stackedLayers && state.shape[1] == batch && state.shape[2] == hiddenSize
            : state.dim() == 2 && state.shape[0] == stackedLayers && state.shape[1] == hiddenSize;
        if (!matches)
            throw new ArgumentException(
                $"{module}: initial state {stateName} must have shape {expected} (layers × directions, {(batched ? "batch, " : "")}hidden); got {Describe(state)}", stateName);
        if (state.dtype != parameterType)
            throw new ArgumentException($"{module}: initial state {stateName} has dtype {state.dtype} but the parameters are {parameterType}", stateName);
        return batched ? state : state.unsqueeze(1);
    }

    /// <summary>Undoes <see cref="ToTimeMajor"/> on an output shaped (seq, batch, features).</summary>
    internal static Tensor FromTimeMajor(Tensor output, bool batched, bool batchFirst)
    {
        if (!batched) return output.squeeze(1);
        return batchFirst ? output.transpose(0, 1) : output;
    }

    /// <summary>Undoes the batching of a final state shaped (layers × directions, batch, hidden).</summary>
    internal static Tensor FinalState(Tensor state, bool batched) => batched ? state : state.squeeze(1);
}
