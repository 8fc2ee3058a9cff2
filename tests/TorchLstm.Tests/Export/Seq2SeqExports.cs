using System.Text.Json;
using TorchLstm.Data.Text;
using TorchLstm.Export;
using TorchLstm.Models;
using TorchLstm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Tests.Export;

/// <summary>
/// Exports every <see cref="Seq2SeqExportCases"/> configuration and a small trained date translator,
/// then runs all the Python checks in one interpreter, once, when the first test asks for them:
/// teacher-forced logits and greedy decoding of every batch, and the translator's greedy outputs
/// decoded to strings with its target vocabulary. The TorchSharp checks never need Python.
/// </summary>
public sealed class Seq2SeqExports : IDisposable
{
    public const int TranslatorMaxLength = 30;
    public const double EndTokenBias = 0.45;

    public static readonly (string Source, string Target)[] Pairs =
    [
        ("3 may 21", "2021-05-03"), ("may 4 '19", "2019-05-04"), ("12/01/1999", "1999-01-12"),
        ("2020.7.9", "2020-07-09"), ("1 jun 77", "1977-06-01"), ("30.11.1960", "1960-11-30"),
    ];

    public sealed record Exported(Seq2SeqAttention Model, (Tensor Source, Tensor Target)[] Batches, string Path);

    public string Directory { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "torchlstm-seq2seq-" + Guid.NewGuid().ToString("N"));

    public Dictionary<string, Exported> Models { get; } = [];

    /// <summary>What PyTorch computed: per case and batch [logits, greedy ids, greedy attention]; the translator's strings.</summary>
    public sealed record PythonResults(Dictionary<string, List<List<Tensor>>> Outputs, string[] Translations);

    private readonly Lazy<PythonResults> _python;

    /// <summary>PyTorch's results; skips the test without Python.</summary>
    public PythonResults Python
    {
        get
        {
            PythonTorch.Require();
            return _python.Value;
        }
    }

    public Seq2SeqTranslator Translator { get; }

    public string TranslatorPath { get; }

    public Seq2SeqExports()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var manifest = new List<object>();
        var generator = new Generator(20240612);
        foreach (var exportCase in Seq2SeqExportCases.All)
        {
            torch.manual_seed(23);
            var model = new Seq2SeqAttention(exportCase.Options);
            // Random weights rarely pick the end token; favouring it makes rows end at different steps,
            // so the padding after each row's end is exercised too.
            using (torch.no_grad())
                model.named_parameters().Single(p => p.name == "decoder.output.bias").parameter[SpecialTokens.EosId].add_(EndTokenBias);
            var batches = Seq2SeqExportCases.Batches(generator);
            string path = Path(exportCase.Name, ".pt");
            TorchScript.Save(model, path);
            Models[exportCase.Name] = new Exported(model, batches, path);
            manifest.Add(new
            {
                model = path,
                max_length = Seq2SeqExportCase.MaxLength,
                batches = batches.Select((b, i) => new
                {
                    packed = PythonTorch.Describe(Seq2SeqAttention.PackInputs(b.Source, b.Target), Path(exportCase.Name, $".packed{i}.bin")),
                    source = PythonTorch.Describe(b.Source, Path(exportCase.Name, $".source{i}.bin")),
                }).ToArray(),
            });
        }

        Translator = TrainTranslator();
        TranslatorPath = Path("translator", ".pt");
        TorchScript.Save(Translator.Model, TranslatorPath);
        var translatorSources = Translator.SourceVocabulary.EncodeBatch(Pairs.Select(p => p.Source).ToList());

        string manifestPath = Path("manifest", ".json");
        File.WriteAllText(manifestPath, JsonSerializer.Serialize(new
        {
            cases = manifest,
            translator = new
            {
                model = TranslatorPath,
                source = PythonTorch.Describe(translatorSources, Path("translator", ".source.bin")),
                tokens = Translator.TargetVocabulary.Tokens,
                max_length = TranslatorMaxLength,
                output = Path("translator", ".strings.json"),
            },
        }));
        _python = new(() => RunPython(manifestPath));
    }

    public string Path(string name, string suffix) => System.IO.Path.Combine(Directory, name + suffix);

    private PythonResults RunPython(string manifestPath)
    {
        PythonTorch.Run(PythonTorch.Require(), PythonTorch.PythonHelpers + """
            manifest = json.load(open(sys.argv[1]))
            with torch.no_grad():
                for case in manifest["cases"]:
                    model = torch.jit.load(case["model"]).eval()
                    for i, batch in enumerate(case["batches"]):
                        logits = model(read_tensor(batch["packed"]))
                        ids, attention = model.greedy(read_tensor(batch["source"]), case["max_length"])
                        write_tensors([logits, ids, attention], case["model"] + f".py{i}")

                translator = manifest["translator"]
                model = torch.jit.load(translator["model"]).eval()
                ids, _ = model.greedy(read_tensor(translator["source"]), translator["max_length"])
                tokens = translator["tokens"]
                texts = []
                for row in ids.tolist():
                    text = ""
                    for i in row:
                        if i == 2:
                            break
                        if i > 2:
                            text += tokens[i]
                    texts.append(text)
                json.dump(texts, open(translator["output"], "w"))
            """, manifestPath);
        return new PythonResults(
            Models.ToDictionary(m => m.Key, m => Enumerable.Range(0, m.Value.Batches.Length)
                .Select(i => PythonTorch.ReadTensors(m.Value.Path + $".py{i}.json")).ToList()),
            JsonSerializer.Deserialize<string[]>(File.ReadAllText(Path("translator", ".strings.json")))!);
    }

    // Six date pairs overfitted through the runner with pure teacher forcing.
    private static Seq2SeqTranslator TrainTranslator()
    {
        var source = Vocabulary.Build(Pairs.Select(p => p.Source));
        var target = Vocabulary.Build(Pairs.Select(p => p.Target));
        Seeding.SeedEverything(11);
        var model = new Seq2SeqAttention(new Seq2SeqOptions
        {
            SourceVocabSize = source.Count, TargetVocabSize = target.Count,
            EmbeddingDim = 12, HiddenSize = 16, AttentionSize = 16,
        });
        using var data = Seq2SeqAttention.ToDataset(
            source.EncodeBatch(Pairs.Select(p => p.Source).ToList()),
            target.EncodeBatch(Pairs.Select(p => p.Target).ToList(), addEos: true));
        var options = new TrainingOptions
        {
            Epochs = 60, BatchSize = Pairs.Length, LearningRate = 0.02, Loss = LossKind.CrossEntropy,
            IgnoreIndex = SpecialTokens.PadId, Progress = ProgressMode.None, Seed = 11, ClipGradNorm = 1.0,
        };
        new ExperimentRunner().Fit(model, data, data, options);
        return new Seq2SeqTranslator(model, source, target);
    }

    public void Dispose()
    {
        Translator.Dispose();
        foreach (var exported in Models.Values) exported.Model.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
