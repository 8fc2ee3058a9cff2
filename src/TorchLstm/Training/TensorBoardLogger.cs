using TorchSharp;

namespace TorchLstm.Training;

/// <summary>
/// Writes every logged value per epoch as a TensorBoard scalar (tags <c>epoch/loss</c>,
/// <c>epoch/val_loss</c>, ...) with TorchSharp's <c>SummaryWriter</c>; view with <c>tensorboard --logdir</c>.
/// </summary>
public sealed class TensorBoardLogger : Callback
{
    private TorchSharp.Modules.SummaryWriter? writer;

    /// <summary>Creates the logger.</summary>
    /// <param name="logDirectory">Folder of the event files; created when missing.</param>
    /// <exception cref="ArgumentException"><paramref name="logDirectory"/> is empty.</exception>
    public TensorBoardLogger(string logDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logDirectory);
        LogDirectory = logDirectory;
    }

    /// <summary>Folder of the event files.</summary>
    public string LogDirectory { get; }

    /// <inheritdoc />
    public override string StateKey => $"{nameof(TensorBoardLogger)}(directory={LogDirectory})";

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context) =>
        writer = torch.utils.tensorboard.SummaryWriter(LogDirectory);

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        if (writer is null) return;
        foreach (var (name, value) in context.Logs)
            writer.add_scalar("epoch/" + name, (float)value, context.Epoch);
    }

    /// <inheritdoc />
    public override void OnTrainEnd(TrainingContext context) => writer = null;
}
