namespace TorchLstm.Data.Text;

/// <summary>
/// The four reserved tokens every <see cref="Vocabulary"/> starts with, at fixed ids so that models
/// (embedding <c>padding_idx</c>, decoder start and stop) can rely on them without holding a vocabulary.
/// </summary>
public static class SpecialTokens
{
    /// <summary>Id of the padding token; embeddings keep it at zero and losses ignore it.</summary>
    public const long PadId = 0;

    /// <summary>Id of the begin-of-sequence token a decoder starts from.</summary>
    public const long BosId = 1;

    /// <summary>Id of the end-of-sequence token a decoder stops at.</summary>
    public const long EosId = 2;

    /// <summary>Id that stands for any token missing from the vocabulary.</summary>
    public const long UnkId = 3;

    /// <summary>Text of the padding token.</summary>
    public const string Pad = "<pad>";

    /// <summary>Text of the begin-of-sequence token.</summary>
    public const string Bos = "<bos>";

    /// <summary>Text of the end-of-sequence token.</summary>
    public const string Eos = "<eos>";

    /// <summary>Text of the unknown token.</summary>
    public const string Unk = "<unk>";

    /// <summary>Number of reserved ids; ordinary tokens start at this id.</summary>
    public const int Count = 4;

    /// <summary>The reserved tokens in id order.</summary>
    public static IReadOnlyList<string> All { get; } = [Pad, Bos, Eos, Unk];
}

/// <summary>How a <see cref="Vocabulary"/> splits text into tokens.</summary>
public enum TokenizerKind
{
    /// <summary>Every character (UTF-16 code unit) is a token; decoding concatenates them.</summary>
    Character,

    /// <summary>Tokens are separated by white space; decoding joins them with one space.</summary>
    Word,
}

/// <summary>What encoding does with a token that is not in the vocabulary.</summary>
public enum UnknownTokenPolicy
{
    /// <summary>Map it to <see cref="SpecialTokens.UnkId"/> (the usual choice at inference time).</summary>
    MapToUnknown,

    /// <summary>Throw an <see cref="ArgumentException"/> naming the token and where it was found.</summary>
    Throw,
}
