using System.Text.Json;
using System.Text.Json.Serialization;
using TorchLstm.Data;

namespace TorchLstm.Forecasting;

/// <summary>
/// The recurrent state a <see cref="StreamingPredictor"/> carries between observations: each layer's hidden
/// state (and an LSTM's cell state) after the observations seen so far, in the model's dtype read as float64.
/// Save it to resume monitoring later, in this or another process, exactly where it stopped.
/// </summary>
/// <param name="Steps">Observations seen.</param>
/// <param name="Hidden">Each layer's hidden state, first layer first; empty before the first observation.</param>
/// <param name="Cells">Each LSTM layer's cell state; empty for GRU and RNN layers.</param>
/// <param name="LastForecast">The forecast after the last observation, on the original scale; null before the first.</param>
public sealed record StreamingState(long Steps, IReadOnlyList<double[]> Hidden, IReadOnlyList<double[]> Cells, double[]? LastForecast)
{
    /// <summary>
    /// The quantiles after the last observation, [horizon step, level] flattened row by row, for a predictor of a
    /// quantile network; null otherwise and before the first observation.
    /// </summary>
    public double[]? LastQuantiles { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new(StreamingStateJsonContext.Default.Options);

    /// <summary>The state as JSON (doubles keep float32 and float64 states exact).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a state written by <see cref="ToJson"/>.</summary>
    /// <exception cref="DataValidationException">The JSON is malformed or incomplete.</exception>
    public static StreamingState FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var state = JsonSerializer.Deserialize<StreamingState>(json, JsonOptions);
            if (state?.Hidden is null || state.Cells is null || state.Steps < 0)
                throw new DataValidationException("streaming state JSON lacks its steps, hidden or cell states");
            return state;
        }
        catch (JsonException e)
        {
            throw new DataValidationException($"streaming state JSON is malformed: {e.Message}", e);
        }
    }
}

/// <summary>Source-generated JSON metadata for <see cref="StreamingState"/>.</summary>
[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StreamingState))]
internal sealed partial class StreamingStateJsonContext : JsonSerializerContext;
