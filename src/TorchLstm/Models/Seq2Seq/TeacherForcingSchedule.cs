using System.Text.Json.Nodes;
using TorchLstm.Training;

namespace TorchLstm.Models;

/// <summary>
/// Sets a <see cref="Seq2SeqAttention"/>'s <see cref="Seq2SeqAttention.TeacherForcingRatio"/> at the start
/// of every epoch from a schedule (scheduled sampling, Bengio et al. 2015), and logs the ratio used as
/// <c>teacher_forcing</c>.
/// </summary>
public sealed class TeacherForcingSchedule : Callback
{
    /// <summary>Name of the logged ratio.</summary>
    public const string LogName = "teacher_forcing";

    private readonly Seq2SeqAttention model;
    private readonly Func<int, double> ratioForEpoch;

    /// <summary>Creates the callback.</summary>
    /// <param name="model">The model whose ratio is set.</param>
    /// <param name="ratioForEpoch">The ratio for a 1-based epoch number; it must return a value in [0, 1].</param>
    public TeacherForcingSchedule(Seq2SeqAttention model, Func<int, double> ratioForEpoch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ratioForEpoch);
        this.model = model;
        this.ratioForEpoch = ratioForEpoch;
    }

    /// <summary>
    /// A ratio falling linearly from <paramref name="start"/> at epoch 1 to <paramref name="end"/> at
    /// epoch <paramref name="epochs"/>, then staying at <paramref name="end"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A ratio is outside [0, 1] or <paramref name="epochs"/> is less than 1.</exception>
    public static TeacherForcingSchedule Linear(Seq2SeqAttention model, double start, double end, int epochs)
    {
        CheckRatio(start, nameof(start));
        CheckRatio(end, nameof(end));
        ModelArguments.Positive(epochs, nameof(epochs), "epochs");
        return new TeacherForcingSchedule(model, epoch =>
            epochs == 1 ? end : start + (end - start) * Math.Min(1.0, (epoch - 1) / (double)(epochs - 1)));
    }

    /// <summary>The ratio set for the current epoch (1 before training).</summary>
    public double CurrentRatio { get; private set; } = 1.0;

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The schedule returned a value outside [0, 1].</exception>
    public override void OnEpochBegin(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        double ratio = ratioForEpoch(context.Epoch);
        if (!(ratio >= 0 && ratio <= 1))
            throw new ArgumentOutOfRangeException(nameof(ratioForEpoch), ratio,
                $"The teacher-forcing schedule returned {ratio} for epoch {context.Epoch}; ratios must be in [0, 1].");
        model.TeacherForcingRatio = ratio;
        CurrentRatio = ratio;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Logs[LogName] = CurrentRatio;
    }

    /// <inheritdoc />
    public override JsonObject GetState() => new() { ["current_ratio"] = CurrentRatio };

    /// <inheritdoc />
    public override void SetState(JsonObject state)
    {
        base.SetState(state);
        CurrentRatio = Read<double>(state, "current_ratio");
        model.TeacherForcingRatio = CurrentRatio;
    }

    private static void CheckRatio(double ratio, string paramName)
    {
        if (!(ratio >= 0 && ratio <= 1))
            throw new ArgumentOutOfRangeException(paramName, ratio, $"A teacher-forcing ratio must be in [0, 1] (got {ratio}).");
    }
}
