using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>Boundary checks shared by the models, so bad input never reaches libtorch.</summary>
internal static class ModelArguments
{
    internal static void Positive(int value, string paramName, string what)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(paramName, value, $"{what} must be at least 1 (got {value}).");
    }

    internal static int[] HiddenSizes(int[]? hiddenSizes, string paramName)
    {
        ArgumentNullException.ThrowIfNull(hiddenSizes, paramName);
        if (hiddenSizes.Length == 0)
            throw new ArgumentOutOfRangeException(paramName, 0, "hiddenSizes must list at least one layer size, e.g. [50] or [60, 50].");
        for (int i = 0; i < hiddenSizes.Length; i++)
        {
            if (hiddenSizes[i] < 1)
                throw new ArgumentOutOfRangeException(paramName, hiddenSizes[i],
                    $"hiddenSizes[{i}] must be at least 1 (got {hiddenSizes[i]}); every layer needs one or more units.");
        }
        return (int[])hiddenSizes.Clone();
    }

    internal static void DropoutRate(double dropout, string paramName)
    {
        // NaN fails both comparisons, so test for the accepted range rather than the rejected one.
        if (!(dropout >= 0 && dropout < 1))
            throw new ArgumentOutOfRangeException(paramName, dropout, $"dropout must be in [0, 1) (got {dropout}).");
    }

    internal static void Defined<TEnum>(TEnum value, string paramName) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw new ArgumentOutOfRangeException(paramName, value,
                $"{typeof(TEnum).Name} {value} is not defined; accepted: {string.Join(", ", Enum.GetNames<TEnum>())}.");
    }

    internal static string Shape(Tensor tensor) => $"[{string.Join(", ", tensor.shape)}]";

    /// <summary>Checks a batch-first float sequence (batch, time, features) against the model's parameters.</summary>
    internal static void FloatSequence(Tensor input, long features, nn.Module model, string modelName, string paramName)
    {
        ArgumentNullException.ThrowIfNull(input, paramName);
        if (input.dim() != 3)
            throw new ArgumentException(
                $"{modelName} expects input shaped (batch, time, features={features}) but got rank {input.dim()} shape {Shape(input)}.", paramName);
        if (input.shape[2] != features)
            throw new ArgumentException(
                $"{modelName} expects {features} features in the last dimension, shape (batch, time, {features}), but got shape {Shape(input)}.", paramName);
        if (input.shape[0] == 0 || input.shape[1] == 0)
            throw new ArgumentException(
                $"{modelName} needs at least one sample and one time step but got shape {Shape(input)}.", paramName);
        if (!input.is_floating_point())
            throw new ArgumentException(
                $"{modelName} expects a floating-point input but got dtype {input.dtype}; convert with .to(ScalarType.Float32).", paramName);
        MatchesParameters(input, model, modelName, paramName);
    }

    /// <summary>Dtype and device must match the weights, or libtorch fails with a cryptic message.</summary>
    internal static void MatchesParameters(Tensor input, nn.Module model, string modelName, string paramName, bool checkDtype = true)
    {
        var first = model.parameters().FirstOrDefault();
        if (first is null) return;
        if (checkDtype && input.dtype != first.dtype)
            throw new ArgumentException(
                $"{modelName} has {first.dtype} parameters but the input is {input.dtype}; convert the input with .to({first.dtype}) or the model with .to({input.dtype}).", paramName);
        if (input.device.type != first.device.type || input.device.index != first.device.index)
            throw new ArgumentException(
                $"{modelName} lives on {first.device} but the input is on {input.device}; move one of them with .to(device).", paramName);
    }
}
