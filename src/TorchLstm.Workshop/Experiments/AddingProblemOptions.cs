using TorchLstm.Training;
using TorchLstm.Models;

namespace TorchLstm.Experiments;

/// <summary>
/// Setup of the adding-problem experiment (<see cref="AddingProblem.Run"/>): sequence length, data
/// sizes, the models compared and the training budget they share. Defaults train a one-layer model of
/// 64 units per cell on 20 000 sequences of 100 steps, with <see cref="DefaultTraining"/>.
/// </summary>
public sealed record AddingProblemOptions
{
    /// <summary>Steps per sequence (T). Accepted: 2 or more.</summary>
    public int Length { get; init; } = 100;

    /// <summary>Training sequences, drawn once from the seed. Accepted: 1 or more.</summary>
    public int TrainSamples { get; init; } = 20_000;

    /// <summary>Validation sequences (a disjoint random stream), watched to stop once the task is solved. Accepted: 1 or more.</summary>
    public int ValidationSamples { get; init; } = 2_000;

    /// <summary>Test sequences (a third disjoint stream) on which the models and the baseline are scored. Accepted: 1 or more.</summary>
    public int TestSamples { get; init; } = 5_000;

    /// <summary>The cells compared, each as a one-layer model with a Linear head; LSTM, GRU and tanh RNN by default.</summary>
    public IReadOnlyList<RecurrentCell> Cells { get; init; } = [RecurrentCell.Lstm, RecurrentCell.Gru, RecurrentCell.Rnn];

    /// <summary>Hidden units of every model. Accepted: 1 or more.</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>Initialisation of every model; torch's defaults unless set.</summary>
    public WeightInit WeightInit { get; init; } = WeightInit.TorchDefault;

    /// <summary>
    /// The training budget every model shares: 20 epochs at most, Adam (lr 2e-3), batch 64, gradient
    /// clipping at norm 1 (long sequences produce the occasional exploding gradient, which would
    /// otherwise throw a model that has found the solution back to the baseline), progress lines.
    /// <see cref="TrainingOptions.Seed"/> also draws the three data streams and the initial weights;
    /// <see cref="TrainingOptions.CheckpointDirectory"/> gets one subfolder per cell (<c>lstm</c>,
    /// <c>gru</c>, <c>rnn</c>).
    /// </summary>
    public TrainingOptions Training { get; init; } = DefaultTraining;

    /// <summary>The default <see cref="Training"/>; start from it to change one setting: <c>Training = AddingProblemOptions.DefaultTraining with { Seed = 3 }</c>.</summary>
    public static TrainingOptions DefaultTraining { get; } = new()
    {
        Epochs = 20, BatchSize = 64, LearningRate = 2e-3, ClipGradNorm = 1.0, Progress = ProgressMode.Lines,
    };

    /// <summary>
    /// A model stops once its validation MSE falls below this value (the task counts as solved);
    /// null trains every model for all <see cref="TrainingOptions.Epochs"/>. Accepted: null, or finite and greater than 0.
    /// </summary>
    public double? SolvedValidationMse { get; init; } = 1e-3;

    /// <summary>
    /// Wall-clock limit per model, checked after each epoch; null means only <see cref="TrainingOptions.Epochs"/> limits
    /// training. Unlike the epoch budget it depends on the machine's load, so runs that hit it are not
    /// reproducible. Accepted: null or positive.
    /// </summary>
    public TimeSpan? TimeBudgetPerModel { get; init; }

    /// <summary>Checks every field.</summary>
    /// <returns>This instance, for chaining.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A field (or a field of <see cref="Training"/>) is outside its accepted range; the parameter name is the field's name.</exception>
    /// <exception cref="ArgumentException"><see cref="Cells"/> is empty or repeats a cell, or <see cref="Training"/>'s checkpoint settings are inconsistent.</exception>
    public AddingProblemOptions Validate()
    {
        if (Length < 2) throw Out(nameof(Length), Length, "must be 2 or more (one marker in each half)");
        if (TrainSamples < 1) throw Out(nameof(TrainSamples), TrainSamples, "must be 1 or more");
        if (ValidationSamples < 1) throw Out(nameof(ValidationSamples), ValidationSamples, "must be 1 or more");
        if (TestSamples < 1) throw Out(nameof(TestSamples), TestSamples, "must be 1 or more");
        if (HiddenSize < 1) throw Out(nameof(HiddenSize), HiddenSize, "must be 1 or more");
        if (SolvedValidationMse is { } solved && (!double.IsFinite(solved) || solved <= 0)) throw Out(nameof(SolvedValidationMse), solved, "must be null or finite and greater than 0");
        if (TimeBudgetPerModel is { } budget && budget <= TimeSpan.Zero) throw Out(nameof(TimeBudgetPerModel), budget, "must be null or positive");
        if (!Enum.IsDefined(WeightInit)) throw Out(nameof(WeightInit), WeightInit, $"must be one of {string.Join(", ", Enum.GetNames<WeightInit>())}");
        if (Cells is null || Cells.Count == 0)
            throw new ArgumentException("AddingProblemOptions.Cells must name at least one cell (Lstm, Gru, Rnn)", nameof(Cells));
        foreach (var cell in Cells)
            if (!Enum.IsDefined(cell)) throw Out(nameof(Cells), cell, $"must hold only {string.Join(", ", Enum.GetNames<RecurrentCell>())}");
        if (Cells.Distinct().Count() != Cells.Count)
            throw new ArgumentException($"AddingProblemOptions.Cells names a cell twice: {string.Join(", ", Cells)}", nameof(Cells));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        Training.Validate();
        return this;
    }

    private static ArgumentOutOfRangeException Out(string name, object value, string accepted) =>
        new(name, value, $"AddingProblemOptions.{name} {accepted} (got {value})");
}
