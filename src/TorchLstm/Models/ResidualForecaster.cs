using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Models;

/// <summary>
/// Wraps a forecaster so that it learns the change from the last observed value of the target
/// instead of the value itself: output = model(window) + window[:, −1, target] for every output — every horizon
/// step, and with quantile outputs (a point and one value per level for each step) every one of them, so that
/// the quantiles are quantiles of the level, not of the change.
/// </summary>
/// <remarks>
/// A freshly initialised head outputs values near zero, so the wrapped model starts out as the
/// persistence forecast (tomorrow = today) and training only has to learn the correction. On series
/// whose level wanders, such as daily temperatures, this is the difference between a network that
/// beats persistence and one that does not. The addition happens on the scaled values, which is exact
/// because the scalers are affine per column.
/// </remarks>
public sealed class ResidualForecaster : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> model;

    /// <summary>Wraps <paramref name="model"/>, which maps (batch, window, features) to (batch, horizon).</summary>
    /// <param name="model">The forecaster whose output is read as a change.</param>
    /// <param name="targetColumn">Index of the target among the input features.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetColumn"/> is negative.</exception>
    public ResidualForecaster(nn.Module<Tensor, Tensor> model, int targetColumn) : base(nameof(ResidualForecaster))
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(targetColumn);
        this.model = model;
        TargetColumn = targetColumn;
        RegisterComponents();
    }

    /// <summary>The wrapped forecaster (registered as submodule <c>model</c>).</summary>
    public nn.Module<Tensor, Tensor> Model => model;

    /// <summary>Index of the target among the input features.</summary>
    public int TargetColumn { get; }

    /// <summary>Forecasts (batch, outputs) from windows shaped (batch, window, features), the last observed target added to every output.</summary>
    /// <exception cref="ArgumentException">The input is not 3-D, lacks the target column, or the model's output is not (batch, horizon).</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 3 || input.shape[2] <= TargetColumn || input.shape[1] < 1)
            throw new ArgumentException(
                $"ResidualForecaster expects windows shaped (batch, window, features) with at least {TargetColumn + 1} features, got [{string.Join(", ", input.shape)}]",
                nameof(input));
        using var scope = NewDisposeScope();
        var change = model.call(input);
        if (change.dim() != 2 || change.shape[0] != input.shape[0])
            throw new ArgumentException(
                $"ResidualForecaster needs a model that outputs (batch, horizon); it returned [{string.Join(", ", change.shape)}]", nameof(input));
        var last = input[.., -1, TargetColumn].unsqueeze(1);
        return (change + last).MoveToOuterDisposeScope();
    }
}
