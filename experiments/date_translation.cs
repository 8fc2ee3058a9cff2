#:project ../src/TorchLstm/TorchLstm.csproj
// Date normalisation with a character-level seq2seq model: human-written dates in 13 formats
// ("3 March 2021", "Wed, Mar 3 '21", "03/03/2021", ...) → ISO 8601 "2021-03-03". Trains a bi-LSTM
// encoder with an additive-attention decoder and, on the same data and epoch budget, a plain
// encoder–decoder without attention; reports exact-match accuracy on 1,000 held-out calendar dates,
// overall and per input format, and draws attention heatmaps for a few test dates.
//   dotnet run experiments/date_translation.cs -- [--seed 42] [--epochs 6] [--train 20000]
//       [--batch-size 128] [--lr 0.004] [--hidden 64] [--heatmaps 4] [--out DIR]
//       [--checkpoint-dir DIR [--resume]]   (one checkpoint subfolder per model)
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchLstm.Cli;
using TorchLstm.Data.Text;
using TorchLstm.Models;
using TorchLstm.Reporting;
using TorchLstm.Training;
using TorchSharp;
using TorchLstm.IO;

return ExperimentHost.Run(args, cli =>
{
    long seed = cli.Long("seed", 42);
    string output = cli.String("out", "experiments/results/date_translation");
    int epochs = cli.Int("epochs", 6, min: 1);
    int trainCount = cli.Int("train", 20_000, min: 100);
    int batchSize = cli.Int("batch-size", 128, min: 1);
    double learningRate = cli.Double("lr", 0.004, exclusiveMin: 0);
    int hidden = cli.Int("hidden", 64, min: 1);
    int heatmaps = cli.Int("heatmaps", 4, min: 0);
    var (checkpoints, resume) = cli.Checkpoints();
    cli.RejectUnknown();

    var split = DateNormalizationTask.Generate(seed, trainCount);
    var sourceVocabulary = Vocabulary.Build(split.Train.Select(e => e.Text));
    var targetVocabulary = Vocabulary.Build(split.Train.Select(e => e.Iso));
    Console.WriteLine($"{split.Train.Count} training, {split.Validation.Count} validation, {split.Test.Count} test dates; " +
                      $"{DateFormats.Count} formats; vocabularies {sourceVocabulary.Count} / {targetVocabulary.Count} characters");

    int sourceLength = split.Train.Concat(split.Validation).Max(e => e.Text.Length);
    using var train = ToDataset(split.Train);
    using var validation = ToDataset(split.Validation);
    var texts = split.Test.Select(e => e.Text).ToList();

    var results = new Dictionary<AttentionKind, (Seq2SeqTranslator Translator, IReadOnlyList<Translation> Outputs, History History, double Seconds)>();
    foreach (var attention in new[] { AttentionKind.Additive, AttentionKind.None })
    {
        Console.WriteLine($"\n== {(attention == AttentionKind.None ? "no attention" : $"{attention} attention")} ==");
        Seeding.SeedEverything(seed);
        var model = new Seq2SeqAttention(new Seq2SeqOptions
        {
            SourceVocabSize = sourceVocabulary.Count,
            TargetVocabSize = targetVocabulary.Count,
            HiddenSize = hidden,
            Attention = attention,
        });
        var options = new TrainingOptions
        {
            Epochs = epochs, BatchSize = batchSize, LearningRate = learningRate, Loss = LossKind.CrossEntropy,
            IgnoreIndex = SpecialTokens.PadId, ClipGradNorm = 1.0, Seed = seed, Progress = ProgressMode.Lines,
            // One subfolder per model, so each resumes from its own checkpoints.
            CheckpointDirectory = checkpoints is null ? null : Path.Combine(checkpoints, attention.ToString().ToLowerInvariant()),
            Resume = resume,
        };
        // Validation loss keeps creeping down long after every date is right; a minimum improvement stops there.
        using var earlyStopping = new EarlyStopping(LogNames.ValidationLoss, patience: 2, minDelta: 1e-4, restoreBestWeights: true);
        var clock = Stopwatch.StartNew();
        var history = new ExperimentRunner().Fit(model, train, validation, options, [earlyStopping]);
        var translator = new Seq2SeqTranslator(model, sourceVocabulary, targetVocabulary);
        var outputs = translator.Translate(texts, maxLength: 16);
        double seconds = clock.Elapsed.TotalSeconds;
        results[attention] = (translator, outputs, history, seconds);
        Console.WriteLine($"exact match {ExactMatch(outputs, split.Test):P2} after {history.Epochs.Count} epochs, {seconds:F0} s");
    }

    Directory.CreateDirectory(output);
    var (withAttention, plain) = (results[AttentionKind.Additive], results[AttentionKind.None]);
    var perFormat = new JsonObject();
    var table = new List<string> { "| format | example | attention | no attention |", "|---|---|---:|---:|" };
    for (int f = 0; f < DateFormats.Count; f++)
    {
        var indices = Enumerable.Range(0, split.Test.Count).Where(i => split.Test[i].FormatIndex == f).ToList();
        double a = indices.Count(i => withAttention.Outputs[i].Text == split.Test[i].Iso) / (double)indices.Count;
        double n = indices.Count(i => plain.Outputs[i].Text == split.Test[i].Iso) / (double)indices.Count;
        perFormat[DateFormats.Names[f]] = new JsonObject { ["attention"] = a, ["no_attention"] = n, ["count"] = indices.Count };
        table.Add($"| `{DateFormats.Names[f]}` | {split.Test[indices[0]].Text} | {a:P1} | {n:P1} |");
    }
    var metrics = new JsonObject
    {
        ["exact_match"] = ExactMatch(withAttention.Outputs, split.Test),
        ["exact_match_no_attention"] = ExactMatch(plain.Outputs, split.Test),
        ["per_format"] = perFormat,
        ["test_dates"] = split.Test.Count,
        ["seed"] = seed,
        ["epochs"] = new JsonObject { ["attention"] = withAttention.History.Epochs.Count, ["no_attention"] = plain.History.Epochs.Count },
        ["seconds"] = new JsonObject { ["attention"] = Math.Round(withAttention.Seconds, 1), ["no_attention"] = Math.Round(plain.Seconds, 1) },
        ["errors_attention"] = new JsonArray([.. Errors(withAttention.Outputs, split.Test).Take(20)]),
    };
    AtomicFile.Write(Path.Combine(output, "metrics.json"), stream =>
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        metrics.WriteTo(writer);
    });

    // Heatmaps for test dates in different formats: rows are output characters, columns source characters.
    for (int k = 0; k < Math.Min(heatmaps, DateFormats.Count); k++)
    {
        int i = split.Test.Select((e, index) => (e, index)).First(p => p.e.FormatIndex == (k * 3) % DateFormats.Count).index;
        var translation = withAttention.Outputs[i];
        var weights = translation.Hypothesis.Attention!;
        var values = new double[weights.GetLength(0), weights.GetLength(1)];
        for (int r = 0; r < values.GetLength(0); r++)
            for (int c = 0; c < values.GetLength(1); c++)
                values[r, c] = weights[r, c];
        Plots.Heatmap(Path.Combine(output, $"attention_{k + 1}.png"), values, translation.OutputTokens,
            translation.SourceTokens.Select(t => t == " " ? "␣" : t).ToList(), "attention weight",
            new PlotOptions { Title = $"\"{translation.Source}\" → {translation.Text}", XLabel = "source character", YLabel = "output character" });
    }
    withAttention.Translator.Save(Path.Combine(output, "model"));

    Console.WriteLine();
    Console.WriteLine(string.Join('\n', table));
    Console.WriteLine($"\nexact match on {split.Test.Count} held-out dates: attention {metrics["exact_match"]!.GetValue<double>():P2} " +
                      $"({withAttention.Seconds:F0} s), no attention {metrics["exact_match_no_attention"]!.GetValue<double>():P2} ({plain.Seconds:F0} s)");
    Console.WriteLine($"wrote metrics.json, {Math.Min(heatmaps, DateFormats.Count)} attention heatmaps and the model to {output}");
    withAttention.Translator.Dispose();
    plain.Translator.Dispose();
    return 0;

    // One padded width for training and validation: the runner checks that validation samples are shaped
    // like training samples, and each set's longest date differs with small --train values.
    TorchLstm.Data.SequenceDataset ToDataset(IReadOnlyList<DateExample> examples) => Seq2SeqAttention.ToDataset(
        sourceVocabulary.EncodeBatch(examples.Select(e => e.Text).ToList(), length: sourceLength),
        targetVocabulary.EncodeBatch(examples.Select(e => e.Iso).ToList(), addEos: true));
});

static double ExactMatch(IReadOnlyList<Translation> outputs, IReadOnlyList<DateExample> expected) =>
    Enumerable.Range(0, expected.Count).Count(i => outputs[i].Text == expected[i].Iso) / (double)expected.Count;

static IEnumerable<JsonNode?> Errors(IReadOnlyList<Translation> outputs, IReadOnlyList<DateExample> expected) =>
    Enumerable.Range(0, expected.Count).Where(i => outputs[i].Text != expected[i].Iso)
        .Select(i => (JsonNode?)new JsonObject { ["input"] = expected[i].Text, ["expected"] = expected[i].Iso, ["output"] = outputs[i].Text });
