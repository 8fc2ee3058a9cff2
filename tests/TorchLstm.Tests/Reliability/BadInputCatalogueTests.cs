using System.Runtime.InteropServices;
using TorchLstm.Data;
using TorchLstm.Export;
using TorchLstm.Models;
using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Reliability;

/// <summary>
/// One row per bad input a user can give the public API: what they do, the .NET exception they must
/// get, and fragments its message must contain (what was wrong, where, and what is accepted). No row
/// may surface as a native libtorch error or leave a temporary or partial file behind.
/// </summary>
public class BadInputCatalogueTests
{
    private sealed record Case(Action<TempDirectory> Act, Type Expected, string[] Fragments, string? ParamName = null);

    private static SequenceDataset Windows(int samples = 8, int steps = 5, int features = 1, long seed = 1)
    {
        using var generator = new Generator((ulong)seed);
        return new SequenceDataset(randn([samples, steps, features], generator: generator), randn([samples, 1], generator: generator));
    }

    private static TrainingOptions Quiet => new() { Epochs = 1, Progress = ProgressMode.None };

    private static void Csv(TempDirectory dir, string text, string target = "a", string? features = null)
    {
        string path = dir.File("data.csv");
        File.WriteAllText(path, text);
        using var frame = CsvFrame.Load(path) is var f ? new FrameHolder(f) : null!;
        using var table = TimeSeriesTable.FromDataFrame(frame.Frame, target, features?.Split(','));
    }

    private sealed record FrameHolder(Microsoft.Data.Analysis.DataFrame Frame) : IDisposable
    {
        public void Dispose() { }
    }

    private static void Prepare(ForecastDataOptions options, int rows = 60)
    {
        using var values = arange(rows * 2, ScalarType.Float32).reshape(rows, 2);
        using var table = TimeSeriesTable.FromTensor(values, ["a", "b"]);
        using var data = ForecastData.Prepare(table, options);
    }

    private static void Fit(Action<ExperimentRunner, StackedLstm, SequenceDataset> act)
    {
        using var data = Windows();
        Seeding.SeedEverything(1);
        using var model = new StackedLstm(1, [4], 1);
        act(new ExperimentRunner(TextWriter.Null), model, data);
    }

    private static string WriteCheckpoint(TempDirectory dir, int[] hidden)
    {
        using var data = Windows();
        Seeding.SeedEverything(1);
        using var model = new StackedLstm(1, hidden, 1);
        new ExperimentRunner(TextWriter.Null).Fit(model, data, null, Quiet with { CheckpointDirectory = dir.File("ckpt") });
        return TrainingCheckpoint.Find(dir.File("ckpt"))[0];
    }

    private static string WriteTorchScript(TempDirectory dir)
    {
        Seeding.SeedEverything(1);
        using var model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1));
        string path = dir.File("model.pt");
        TorchScript.Save(model, path);
        return path;
    }

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // CSV files
        ["csv: empty file"] = new(d => Csv(d, ""), typeof(DataValidationException), ["data.csv", "empty"]),
        ["csv: header only"] = new(d => Csv(d, "a,b\n"), typeof(DataValidationException), ["no data rows"]),
        ["csv: ragged row"] = new(d => Csv(d, "a,b\n1,2\n3\n4,5\n"), typeof(DataValidationException), ["line 3", "1 field", "2"]),
        ["csv: non-numeric cell"] = new(d => Csv(d, "a,b\n1,2\n3,x\n", features: "a,b"), typeof(DataValidationException), ["'b'", "row 2", "'x'"]),
        ["csv: NaN cell"] = new(d => Csv(d, "a,b\n1,2\n3,NaN\n4,5\n"), typeof(DataValidationException), ["'b'", "row 2", "NaN"]),
        ["csv: missing target column"] = new(d => Csv(d, "a,b\n1,2\n", target: "c"), typeof(DataValidationException), ["'c'", "'a'", "'b'"]),
        ["csv: missing feature column"] = new(d => Csv(d, "a,b\n1,2\n", features: "a,z"), typeof(DataValidationException), ["'z'", "'b'"]),
        ["csv: duplicate column names"] = new(d => Csv(d, "a,a\n1,2\n"), typeof(DataValidationException), ["data.csv", "'a'", "appears twice", "must be unique"]),
        ["csv: missing file"] = new(d => CsvFrame.Load(d.File("nope.csv")), typeof(FileNotFoundException), ["nope.csv"]),
        ["data: too short for the window"] = new(_ => Prepare(new ForecastDataOptions { Lookback = 50 }, rows: 40), typeof(ArgumentException), ["40", "50"]),

        // Hyper-parameters
        ["options: batch size 0"] = new(_ => (Quiet with { BatchSize = 0 }).Validate(), typeof(ArgumentOutOfRangeException), ["BatchSize", "1 or more"], "BatchSize"),
        ["options: learning rate 0"] = new(_ => (Quiet with { LearningRate = 0 }).Validate(), typeof(ArgumentOutOfRangeException), ["LearningRate", "greater than 0"], "LearningRate"),
        ["options: negative learning rate"] = new(_ => (Quiet with { LearningRate = -1e-3 }).Validate(), typeof(ArgumentOutOfRangeException), ["LearningRate"], "LearningRate"),
        ["options: negative epochs"] = new(_ => (Quiet with { Epochs = -1 }).Validate(), typeof(ArgumentOutOfRangeException), ["Epochs", "0 or more"], "Epochs"),
        ["options: resume without a checkpoint directory"] = new(_ => (Quiet with { Resume = true }).Validate(), typeof(ArgumentException), ["Resume", "CheckpointDirectory"], "Resume"),
        ["options: keep 0 checkpoints"] = new(_ => (Quiet with { CheckpointsToKeep = 0 }).Validate(), typeof(ArgumentOutOfRangeException), ["CheckpointsToKeep", "1 or more"], "CheckpointsToKeep"),
        ["model: dropout 1"] = new(_ => new StackedLstm(1, [4, 4], 1, dropout: 1.0).Dispose(), typeof(ArgumentOutOfRangeException), ["dropout", "[0, 1)"], "dropout"),
        ["model: negative dropout"] = new(_ => new StackedLstm(1, [4], 1, dropout: -0.1).Dispose(), typeof(ArgumentOutOfRangeException), ["dropout", "[0, 1)"], "dropout"),
        ["model: hidden size 0"] = new(_ => new StackedLstm(1, [0], 1).Dispose(), typeof(ArgumentOutOfRangeException), ["0", "at least 1"], "hiddenSizes"),
        ["data: window 0"] = new(_ => Prepare(new ForecastDataOptions { Lookback = 0 }), typeof(ArgumentOutOfRangeException), ["Lookback", "at least 1"], "options"),
        ["data: horizon 0"] = new(_ => Prepare(new ForecastDataOptions { Lookback = 5, Horizon = 0 }), typeof(ArgumentOutOfRangeException), ["Horizon", "at least 1"], "options"),
        ["data: fractions leave no training rows"] = new(_ => Prepare(new ForecastDataOptions { Lookback = 5, ValidationFraction = 0.9, TestFraction = 0.95 }),
            typeof(ArgumentOutOfRangeException), ["60 rows", "0.9", "0.95", "training set would be empty"]),
        ["callback: negative patience"] = new(_ => new EarlyStopping(patience: -1), typeof(ArgumentOutOfRangeException), ["patience", "0 or more"], "patience"),

        // Tensors
        ["tensor: wrong rank"] = new(_ => { Seeding.SeedEverything(1); using var m = new StackedLstm(1, [4], 1); using var x = zeros(5, 1); m.forward(x).Dispose(); },
            typeof(ArgumentException), ["[5, 1]", "(batch, time, features=1)"], "input"),
        ["tensor: wrong feature count"] = new(_ => { Seeding.SeedEverything(1); using var m = new StackedLstm(1, [4], 1); using var x = zeros(2, 5, 3); m.forward(x).Dispose(); },
            typeof(ArgumentException), ["[2, 5, 3]", "1"]),
        ["tensor: float tokens for the classifier"] = new(_ => { using var m = new SequenceClassifier(10, 4, 4, 2); using var x = zeros(2, 5); m.forward(x).Dispose(); },
            typeof(ArgumentException), ["Float32", "Int64"]),
        ["tensor: token id beyond the vocabulary"] = new(_ => { using var m = new SequenceClassifier(10, 4, 4, 2); using var x = full(2, 5, 10L); m.forward(x).Dispose(); },
            typeof(ArgumentException), ["token id 10", "[0, 10)"], "tokens"),
        ["fit: inputs and targets of different lengths"] = new(_ => Fit((r, m, d) => r.Fit(m, d with { Targets = d.Targets[..4] }, null, Quiet)),
            typeof(ArgumentException), ["8", "4"]),
        ["fit: NaN in the inputs"] = new(_ => Fit((r, m, d) => { d.Inputs[3, 2, 0] = float.NaN; r.Fit(m, d, null, Quiet); }),
            typeof(ArgumentException), ["NaN", "sample 3"]),
        ["fit: targets shaped unlike the output"] = new(_ => Fit((r, m, d) => r.Fit(m, d with { Targets = zeros(8, 3) }, null, Quiet)),
            typeof(ArgumentException), ["[8, 1]", "[8, 3]"]),
        ["predict: no samples"] = new(_ => Fit((r, m, d) => r.Predict(m, zeros(0, 5, 1))), typeof(ArgumentException), ["[0, 5, 1]", "non-empty"]),

        // Files
        ["checkpoint: missing file"] = new(d => TrainingCheckpoint.Load(d.File("epoch-0001.ckpt")), typeof(CheckpointException), ["epoch-0001.ckpt", "does not exist"]),
        ["checkpoint: corrupted byte"] = new(d =>
        {
            string path = WriteCheckpoint(d, [4]);
            var bytes = File.ReadAllBytes(path);
            bytes[^100] ^= 1;
            File.WriteAllBytes(path, bytes);
            TrainingCheckpoint.Load(path);
        }, typeof(CheckpointException), ["epoch-0001.ckpt", "corrupted", "checksum"]),
        ["checkpoint: truncated"] = new(d =>
        {
            string path = WriteCheckpoint(d, [4]);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
            TrainingCheckpoint.Load(path);
        }, typeof(CheckpointException), ["epoch-0001.ckpt", "truncated"]),
        ["checkpoint: not a checkpoint"] = new(d => { File.WriteAllText(d.File("x.ckpt"), "hello"); TrainingCheckpoint.Load(d.File("x.ckpt")); },
            typeof(CheckpointException), ["x.ckpt", "not a TorchLstm training checkpoint"]),
        ["checkpoint: another model shape"] = new(d =>
        {
            string path = WriteCheckpoint(d, [4]);
            using var checkpoint = TrainingCheckpoint.Load(path);
            using var other = new StackedLstm(1, [6], 1);
            checkpoint.RestoreWeights(other);
        }, typeof(CheckpointException), ["epoch-0001.ckpt", "weight_ih_l0", "[16, 1]", "[24, 1]"]),
        ["resume: checkpoint of another model shape"] = new(d =>
        {
            WriteCheckpoint(d, [4]);
            using var data = Windows();
            using var other = new StackedLstm(1, [6], 1);
            new ExperimentRunner(TextWriter.Null).Fit(other, data, null, Quiet with { Epochs = 2, CheckpointDirectory = d.File("ckpt"), Resume = true });
        }, typeof(CheckpointException), ["epoch-0001.ckpt", "differently shaped model"]),
        ["torchscript: missing file"] = new(d => TorchScript.Load(d.File("none.pt")), typeof(FileNotFoundException), ["none.pt"]),
        ["torchscript: garbage bytes"] = new(d => { File.WriteAllBytes(d.File("g.pt"), [.. Enumerable.Range(0, 500).Select(i => (byte)(i * 37))]); TorchScript.Load(d.File("g.pt")); },
            typeof(TorchScriptFormatException), ["g.pt", "not a zip"]),
        ["torchscript: truncated archive"] = new(d =>
        {
            string path = WriteTorchScript(d);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            TorchScript.Load(path);
        }, typeof(TorchScriptFormatException), ["model.pt"]),
        ["torchscript: corrupted entry"] = new(d =>
        {
            string path = WriteTorchScript(d);
            var bytes = File.ReadAllBytes(path);
            bytes[bytes.Length / 3] ^= 0xFF;
            File.WriteAllBytes(path, bytes);
            TorchScript.Load(path);
        }, typeof(TorchScriptFormatException), ["model.pt", "CRC"]),
        ["torchscript: a zip that is not TorchScript"] = new(d =>
        {
            using (var zip = System.IO.Compression.ZipFile.Open(d.File("z.pt"), System.IO.Compression.ZipArchiveMode.Create))
                using (var writer = new StreamWriter(zip.CreateEntry("archive/readme.txt").Open())) writer.Write("hi");
            TorchScript.Load(d.File("z.pt"));
        }, typeof(TorchScriptFormatException), ["z.pt", "data.pkl"]),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Fact]
    public void A_valid_TorchScript_file_loads_through_the_checked_loader_and_computes_what_the_model_did()
    {
        using var dir = new TempDirectory();
        Seeding.SeedEverything(1);
        using var model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1));
        model.eval();
        TorchScript.Save(model, dir.File("ok.pt"));
        using var loaded = TorchScript.Load(dir.File("ok.pt"));
        using var x = randn(4, 3, generator: new Generator(2));
        using var expected = model.forward(x);
        using var actual = loaded.forward(x);
        Assert.True(actual.allclose(expected, rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void The_catalogue_covers_at_least_25_bad_inputs() => Assert.InRange(Cases.Count, 25, int.MaxValue);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Bad_input_gives_a_documented_exception_naming_what_where_and_what_is_accepted(string name)
    {
        var row = Cases[name];
        using var dir = new TempDirectory();

        var error = Record.Exception(() => row.Act(dir));

        Assert.NotNull(error);
        Assert.True(error.GetType() == row.Expected, $"{name}: expected {row.Expected.Name}, got {error.GetType().Name}: {error.Message}");
        Assert.IsNotAssignableFrom<ExternalException>(error);
        foreach (var fragment in row.Fragments)
            Assert.True(error.Message.Contains(fragment, StringComparison.Ordinal), $"{name}: message lacks '{fragment}': {error.Message}");
        foreach (var native in new[] { "Exception raised from", "c10::", "libtorch_cpu", "at::" })
            Assert.DoesNotContain(native, error.Message, StringComparison.Ordinal);
        if (row.ParamName is { } paramName)
            Assert.Equal(paramName, Assert.IsAssignableFrom<ArgumentException>(error).ParamName);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
    }
}
