using TorchLstm.Data;
using TorchLstm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Export;

/// <summary>
/// A forecaster that works on the original scale: raw windows (batch, window, features) are scaled
/// column by column, the wrapped model predicts, and the predictions are mapped back to the original
/// scale of the target column. Export it with <see cref="TorchScript.Save"/> so users of the file never
/// need the scaler: the statistics travel as buffers (<c>feature_center</c>, <c>feature_factor</c>)
/// next to the model's parameters (<c>model.*</c>).
/// </summary>
/// <remarks>
/// The arithmetic is the scaler's own, in the model's dtype: <c>(raw − center) · factor + shift</c> in,
/// <c>(prediction − shift) / factor[target] + center[target]</c> out, so it equals
/// <c>scaler.InverseTransformColumn(model(scaler.Transform(raw)), target)</c>.
/// </remarks>
public sealed class ScaledForecaster : nn.Module<Tensor, Tensor>
{
    private const string CenterName = "feature_center";
    private const string FactorName = "feature_factor";

    /// <summary>Wraps <paramref name="model"/> with the per-column <paramref name="scaling"/>.</summary>
    /// <param name="model">The forecaster trained on scaled data; its predictions are all values of the target column.</param>
    /// <param name="scaling">The fitted per-column scaling of the input features.</param>
    /// <param name="targetColumn">Index of the predicted column among the scaled columns.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetColumn"/> is not a column of <paramref name="scaling"/>.</exception>
    /// <exception cref="ArgumentException">The model is a <see cref="StackedRecurrent"/> whose input size differs from the column count.</exception>
    public ScaledForecaster(nn.Module<Tensor, Tensor> model, ColumnScaling scaling, int targetColumn)
        : base(nameof(ScaledForecaster))
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(scaling);
        if (targetColumn < 0 || targetColumn >= scaling.ColumnCount)
            throw new ArgumentOutOfRangeException(nameof(targetColumn), targetColumn,
                $"the scaling has {scaling.ColumnCount} columns; the target column must be in [0, {scaling.ColumnCount - 1}]");
        if (model is StackedRecurrent recurrent && recurrent.InputSize != scaling.ColumnCount)
            throw new ArgumentException(
                $"{model.GetType().Name} expects {recurrent.InputSize} input features but the scaler was fitted on {scaling.ColumnCount} columns", nameof(model));

        Model = model;
        Scaling = scaling;
        TargetColumn = targetColumn;
        var reference = model.parameters().FirstOrDefault();
        var dtype = reference?.dtype ?? ScalarType.Float32;
        var device = reference?.device ?? torch.CPU;
        register_buffer(CenterName, torch.tensor(scaling.Center.ToArray(), dtype, device));
        register_buffer(FactorName, torch.tensor(scaling.Factor.ToArray(), dtype, device));
        register_module("model", model);
    }

    /// <summary>Wraps <paramref name="model"/> with a fitted <see cref="MinMaxScaler"/> or <see cref="StandardScaler"/>.</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted.</exception>
    /// <exception cref="NotSupportedException">The scaler is of another kind.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="targetColumn"/> is not a fitted column.</exception>
    public static ScaledForecaster FromScaler(nn.Module<Tensor, Tensor> model, Scaler scaler, int targetColumn) =>
        new(model, ColumnScaling.FromScaler(scaler), targetColumn);

    /// <summary>The wrapped model (works on scaled values).</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The per-column scaling applied to the inputs.</summary>
    public ColumnScaling Scaling { get; }

    /// <summary>Index of the predicted column.</summary>
    public int TargetColumn { get; }

    /// <summary>Predicts on the original scale.</summary>
    /// <param name="raw">Unscaled windows (batch, window, features) with one feature per fitted column.</param>
    /// <returns>The model's predictions mapped to the target column's original scale (same shape as the model's output).</returns>
    /// <exception cref="ArgumentException">The input is not a rank-3 floating-point tensor with the fitted column count last.</exception>
    public override Tensor forward(Tensor raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.dim() != 3 || raw.shape[2] != Scaling.ColumnCount || !raw.is_floating_point())
            throw new ArgumentException(
                $"ScaledForecaster expects raw floating-point windows shaped (batch, window, {Scaling.ColumnCount}); got {raw.dtype} [{string.Join(", ", raw.shape)}]", nameof(raw));
        using var scope = torch.NewDisposeScope();
        var center = get_buffer(CenterName)!;
        var factor = get_buffer(FactorName)!;
        var prediction = Model.call((raw - center) * factor + Scaling.Shift);
        return ((prediction - Scaling.Shift) / factor[TargetColumn] + center[TargetColumn]).MoveToOuterDisposeScope();
    }
}
