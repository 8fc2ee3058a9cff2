using TorchLstm.Models;
using TorchLstm.Training;

namespace TorchLstm.Experiments;

/// <summary>One contestant of <see cref="ModelComparison"/>: a display name, a cell and a direction.</summary>
/// <param name="Name">Name in tables and <c>metrics.json</c> (Keras vocabulary, e.g. <c>SimpleRNN</c>).</param>
/// <param name="Cell">Recurrent cell of every layer.</param>
/// <param name="Bidirectional">Whether each layer runs forward and backward (outputs concatenated).</param>
public sealed record ComparedModel(string Name, RecurrentCell Cell, bool Bidirectional = false)
{
    /// <summary>The tutorial's contestants: SimpleRNN, LSTM, GRU and a bidirectional LSTM.</summary>
    public static IReadOnlyList<ComparedModel> Standard { get; } =
    [
        new("SimpleRNN", RecurrentCell.Rnn),
        new("LSTM", RecurrentCell.Lstm),
        new("GRU", RecurrentCell.Gru),
        new("BiLSTM", RecurrentCell.Lstm, Bidirectional: true),
    ];
}

/// <summary>
/// Setup of the RNN / LSTM / GRU comparison (<see cref="ModelComparison.Run"/>). Every model has the same
/// layer widths (2 × 50 by default) and the same training budget on two tasks: the tutorials' noisy
/// sine (windows of 50 steps → next value; 80/20 split, the last 20 % of the training windows validate;
/// Adam, MSE, batch 32, up to 20 epochs with early stopping) and the main job's weather forecast
/// (<see cref="ForecastExperiment"/> with each cell).
/// </summary>
public sealed record ModelComparisonOptions
{
    /// <summary>The models compared, in table order.</summary>
    public IReadOnlyList<ComparedModel> Models { get; init; } = ComparedModel.Standard;

    /// <summary>Hidden units of each stacked layer (per direction when bidirectional), the same for every model.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [50, 50];

    /// <summary>Seed of the sine noise, the initial weights and the shuffling; each model starts from it.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Whether the sine task runs.</summary>
    public bool RunSine { get; init; } = true;

    /// <summary>Whether the weather task runs.</summary>
    public bool RunWeather { get; init; } = true;

    /// <summary>Points of the noisy sine <c>sin(linspace(0, 50, n)) + 0.1·N(0, 1)</c>. Accepted: more than <see cref="SineLookback"/> + 10.</summary>
    public int SinePoints { get; init; } = 1000;

    /// <summary>Steps per sine window. Accepted: 1 or more.</summary>
    public int SineLookback { get; init; } = 50;

    /// <summary>Maximum epochs on the sine task. Accepted: 1 or more.</summary>
    public int SineEpochs { get; init; } = 20;

    /// <summary>Early-stopping patience on the sine task's validation loss (best weights restored). Accepted: 0 or more.</summary>
    public int SinePatience { get; init; } = 5;

    /// <summary>Maximum epochs on the weather task (early stopping usually ends it sooner). Accepted: 1 or more.</summary>
    public int WeatherEpochs { get; init; } = 100;

    /// <summary>
    /// The weather run's setup; its cell, direction, hidden sizes, epochs, seed and progress are replaced
    /// per model. By default the main job's: 30-day windows, dropout 0.2, early stopping (patience 10),
    /// LR-on-plateau.
    /// </summary>
    public ForecastExperimentOptions Weather { get; init; } = new();

    /// <summary>Mini-batch size on both tasks. Accepted: 1 or more.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam's learning rate on both tasks. Accepted: finite and greater than 0.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>How training progress is shown.</summary>
    public ProgressMode Progress { get; init; } = ProgressMode.Lines;

    /// <summary>
    /// Folder for per-epoch checkpoints, one subfolder per task and model (<c>sine/LSTM</c>, <c>weather/GRU</c>, …);
    /// null writes none. See <see cref="TrainingOptions.CheckpointDirectory"/>.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Continue each model's training from its newest checkpoint, bit-identical to an uninterrupted run; needs <see cref="CheckpointDirectory"/>.</summary>
    public bool Resume { get; init; }

    /// <summary>Checks every field.</summary>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A field is outside its accepted range; the parameter name is the field's name.</exception>
    /// <exception cref="ArgumentException">No models or hidden sizes, a repeated model name, or no task selected.</exception>
    public ModelComparisonOptions Validate()
    {
        if (Models is null || Models.Count == 0)
            throw new ArgumentException("ModelComparisonOptions.Models must list at least one model", nameof(Models));
        if (Models.Select(m => m.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != Models.Count)
            throw new ArgumentException($"ModelComparisonOptions.Models repeats a name: {string.Join(", ", Models.Select(m => m.Name))}", nameof(Models));
        foreach (var model in Models)
        {
            if (string.IsNullOrWhiteSpace(model.Name))
                throw new ArgumentException("every compared model needs a name", nameof(Models));
            if (!Enum.IsDefined(model.Cell))
                throw Out(nameof(Models), model.Cell, $"cells must be {string.Join(", ", Enum.GetNames<RecurrentCell>())}");
        }
        if (HiddenSizes is null || HiddenSizes.Count == 0 || HiddenSizes.Any(h => h < 1))
            throw Out(nameof(HiddenSizes), HiddenSizes is null ? "null" : "[" + string.Join(", ", HiddenSizes) + "]", "must list at least one layer width, each 1 or more");
        if (!RunSine && !RunWeather)
            throw new ArgumentException("ModelComparisonOptions selects no task: set RunSine or RunWeather", nameof(RunSine));
        if (SineLookback < 1) throw Out(nameof(SineLookback), SineLookback, "must be 1 or more");
        if (SinePoints < SineLookback + 11)
            throw Out(nameof(SinePoints), SinePoints, $"must exceed SineLookback + 10 = {SineLookback + 10} so that every split holds windows");
        if (SineEpochs < 1) throw Out(nameof(SineEpochs), SineEpochs, "must be 1 or more");
        if (SinePatience < 0) throw Out(nameof(SinePatience), SinePatience, "must be 0 or more");
        if (WeatherEpochs < 1) throw Out(nameof(WeatherEpochs), WeatherEpochs, "must be 1 or more");
        ArgumentNullException.ThrowIfNull(Weather, nameof(Weather));
        if (BatchSize < 1) throw Out(nameof(BatchSize), BatchSize, "must be 1 or more");
        if (!double.IsFinite(LearningRate) || LearningRate <= 0) throw Out(nameof(LearningRate), LearningRate, "must be finite and greater than 0");
        if (!Enum.IsDefined(Progress)) throw Out(nameof(Progress), Progress, $"must be one of {string.Join(", ", Enum.GetNames<ProgressMode>())}");
        TrainingOptions.CheckCheckpointSettings(CheckpointDirectory, Resume, nameof(ModelComparisonOptions));
        return this;
    }

    private static ArgumentOutOfRangeException Out(string name, object value, string accepted) =>
        new(name, value, $"ModelComparisonOptions.{name} {accepted} (got {value})");
}
