using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Data;

/// <summary>
/// A per-column affine rescaling <c>y = (x − center) · factor + shift</c> fitted on training data only,
/// applied along the last dimension of a tensor of any shape, invertible, and saved as JSON so it can
/// ship with a model.
/// </summary>
public abstract class Scaler
{
    // Source-generated metadata: serialization works in trimmed and native-AOT apps (the experiment
    // scripts are file-based apps, which disable reflection-based JSON by default).
    private static readonly JsonSerializerOptions JsonOptions = new(ScalerJsonContext.Default.Options);

    private double[]? _center, _factor;
    private double _shift;

    /// <summary>True once <see cref="Fit"/> ran or the state was restored.</summary>
    public bool IsFitted => _center is not null;

    /// <summary>Number of columns the scaler was fitted on.</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted.</exception>
    public int ColumnCount => RequireFitted().Length;

    /// <summary>
    /// Learns the per-column statistics from <paramref name="data"/>, whose last dimension indexes columns
    /// (for example [time, features]); every other dimension is pooled.
    /// </summary>
    /// <returns>This scaler, for chaining.</returns>
    /// <exception cref="ArgumentException">The tensor is not floating point, has no rows, or holds NaN/infinite values.</exception>
    public Scaler Fit(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.dim() == 0 || !data.is_floating_point())
            throw new ArgumentException($"fit needs a floating-point tensor whose last dimension indexes columns; got {data.dtype} [{string.Join(", ", data.shape)}]", nameof(data));
        using var scope = torch.NewDisposeScope();
        var rows = data.reshape(-1, data.shape[^1]).to(ScalarType.Float64);
        if (rows.shape[0] == 0)
            throw new ArgumentException("fit needs at least one row", nameof(data));
        if (!rows.isfinite().all().item<bool>())
            throw new ArgumentException("fit data holds NaN or infinite values; clean them before scaling", nameof(data));
        FitColumns(rows);
        return this;
    }

    /// <summary>Fits on <paramref name="data"/> and returns it transformed.</summary>
    public Tensor FitTransform(Tensor data) => Fit(data).Transform(data);

    /// <summary>Scales every column of <paramref name="data"/> (last dimension = columns).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted.</exception>
    /// <exception cref="ArgumentException">The last dimension does not match the fitted column count.</exception>
    public Tensor Transform(Tensor data)
    {
        CheckColumns(data, nameof(data));
        using var scope = torch.NewDisposeScope();
        var (center, factor) = Parameters(data, null);
        return ((data - center) * factor + _shift).MoveToOuterDisposeScope();
    }

    /// <summary>Maps scaled values of every column back to the original scale.</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted.</exception>
    /// <exception cref="ArgumentException">The last dimension does not match the fitted column count.</exception>
    public Tensor InverseTransform(Tensor scaled)
    {
        CheckColumns(scaled, nameof(scaled));
        using var scope = torch.NewDisposeScope();
        var (center, factor) = Parameters(scaled, null);
        return ((scaled - _shift) / factor + center).MoveToOuterDisposeScope();
    }

    /// <summary>Scales values that all belong to one column (for example the target), in a tensor of any shape.</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="column"/> is not a fitted column.</exception>
    public Tensor TransformColumn(Tensor values, int column)
    {
        CheckColumn(values, column);
        using var scope = torch.NewDisposeScope();
        var (center, factor) = Parameters(values, column);
        return ((values - center) * factor + _shift).MoveToOuterDisposeScope();
    }

    /// <summary>Maps scaled values that all belong to one column (for example predictions of the target), in a tensor of any shape, back to the original scale.</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="column"/> is not a fitted column.</exception>
    public Tensor InverseTransformColumn(Tensor scaled, int column)
    {
        CheckColumn(scaled, column);
        using var scope = torch.NewDisposeScope();
        var (center, factor) = Parameters(scaled, column);
        return ((scaled - _shift) / factor + center).MoveToOuterDisposeScope();
    }

    /// <summary>The fitted state as JSON (kind and per-column statistics).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted.</exception>
    public string ToJson()
    {
        RequireFitted();
        return JsonSerializer.Serialize(ToState(), JsonOptions);
    }

    /// <summary>Restores a scaler written by <see cref="ToJson"/>.</summary>
    /// <exception cref="DataValidationException">The JSON is malformed, of an unknown kind, or its statistics are inconsistent.</exception>
    public static Scaler FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        ScalerState? state;
        try { state = JsonSerializer.Deserialize<ScalerState>(json, JsonOptions); }
        catch (JsonException e) { throw new DataValidationException($"scaler JSON is malformed: {e.Message}", e); }
        return state?.Kind switch
        {
            MinMaxScaler.KindName => MinMaxScaler.FromState(state),
            StandardScaler.KindName => StandardScaler.FromState(state),
            _ => throw new DataValidationException(
                $"scaler JSON has kind '{state?.Kind}'; accepted kinds are '{MinMaxScaler.KindName}' and '{StandardScaler.KindName}'"),
        };
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically (a temporary file, then a rename), so a crash never leaves half a file.</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        IO.AtomicFile.WriteAllText(path, ToJson());
    }

    /// <summary>Reads a scaler saved by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataValidationException">The content is not a valid scaler state.</exception>
    public static Scaler Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"scaler file '{path}' does not exist", path);
        return FromJson(File.ReadAllText(path));
    }

    /// <summary>Computes the statistics from finite float64 rows shaped [rows, columns] and calls <see cref="SetAffine"/>.</summary>
    private protected abstract void FitColumns(Tensor rows);

    /// <summary>Describes the fitted state for serialization.</summary>
    private protected abstract ScalerState ToState();

    /// <summary>Sets the per-column map <c>y = (x − center) · factor + shift</c>; factors must be finite and non-zero.</summary>
    private protected void SetAffine(double[] center, double[] factor, double shift)
    {
        _center = center;
        _factor = factor;
        _shift = shift;
    }

    private double[] RequireFitted() => _center ?? throw new InvalidOperationException(
        $"this {GetType().Name} is not fitted: call Fit(trainingData) (or restore it with Scaler.FromJson/Load) before transforming");

    private (Tensor Center, Tensor Factor) Parameters(Tensor like, int? column)
    {
        double[] center = _center!, factor = _factor!;
        if (column is int c) return (torch.tensor(center[c], like.dtype, like.device), torch.tensor(factor[c], like.dtype, like.device));
        return (torch.tensor(center, like.dtype, like.device), torch.tensor(factor, like.dtype, like.device));
    }

    private void CheckColumns(Tensor data, string name)
    {
        ArgumentNullException.ThrowIfNull(data, name);
        int columns = RequireFitted().Length;
        if (data.dim() == 0 || data.shape[^1] != columns || !data.is_floating_point())
            throw new ArgumentException(
                $"the scaler was fitted on {columns} columns and expects a floating-point tensor whose last dimension is {columns}; got {data.dtype} [{string.Join(", ", data.shape)}]", name);
    }

    private void CheckColumn(Tensor values, int column)
    {
        ArgumentNullException.ThrowIfNull(values);
        int columns = RequireFitted().Length;
        if (column < 0 || column >= columns)
            throw new ArgumentOutOfRangeException(nameof(column), column, $"the scaler was fitted on {columns} columns; the column index must be in [0, {columns - 1}]");
        if (!values.is_floating_point())
            throw new ArgumentException($"expected a floating-point tensor; got {values.dtype}", nameof(values));
    }
}

/// <summary>Source-generated JSON metadata for <see cref="ScalerState"/>.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ScalerState))]
internal sealed partial class ScalerJsonContext : JsonSerializerContext;

/// <summary>The JSON form of a scaler; unused members stay null.</summary>
internal sealed class ScalerState
{
    public string? Kind { get; set; }
    public double[]? FeatureRange { get; set; }
    public double[]? Min { get; set; }
    public double[]? Max { get; set; }
    public double[]? Mean { get; set; }
    public double[]? Std { get; set; }
}
