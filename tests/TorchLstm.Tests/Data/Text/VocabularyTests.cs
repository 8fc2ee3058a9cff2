using TorchLstm.Data.Text;
using TorchSharp;

namespace TorchLstm.Tests.Data.Text;

public class VocabularyTests
{
    private static readonly string[] Texts = ["3 March 2021", "Wed, Mar 3 '21", "2021-03-03"];

    [Fact]
    public void Character_vocabulary_round_trips_a_padded_batch()
    {
        var vocabulary = Vocabulary.Build(Texts);
        Assert.Equal(SpecialTokens.All, vocabulary.Tokens.Take(4));
        // The space is the most frequent character (6 times, '2' 5 times), so it gets the first ordinary id.
        Assert.Equal(" ", vocabulary.TokenOf(4));
        Assert.Equal("2", vocabulary.TokenOf(5));
        using var ids = vocabulary.EncodeBatch(Texts, addBos: true, addEos: true, length: 20);
        Assert.Equal([3L, 20L], ids.shape);
        Assert.Equal(SpecialTokens.BosId, ids[0, 0].item<long>());
        Assert.Equal(SpecialTokens.EosId, ids[2, 11].item<long>());
        Assert.Equal(SpecialTokens.PadId, ids[2, 12].item<long>());
        Assert.Equal(Texts, vocabulary.DecodeBatch(ids));
    }

    [Fact]
    public void Word_vocabulary_round_trips_and_joins_with_single_spaces()
    {
        var vocabulary = Vocabulary.Build(["the cat sat", "the  dog sat down"], TokenizerKind.Word);
        Assert.Equal(["the", "cat", "sat"], vocabulary.Tokenize("the cat sat"));
        long[] ids = vocabulary.Encode("the dog sat", addEos: true);
        Assert.Equal(4, ids.Length);
        Assert.Equal("the dog sat", vocabulary.Decode(ids));
        Assert.Equal("the dog", vocabulary.Decode([.. ids.Take(2), SpecialTokens.EosId, .. ids.Skip(2)]));
    }

    [Fact]
    public void Unknown_tokens_map_to_unk_or_throw_naming_the_token()
    {
        var vocabulary = Vocabulary.Build(Texts);
        long[] ids = vocabulary.Encode("3 Mayo");
        Assert.Equal(SpecialTokens.UnkId, ids[4]);
        Assert.Equal("3 Ma<unk><unk>", vocabulary.Decode(ids));
        var error = Assert.Throws<ArgumentException>(() => vocabulary.Encode("3 Mayo", unknown: UnknownTokenPolicy.Throw));
        Assert.Contains("Token 'y' (token 4 of \"3 Mayo\")", error.Message);
        // A word spelled like a reserved token must not end the sequence early.
        var words = Vocabulary.Build(["a b"], TokenizerKind.Word);
        Assert.Equal([4L, SpecialTokens.UnkId, 5L], words.Encode("a <eos> b"));
    }

    [Fact]
    public void Ids_outside_the_vocabulary_and_bad_batches_are_rejected()
    {
        var vocabulary = Vocabulary.Build(Texts);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode([4, vocabulary.Count]));
        Assert.Contains($"Token id {vocabulary.Count} is outside", outside.Message);
        using var floats = torch.zeros(2, 3);
        Assert.Contains("integer ids", Assert.Throws<ArgumentException>(() => vocabulary.DecodeBatch(floats)).Message);
        var tooShort = Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.EncodeBatch(Texts, length: 5));
        Assert.Equal("length", tooShort.ParamName);
        Assert.Contains("pass a length of at least 14", tooShort.Message);
        Assert.Throws<ArgumentException>(() => Vocabulary.FromTokens(["ab"]));
        Assert.Throws<ArgumentException>(() => Vocabulary.FromTokens(["a", "a"]));
        Assert.Equal("minFrequency", Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Texts, minFrequency: 0)).ParamName);
    }

    [Fact]
    public void Frequency_limits_leave_rare_tokens_unknown()
    {
        var vocabulary = Vocabulary.Build(Texts, minFrequency: 3);
        Assert.True(vocabulary.Contains("2"));
        Assert.False(vocabulary.Contains("W"));
        Assert.Equal(6, Vocabulary.Build(Texts, maxSize: 6).Count);
    }

    [Fact]
    public void Saved_json_loads_to_the_same_vocabulary_and_leaves_no_temporary_file()
    {
        var vocabulary = Vocabulary.Build(["le chat", "le chien"], TokenizerKind.Word);
        string directory = Path.Combine(Path.GetTempPath(), "vocab-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(directory, "vocab.json");
            vocabulary.Save(path);
            vocabulary.Save(path);
            Assert.Equal(["vocab.json"], Directory.GetFiles(directory).Select(Path.GetFileName));
            var loaded = Vocabulary.Load(path);
            Assert.Equal(TokenizerKind.Word, loaded.Kind);
            Assert.Equal(vocabulary.Tokens, loaded.Tokens);
            Assert.Equal(vocabulary.Encode("le chien"), loaded.Encode("le chien"));
            File.WriteAllText(path, "{\"kind\": \"Character\", \"tokens\": [\"a\"]}");
            Assert.Contains("must start with <pad>", Assert.Throws<ArgumentException>(() => Vocabulary.Load(path)).Message);
            Assert.Throws<FileNotFoundException>(() => Vocabulary.Load(Path.Combine(directory, "missing.json")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
