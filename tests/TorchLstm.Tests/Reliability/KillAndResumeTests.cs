using System.Text.Json.Nodes;
using TorchLstm.Training;

namespace TorchLstm.Tests.Reliability;

/// <summary>
/// Compiles <c>experiments/forecast.cs</c> once, with a run that must fail cleanly on a bad column;
/// the kill tests then reuse the build.
/// </summary>
public sealed class ForecastScriptBuild
{
    public ForecastScriptBuild()
    {
        using var run = ScriptProcess.Start("forecast.cs", ["--target", "nope"], build: true);
        Finished = run.WaitForExit(TimeSpan.FromMinutes(4));
        ExitCode = Finished ? run.ExitCode : -1;
        StandardError = run.StandardError;
        StandardOutput = run.StandardOutput;
    }

    public bool Finished { get; }
    public int ExitCode { get; }
    public string StandardError { get; }
    public string StandardOutput { get; }
}

[CollectionDefinition(nameof(ForecastScriptCollection))]
public sealed class ForecastScriptCollection : ICollectionFixture<ForecastScriptBuild>;

[Collection(nameof(ForecastScriptCollection))]
[Trait("Category", "Slow")]
public class KillAndResumeTests(ForecastScriptBuild build)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    private static string[] Args(string output, string? checkpoints = null, bool resume = false) =>
    [
        "--epochs", "6", "--hidden", "8", "--lookback", "7", "--batch-size", "128", "--seed", "1", "--out", output,
        .. checkpoints is null ? Array.Empty<string>() : ["--checkpoint-dir", checkpoints],
        .. resume ? ["--resume"] : Array.Empty<string>(),
    ];

    [Fact]
    public void A_user_error_in_the_script_is_one_error_line_on_stderr_and_exit_code_2()
    {
        Assert.True(build.Finished, "dotnet run experiments/forecast.cs did not finish");
        Assert.Equal(2, build.ExitCode);
        var lines = build.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one stderr line, got:\n{build.StandardError}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("'nope'", lines[0], StringComparison.Ordinal);
        Assert.Contains("temp_max", lines[0], StringComparison.Ordinal); // names what is accepted
        Assert.DoesNotContain("   at ", build.StandardError + build.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Killed_between_epochs_and_in_the_middle_of_a_checkpoint_write_the_run_resumes_to_bit_identical_weights()
    {
        Assert.True(build.Finished && build.ExitCode == 2, "the script did not build");
        using var dir = new TempDirectory();
        string checkpoints = dir.File("checkpoints"), output = dir.File("resumed"), reference = dir.File("reference");

        using (var uninterrupted = ScriptProcess.Start("forecast.cs", Args(reference), build: false))
            Assert.True(uninterrupted.WaitForExit(Patience) && uninterrupted.ExitCode == 0, uninterrupted.Describe());

        // Kill 1: right after epoch 2's checkpoint is in place, before epoch 3 starts.
        using (var first = ScriptProcess.Start("forecast.cs", Args(output, checkpoints), build: false,
                   new Dictionary<string, string> { ["TORCHLSTM_CHECKPOINT_FAULT"] = "pause-after-write:2" }))
        {
            Assert.True(first.WaitForError("paused after writing the checkpoint of epoch 2", Patience), first.Describe());
            first.KillHard();
        }
        Assert.Equal(["epoch-0002.ckpt", "epoch-0001.ckpt"], CheckpointNames(checkpoints));

        // Kill 2: epoch 4's checkpoint is complete in its temporary file but not yet renamed.
        using (var second = ScriptProcess.Start("forecast.cs", Args(output, checkpoints, resume: true), build: false,
                   new Dictionary<string, string> { ["TORCHLSTM_CHECKPOINT_FAULT"] = "pause-before-rename:4" }))
        {
            Assert.True(second.WaitForError("paused before renaming the checkpoint of epoch 4", Patience), second.Describe());
            second.KillHard();
            Assert.Contains("resuming after epoch 2", second.StandardOutput, StringComparison.Ordinal);
        }
        Assert.Equal(["epoch-0003.ckpt", "epoch-0002.ckpt"], CheckpointNames(checkpoints));
        Assert.Single(Directory.GetFiles(checkpoints, ".epoch-0004.ckpt.*.tmp"));

        using (var last = ScriptProcess.Start("forecast.cs", Args(output, checkpoints, resume: true), build: false))
        {
            Assert.True(last.WaitForExit(Patience) && last.ExitCode == 0, last.Describe());
            Assert.Contains("removed the incomplete", last.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("resuming after epoch 3", last.StandardOutput, StringComparison.Ordinal);
        }

        var expected = Metrics(reference);
        var actual = Metrics(output);
        Assert.Equal(expected["weights_sha256"]!.GetValue<string>(), actual["weights_sha256"]!.GetValue<string>());
        Assert.Equal(expected["rmse"]!.GetValue<double>(), actual["rmse"]!.GetValue<double>());
        Assert.Equal(6, actual["epochs_run"]!.GetValue<int>());
        Assert.Equal(WithoutSeconds(reference), WithoutSeconds(output));
        Assert.Empty(Directory.GetFiles(checkpoints, "*.tmp"));
    }

    private static string[] CheckpointNames(string directory) =>
        [.. TrainingCheckpoint.Find(directory).Select(p => Path.GetFileName(p))];

    private static JsonObject Metrics(string directory) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "metrics.json")))!.AsObject();

    /// <summary>history.csv without its last column (wall-clock seconds).</summary>
    private static string[] WithoutSeconds(string directory) =>
        [.. File.ReadAllLines(Path.Combine(directory, "history.csv")).Select(line => line[..line.LastIndexOf(',')])];
}
