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
        using (var crashed = TinySine.Model())
            Assert.Throws<SimulatedCrashException>(() =>
                new ExperimentRunner().Fit(crashed, train, validation, TinySine.Options(7, dir.Path), Callbacks(5)));
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
        using (var crashed = TinySine.Model())
            Assert.Throws<SimulatedCrashException>(() =>
                new ExperimentRunner().Fit(crashed, train, validation, TinySine.Options(5, dir.Path), Callbacks(4)));
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
}
