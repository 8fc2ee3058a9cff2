using TorchLstm.Data;
using TorchLstm.Training;

namespace TorchLstm.Tests.Reliability;

[Collection(nameof(GlobalRandomStateCollection))]
public class ResumeTests
{
    private static List<Callback> Callbacks(int crashEpoch) =>
    [
        new EarlyStopping(patience: 3, restoreBestWeights: true),
        new ReduceLrOnPlateau(factor: 0.5, patience: 1, minDelta: 0.03),
        new CrashAtEpoch(crashEpoch),
    ];

    private static (string Hash, string History) Uninterrupted(int epochs)
    {
        var (train, validation) = TinySine.Data();
        using var _ = train;
        using var __ = validation;
        using var model = TinySine.Model();
        var history = new ExperimentRunner().Fit(model, train, validation, TinySine.Options(epochs), Callbacks(0));
        return (WeightHash.Sha256(model), TinySine.Fingerprint(history));
    }

    /// <summary>Trains a fresh model with checkpoints in <paramref name="directory"/> until a simulated crash at <paramref name="crashEpoch"/>.</summary>
    private static void CrashAt(int epochs, int crashEpoch, string directory, SequenceDataset train, SequenceDataset validation)
    {
        using var crashed = TinySine.Model();
        Assert.Throws<SimulatedCrashException>(() =>
            new ExperimentRunner().Fit(crashed, train, validation, TinySine.Options(epochs, directory), Callbacks(crashEpoch)));
    }

    [Fact]
    public void A_run_crashed_mid_training_resumes_to_bit_identical_weights_history_and_learning_rate()
    {
        var (expectedHash, expectedHistory) = Uninterrupted(7);
        Assert.Contains("lr_changes=", expectedHistory);
        Assert.True(expectedHistory.Contains("->", StringComparison.Ordinal), expectedHistory); // LR-on-plateau did act, so its state and the LR matter

        using var dir = new TempDirectory();
        var (train, validation) = TinySine.Data();
        using var _ = train;
        using var __ = validation;
        CrashAt(epochs: 7, crashEpoch: 5, dir.Path, train, validation);
        Assert.Equal(["epoch-0004.ckpt", "epoch-0003.ckpt"], TrainingCheckpoint.Find(dir.Path).Select(Path.GetFileName));

        using var resumed = TinySine.Model();
        var history = new ExperimentRunner().Fit(resumed, train, validation, TinySine.Options(7, dir.Path, resume: true), Callbacks(0));

        Assert.Equal(Path.Combine(dir.Path, "epoch-0004.ckpt"), history.ResumedFrom);
        Assert.Equal(expectedHistory, TinySine.Fingerprint(history));
        Assert.Equal(expectedHash, WeightHash.Sha256(resumed));
    }

    [Fact]
    public void A_corrupted_newest_checkpoint_is_skipped_with_a_note_and_the_previous_one_gives_the_same_result()
    {
        var (expectedHash, expectedHistory) = Uninterrupted(5);
        using var dir = new TempDirectory();
        var (train, validation) = TinySine.Data();
        using var _ = train;
        using var __ = validation;
        CrashAt(epochs: 5, crashEpoch: 4, dir.Path, train, validation);
        string newest = Path.Combine(dir.Path, "epoch-0003.ckpt");
        var bytes = File.ReadAllBytes(newest);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(newest, bytes);

        using var resumed = TinySine.Model();
        var history = new ExperimentRunner().Fit(resumed, train, validation, TinySine.Options(5, dir.Path, resume: true), Callbacks(0));

        Assert.Equal(Path.Combine(dir.Path, "epoch-0002.ckpt"), history.ResumedFrom);
        Assert.Contains(history.CheckpointNotes, n => n.Contains("epoch-0003.ckpt", StringComparison.Ordinal) && n.Contains("checksum", StringComparison.Ordinal));
        Assert.Equal(expectedHistory, TinySine.Fingerprint(history));
        Assert.Equal(expectedHash, WeightHash.Sha256(resumed));
    }

    [Fact]
    public void A_resumed_run_with_the_same_callbacks_in_another_order_resumes_bit_identically()
    {
        var (expectedHash, expectedHistory) = Uninterrupted(7);
        using var dir = new TempDirectory();
        var (train, validation) = TinySine.Data();
        using var _ = train;
        using var __ = validation;
        CrashAt(epochs: 7, crashEpoch: 5, dir.Path, train, validation);

        // State is filed by each callback's key, so the order of the list does not matter.
        var reversed = Callbacks(0);
        reversed.Reverse();
        using var resumed = TinySine.Model();
        var history = new ExperimentRunner().Fit(resumed, train, validation, TinySine.Options(7, dir.Path, resume: true), reversed);

        Assert.Equal(Path.Combine(dir.Path, "epoch-0004.ckpt"), history.ResumedFrom);
        Assert.Equal(expectedHistory, TinySine.Fingerprint(history));
        Assert.Equal(expectedHash, WeightHash.Sha256(resumed));
    }

    [Fact]
    public void Resuming_with_another_set_of_callbacks_or_two_callbacks_under_one_key_is_refused()
    {
        using var dir = new TempDirectory();
        var (train, validation) = TinySine.Data();
        using var _ = train;
        using var __ = validation;
        using (var first = TinySine.Model())
            new ExperimentRunner().Fit(first, train, validation, TinySine.Options(2, dir.Path), Callbacks(0));

        using var model = TinySine.Model();
        var other = Assert.Throws<CheckpointException>(() => new ExperimentRunner().Fit(model, train, validation,
            TinySine.Options(3, dir.Path, resume: true), [new EarlyStopping("loss", patience: 3), new ReduceLrOnPlateau(), new CrashAtEpoch(0)]));
        Assert.Contains("EarlyStopping(monitor=val_loss)", other.Message, StringComparison.Ordinal);
        Assert.Contains("EarlyStopping(monitor=loss)", other.Message, StringComparison.Ordinal);

        var twice = Assert.Throws<ArgumentException>(() => new ExperimentRunner().Fit(model, train, validation,
            TinySine.Options(3, dir.Path), [new EarlyStopping(patience: 1), new EarlyStopping(patience: 2)]));
        Assert.Contains("2 callbacks share the state key 'EarlyStopping(monitor=val_loss)'", twice.Message, StringComparison.Ordinal);
    }
}
