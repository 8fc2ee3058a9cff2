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
/// <see cref="Training"/>, with early stopping) and the main job's weather forecast
/// (<see cref="ForecastExperiment"/> with each cell, trained as <see cref="Weather"/> says).
/// </summary>
public sealed record ModelComparisonOptions
{
    /// <summary>The models compared, in table order.</summary>
    public IReadOnlyList<ComparedModel> Models { get; init; } = ComparedModel.Standard;

    /// <summary>Hidden units of each stacked layer (per direction when bidirectional), the same for every model.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [50, 50];

    /// <summary>Whether the sine task runs.</summary>
    public bool RunSine { get; init; } = true;

    /// <summary>Whether the weather task runs.</summary>
    public bool RunWeather { get; init; } = true;

    /// <summary>Points of the noisy sine <c>sin(linspace(0, 50, n)) + 0.1·N(0, 1)</c>. Accepted: more than <see cref="SineLookback"/> + 10.</summary>
    public int SinePoints { get; init; } = 1000;

    /// <summary>Steps per sine window. Accepted: 1 or more.</summary>
    public int SineLookback { get; init; } = 50;

    /// <summary>Early-stopping patience on the sine task's validation loss (best weights restored). Accepted: 0 or more.</summary>
    public int SinePatience { get; init; } = 5;

    /// <summary>
    /// The weather run's setup, its training options included (100 epochs at most; early stopping
    /// usually ends it sooner); its cell, direction and hidden sizes are replaced per model, and its
    /// seed, progress and checkpoint settings come from <see cref="Training"/>. By default the main job's:
    /// 30-day windows, dropout 0.2, early stopping (patience 10), LR-on-plateau, Adam at 1e-3, batch 32.
    /// </summary>
    public ForecastExperimentOptions Weather { get; init; } = new();

    /// <summary>
    /// The sine task's training (20 epochs at most, Adam at 1e-3, batch 32, MSE, progress lines). Its
    /// <see cref="TrainingOptions.Seed"/> is the comparison's one seed (sine noise, initial weights,
    /// shuffling, on both tasks; each model starts from it), its progress and checkpoint settings apply
    /// to both tasks, with one checkpoint subfolder per task and model (<c>sine/LSTM</c>, <c>weather/GRU</c>, …).
    /// </summary>
    public TrainingOptions Training { get; init; } = DefaultTraining;

    /// <summary>The default <see cref="Training"/>; start from it to change one setting: <c>Training = ModelComparisonOptions.DefaultTraining with { Epochs = 5 }</c>.</summary>
    public static TrainingOptions DefaultTraining { get; } = new() { Epochs = 20, BatchSize = 32, LearningRate = 1e-3, Progress = ProgressMode.Lines };

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
        if (SinePatience < 0) throw Out(nameof(SinePatience), SinePatience, "must be 0 or more");
        ArgumentNullException.ThrowIfNull(Weather, nameof(Weather));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        Training.Validate();
        return this;
    }

    private static ArgumentOutOfRangeException Out(string name, object value, string accepted) =>
        new(name, value, $"ModelComparisonOptions.{name} {accepted} (got {value})");
}
