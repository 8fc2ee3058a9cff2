using System.Text.Json.Nodes;
using TorchLstm.Data.Text;
using static TorchSharp.torch;
using TorchLstm.IO;
using TorchLstm.Notebooks;

namespace TorchLstm.Models;

/// <summary>One translated text.</summary>
/// <param name="Source">The input text.</param>
/// <param name="Text">The decoded output text.</param>
/// <param name="SourceTokens">The input's tokens (the attention's columns).</param>
/// <param name="OutputTokens">The output's tokens (the attention's rows).</param>
/// <param name="Hypothesis">The decoder's ids, scores and attention weights.</param>
[TypeFormatterSource(typeof(NotebookFormatterSource), PreferredMimeTypes = [NotebookFormatterSource.Html, NotebookFormatterSource.PlainText])]
public sealed record Translation(string Source, string Text, IReadOnlyList<string> SourceTokens, IReadOnlyList<string> OutputTokens, Hypothesis Hypothesis);

/// <summary>
/// A <see cref="Seq2SeqAttention"/> model with its source and target vocabularies: text in, text out,
/// saved and loaded together.
/// </summary>
/// <remarks>
/// <see cref="Save"/> writes two files into a folder, each atomically: <c>seq2seq.json</c> (the
/// options and both vocabularies) and <c>seq2seq.weights</c> (TorchSharp's state-dict format).
/// </remarks>
public sealed class Seq2SeqTranslator : IDisposable
{
    /// <summary>File name of the options and vocabularies.</summary>
    public const string ConfigFileName = "seq2seq.json";

    /// <summary>File name of the weights.</summary>
    public const string WeightsFileName = "seq2seq.weights";

    /// <summary>Bundles a model with the vocabularies it was trained with.</summary>
    /// <exception cref="ArgumentException">A vocabulary's size differs from the model's.</exception>
    public Seq2SeqTranslator(Seq2SeqAttention model, Vocabulary sourceVocabulary, Vocabulary targetVocabulary)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sourceVocabulary);
        ArgumentNullException.ThrowIfNull(targetVocabulary);
        if (sourceVocabulary.Count != model.Options.SourceVocabSize)
            throw new ArgumentException(
                $"The source vocabulary has {sourceVocabulary.Count} tokens but the model expects {model.Options.SourceVocabSize}.", nameof(sourceVocabulary));
        if (targetVocabulary.Count != model.Options.TargetVocabSize)
            throw new ArgumentException(
                $"The target vocabulary has {targetVocabulary.Count} tokens but the model expects {model.Options.TargetVocabSize}.", nameof(targetVocabulary));
        Model = model;
        SourceVocabulary = sourceVocabulary;
        TargetVocabulary = targetVocabulary;
    }

    /// <summary>The model.</summary>
    public Seq2SeqAttention Model { get; }

    /// <summary>Vocabulary of the inputs.</summary>
    public Vocabulary SourceVocabulary { get; }

    /// <summary>Vocabulary of the outputs.</summary>
    public Vocabulary TargetVocabulary { get; }

    /// <summary>
    /// Translates texts, greedily (<paramref name="beamWidth"/> 1) or by beam search, in batches.
    /// Unknown source tokens become <c>&lt;unk&gt;</c>.
    /// </summary>
    /// <param name="texts">Input texts; each must have at least one token.</param>
    /// <param name="beamWidth">1 for greedy decoding, more for beam search. Accepted: 1 or more.</param>
    /// <param name="maxLength">Most output tokens, end token included. Accepted: 1 or more.</param>
    /// <param name="lengthPenalty">Beam search's length-normalisation exponent.</param>
    /// <param name="batchSize">Texts encoded at once. Accepted: 1 or more.</param>
    /// <exception cref="ArgumentException">A text is null or has no token.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A decoding parameter is out of range.</exception>
    public IReadOnlyList<Translation> Translate(IReadOnlyList<string> texts, int beamWidth = 1, int maxLength = 100, double lengthPenalty = 1.0, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ModelArguments.Positive(beamWidth, nameof(beamWidth), "beamWidth");
        ModelArguments.Positive(batchSize, nameof(batchSize), "batchSize");
        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null || SourceVocabulary.Tokenize(texts[i]).Count == 0)
                throw new ArgumentException($"Text {i} {(texts[i] is null ? "is null" : "has no tokens")}; every input needs at least one token.", nameof(texts));
        }
        var device = Model.parameters().First().device;
        // Decoding is many small steps: the thread count that suits the model's size (TorchThreads), not libtorch's default.
        using var threads = TorchThreads.Use(null, Model, (long)Math.Min(batchSize, texts.Count) * beamWidth);
        var result = new List<Translation>(texts.Count);
        for (int start = 0; start < texts.Count; start += batchSize)
        {
            var batch = texts.Skip(start).Take(batchSize).ToList();
            using var scope = NewDisposeScope();
            var ids = SourceVocabulary.EncodeBatch(batch).to(device);
            var hypotheses = beamWidth == 1
                ? Model.Greedy(ids, maxLength)
                : Model.BeamSearch(ids, beamWidth, maxLength, lengthPenalty).Select(h => h[0]).ToList();
            for (int i = 0; i < batch.Count; i++)
            {
                var h = hypotheses[i];
                result.Add(new Translation(batch[i], TargetVocabulary.Decode(h.Tokens), SourceVocabulary.Tokenize(batch[i]),
                    h.Tokens.Select(TargetVocabulary.TokenOf).ToList(), h));
            }
        }
        return result;
    }

    /// <summary>Writes <see cref="ConfigFileName"/> and <see cref="WeightsFileName"/> into <paramref name="directory"/> (created if missing).</summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var config = new JsonObject
        {
            ["options"] = OptionsToJson(Model.Options),
            ["source_vocabulary"] = SourceVocabulary.ToJson(),
            ["target_vocabulary"] = TargetVocabulary.ToJson(),
        };
        AtomicFile.Write(Path.Combine(directory, WeightsFileName), stream =>
        {
            // The writer must leave the stream open: the atomic write flushes it to disk before renaming.
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            Model.save(writer);
        });
        JsonFiles.WriteAtomically(Path.Combine(directory, ConfigFileName), config);
    }

    /// <summary>Reads a translator written by <see cref="Save"/>, on the CPU and in evaluation mode.</summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="ArgumentException">The configuration is malformed.</exception>
    public static Seq2SeqTranslator Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string weights = Path.Combine(directory, WeightsFileName);
        var config = JsonFiles.Read(Path.Combine(directory, ConfigFileName), "seq2seq configuration");
        if (!File.Exists(weights))
            throw new FileNotFoundException($"No seq2seq weights file at '{weights}'.", weights);
        var options = OptionsFromJson(config["options"] as JsonObject
            ?? throw new ArgumentException($"'{ConfigFileName}' lacks an \"options\" object.", nameof(directory)));
        var source = Vocabulary.FromJson(config["source_vocabulary"] ?? throw new ArgumentException($"'{ConfigFileName}' lacks \"source_vocabulary\".", nameof(directory)));
        var target = Vocabulary.FromJson(config["target_vocabulary"] ?? throw new ArgumentException($"'{ConfigFileName}' lacks \"target_vocabulary\".", nameof(directory)));
        var model = new Seq2SeqAttention(options);
        model.load(weights);
        model.eval();
        return new Seq2SeqTranslator(model, source, target);
    }

    // Written field by field rather than with reflection-based serialisation, which trimmed and
    // file-based apps disable.
    private static JsonObject OptionsToJson(Seq2SeqOptions o) => new()
    {
        [nameof(o.SourceVocabSize)] = o.SourceVocabSize,
        [nameof(o.TargetVocabSize)] = o.TargetVocabSize,
        [nameof(o.EmbeddingDim)] = o.EmbeddingDim,
        [nameof(o.HiddenSize)] = o.HiddenSize,
        [nameof(o.EncoderLayers)] = o.EncoderLayers,
        [nameof(o.BidirectionalEncoder)] = o.BidirectionalEncoder,
        [nameof(o.Cell)] = o.Cell.ToString(),
        [nameof(o.Attention)] = o.Attention.ToString(),
        [nameof(o.AttentionSize)] = o.AttentionSize,
        [nameof(o.InputFeeding)] = o.InputFeeding,
        [nameof(o.Dropout)] = o.Dropout,
    };

    private static Seq2SeqOptions OptionsFromJson(JsonObject json)
    {
        T Field<T>(string name)
        {
            if (json[name] is JsonValue value && value.TryGetValue(out T? result)) return result;
            throw new ArgumentException($"'{ConfigFileName}' options lack \"{name}\" of type {typeof(T).Name}.", nameof(json));
        }
        TEnum Named<TEnum>(string name) where TEnum : struct, Enum => Enum.TryParse(Field<string>(name), out TEnum value) && Enum.IsDefined(value)
            ? value
            : throw new ArgumentException($"'{ConfigFileName}' option \"{name}\" must be one of {string.Join(", ", Enum.GetNames<TEnum>())}.", nameof(json));
        return new Seq2SeqOptions
        {
            SourceVocabSize = Field<int>(nameof(Seq2SeqOptions.SourceVocabSize)),
            TargetVocabSize = Field<int>(nameof(Seq2SeqOptions.TargetVocabSize)),
            EmbeddingDim = Field<int>(nameof(Seq2SeqOptions.EmbeddingDim)),
            HiddenSize = Field<int>(nameof(Seq2SeqOptions.HiddenSize)),
            EncoderLayers = Field<int>(nameof(Seq2SeqOptions.EncoderLayers)),
            BidirectionalEncoder = Field<bool>(nameof(Seq2SeqOptions.BidirectionalEncoder)),
            Cell = Named<RecurrentCell>(nameof(Seq2SeqOptions.Cell)),
            Attention = Named<AttentionKind>(nameof(Seq2SeqOptions.Attention)),
            AttentionSize = Field<int>(nameof(Seq2SeqOptions.AttentionSize)),
            InputFeeding = Field<bool>(nameof(Seq2SeqOptions.InputFeeding)),
            Dropout = Field<double>(nameof(Seq2SeqOptions.Dropout)),
        }.Validate();
    }

    /// <summary>Disposes the model.</summary>
    public void Dispose() => Model.Dispose();
}
