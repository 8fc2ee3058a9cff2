using Microsoft.Data.Analysis;

namespace TorchLstm.Data;

/// <summary>One word of <see cref="WordLanguages"/>, the language whose word list it comes from, and that language's class index.</summary>
/// <param name="Word">The word: 3 to 14 lower-case letters.</param>
/// <param name="Language">The language name, one of <see cref="WordLanguages.Languages"/>.</param>
/// <param name="Label">The index of <paramref name="Language"/> in <see cref="WordLanguages.Languages"/> (the class index a classifier predicts).</param>
public sealed record LabelledWord(string Word, string Language, int Label);

/// <summary>
/// A small labelled text corpus shipped with the library, for character-level sequence classification:
/// 10,000 lower-case words, 2,500 from each of the English, Spanish, Dutch and Polish word lists of
/// Debian's <c>wamerican</c>, <c>wspanish</c>, <c>wdutch</c> and <c>wpolish</c> packages, labelled with their language.
/// </summary>
/// <remarks>
/// Words found in more than one of the lists were left out, so every label is unambiguous; the classes
/// are balanced, so always predicting one language is right a quarter of the time. Sources, licences and
/// the selection procedure are described in <c>Data/Datasets/word-languages.md</c> in the repository.
/// </remarks>
public static class WordLanguages
{
    /// <summary>Name of the bundled CSV file (columns <c>word</c>, <c>language</c>).</summary>
    public const string FileName = "word-languages.csv";

    /// <summary>The languages, in class-index order.</summary>
    public static IReadOnlyList<string> Languages { get; } = ["english", "spanish", "dutch", "polish"];

    /// <summary>The corpus as a DataFrame with the text columns <c>word</c> and <c>language</c>, in the file's (shuffled) order.</summary>
    public static DataFrame Load() => CsvFrame.Parse(BundledDatasets.ReadCsvText(FileName));

    /// <summary>The corpus as labelled words, in the file's (shuffled) order.</summary>
    public static IReadOnlyList<LabelledWord> Words()
    {
        var frame = Load();
        var words = (StringDataFrameColumn)frame.Columns["word"];
        var languages = (StringDataFrameColumn)frame.Columns["language"];
        var result = new LabelledWord[frame.Rows.Count];
        for (int row = 0; row < result.Length; row++)
        {
            string language = languages[row];
            result[row] = new LabelledWord(words[row], language, LabelOf(language));
        }
        return result;
    }

    /// <summary>The class index of a language name.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Languages"/> (the message lists them).</exception>
    public static int LabelOf(string language)
    {
        ArgumentNullException.ThrowIfNull(language);
        for (int i = 0; i < Languages.Count; i++)
            if (string.Equals(Languages[i], language, StringComparison.Ordinal))
                return i;
        throw new ArgumentException($"'{language}' is not a language of the {FileName} corpus; accepted: {string.Join(", ", Languages)}", nameof(language));
    }
}
