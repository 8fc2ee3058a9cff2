using TorchLstm.Data;

namespace TorchLstm.Tests.Data;

public class WordLanguagesTests
{
    [Fact]
    public void The_corpus_has_2500_distinct_lower_case_words_per_language()
    {
        var words = WordLanguages.Words();

        Assert.Equal(10_000, words.Count);
        Assert.Equal(WordLanguages.Languages.Select(l => (l, 2500)), words.GroupBy(w => w.Language).Select(g => (g.Key, g.Count())).OrderBy(p => WordLanguages.LabelOf(p.Key)));
        Assert.Equal(words.Count, words.Select(w => w.Word).Distinct(StringComparer.Ordinal).Count());
        Assert.All(words, w =>
        {
            Assert.InRange(w.Word.Length, 3, 14);
            Assert.True(w.Word.All(char.IsLower), $"'{w.Word}' has a character that is not a lower-case letter");
            Assert.Equal(WordLanguages.Languages[w.Label], w.Language);
        });
        // Letters only one language's list uses show the labels are not shuffled against the words.
        Assert.All(words.Where(w => w.Word.Contains('ł')), w => Assert.Equal("polish", w.Language));
        Assert.All(words.Where(w => w.Word.Contains('ñ')), w => Assert.Equal("spanish", w.Language));
        Assert.Equal(new LabelledWord("affluent", "english", 0), words.Single(w => w.Word == "affluent"));
    }

    [Fact]
    public void The_frame_has_the_word_and_language_columns_and_the_file_is_listed()
    {
        var frame = WordLanguages.Load();
        Assert.Equal(["word", "language"], frame.Columns.Select(c => c.Name));
        Assert.Equal(10_000, frame.Rows.Count);
        Assert.Contains(WordLanguages.FileName, BundledDatasets.FileNames);
    }

    [Fact]
    public void An_unknown_language_is_rejected_with_the_accepted_names()
    {
        var error = Assert.Throws<ArgumentException>(() => WordLanguages.LabelOf("german"));
        Assert.Equal("language", error.ParamName);
        Assert.Contains("'german' is not a language", error.Message, StringComparison.Ordinal);
        Assert.Contains("english, spanish, dutch, polish", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, WordLanguages.LabelOf("polish"));
    }
}
