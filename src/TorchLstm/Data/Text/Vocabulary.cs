using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchLstm.Data.Text;

/// <summary>
/// A character- or word-level vocabulary: maps text to token ids and back. Ids 0–3 are always
/// <c>&lt;pad&gt;</c>, <c>&lt;bos&gt;</c>, <c>&lt;eos&gt;</c> and <c>&lt;unk&gt;</c> (<see cref="SpecialTokens"/>);
/// ordinary tokens follow, most frequent first.
/// </summary>
/// <remarks>
/// Batches are padded at the end with id 0 (PyTorch's habit), which is what the sequence models
/// here expect. A text token spelled like a reserved token (for example the word <c>&lt;eos&gt;</c>) is
/// not given the reserved id, so user text can never end a sequence early; it counts as unknown.
/// </remarks>
public sealed class Vocabulary
{
    private readonly string[] tokens;
    private readonly Dictionary<string, long> ids;

    private Vocabulary(TokenizerKind kind, IEnumerable<string> ordinaryTokens)
    {
        Kind = kind;
        tokens = [.. SpecialTokens.All, .. ordinaryTokens];
        ids = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = SpecialTokens.Count; i < tokens.Length; i++)
        {
            string token = tokens[i];
            if (string.IsNullOrEmpty(token))
                throw new ArgumentException($"Vocabulary token {i} is empty; every token needs at least one character.", nameof(ordinaryTokens));
            if (SpecialTokens.All.Contains(token))
                throw new ArgumentException($"Vocabulary token {i} '{token}' is a reserved token; reserved tokens are added automatically at ids 0-3.", nameof(ordinaryTokens));
            if (kind == TokenizerKind.Character && token.Length != 1)
                throw new ArgumentException($"A character vocabulary holds single characters, but token {i} is '{token}'.", nameof(ordinaryTokens));
            if (kind == TokenizerKind.Word && token.Any(char.IsWhiteSpace))
                throw new ArgumentException($"A word vocabulary splits on white space, so token {i} '{token}' could never occur.", nameof(ordinaryTokens));
            if (!ids.TryAdd(token, i))
                throw new ArgumentException($"Vocabulary token '{token}' appears twice (ids {ids[token]} and {i}).", nameof(ordinaryTokens));
        }
    }

    /// <summary>How text is split into tokens.</summary>
    public TokenizerKind Kind { get; }

    /// <summary>Number of ids, reserved tokens included; valid ids are [0, Count).</summary>
    public int Count => tokens.Length;

    /// <summary>All tokens in id order, reserved tokens first.</summary>
    public IReadOnlyList<string> Tokens => tokens;

    /// <summary>
    /// Builds a vocabulary from the tokens of <paramref name="texts"/>, most frequent first (ties in
    /// ordinal order, so the same texts always give the same ids).
    /// </summary>
    /// <param name="texts">Training texts.</param>
    /// <param name="kind">Character or word tokens.</param>
    /// <param name="minFrequency">Tokens seen fewer times are left out (they will encode as unknown). Accepted: 1 or more.</param>
    /// <param name="maxSize">When set, the most frequent tokens are kept until the vocabulary (reserved tokens included) has this many ids. Accepted: null or more than 4.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit or the kind is out of range.</exception>
    public static Vocabulary Build(IEnumerable<string> texts, TokenizerKind kind = TokenizerKind.Character, int minFrequency = 1, int? maxSize = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        CheckKind(kind);
        if (minFrequency < 1)
            throw new ArgumentOutOfRangeException(nameof(minFrequency), minFrequency, $"minFrequency must be at least 1 (got {minFrequency}).");
        if (maxSize is { } size && size <= SpecialTokens.Count)
            throw new ArgumentOutOfRangeException(nameof(maxSize), size, $"maxSize must leave room for a token beyond the {SpecialTokens.Count} reserved ones (got {size}).");

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int index = 0;
        foreach (string? text in texts)
        {
            if (text is null)
                throw new ArgumentException($"Text {index} is null; pass an empty string for an empty text.", nameof(texts));
            foreach (string token in Split(text, kind))
            {
                if (SpecialTokens.All.Contains(token)) continue;
                counts[token] = counts.GetValueOrDefault(token) + 1;
            }
            index++;
        }
        var kept = counts.Where(pair => pair.Value >= minFrequency)
            .OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => pair.Key);
        if (maxSize is { } limit) kept = kept.Take(limit - SpecialTokens.Count);
        return new Vocabulary(kind, kept.ToList());
    }

    /// <summary>A vocabulary with exactly these ordinary tokens, in this order, after the reserved ones.</summary>
    /// <exception cref="ArgumentException">A token is empty, repeated, reserved, or impossible for the kind.</exception>
    public static Vocabulary FromTokens(IEnumerable<string> ordinaryTokens, TokenizerKind kind = TokenizerKind.Character)
    {
        ArgumentNullException.ThrowIfNull(ordinaryTokens);
        CheckKind(kind);
        return new Vocabulary(kind, ordinaryTokens.ToList());
    }

    /// <summary>Splits a text into tokens (characters, or white-space separated words).</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Split(text, Kind);
    }

    /// <summary>Whether <paramref name="token"/> has an ordinary id of its own.</summary>
    public bool Contains(string token) => token is not null && ids.ContainsKey(token);

    /// <summary>The token of an id.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is outside [0, <see cref="Count"/>).</exception>
    public string TokenOf(long id)
    {
        CheckId(id, nameof(id));
        return tokens[id];
    }

    /// <summary>Encodes one text as ids.</summary>
    /// <param name="text">The text.</param>
    /// <param name="addBos">Start with <see cref="SpecialTokens.BosId"/>.</param>
    /// <param name="addEos">End with <see cref="SpecialTokens.EosId"/>.</param>
    /// <param name="unknown">What to do with a token not in the vocabulary.</param>
    /// <exception cref="ArgumentException">With <see cref="UnknownTokenPolicy.Throw"/>, a token is not in the vocabulary.</exception>
    public long[] Encode(string text, bool addBos = false, bool addEos = false, UnknownTokenPolicy unknown = UnknownTokenPolicy.MapToUnknown)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Enum.IsDefined(unknown))
            throw new ArgumentOutOfRangeException(nameof(unknown), unknown, $"UnknownTokenPolicy {unknown} is not defined; accepted: {string.Join(", ", Enum.GetNames<UnknownTokenPolicy>())}.");
        var split = Split(text, Kind);
        var result = new List<long>(split.Count + 2);
        if (addBos) result.Add(SpecialTokens.BosId);
        for (int i = 0; i < split.Count; i++)
        {
            if (ids.TryGetValue(split[i], out long id)) { result.Add(id); continue; }
            if (unknown == UnknownTokenPolicy.Throw)
                throw new ArgumentException(
                    $"Token '{split[i]}' (token {i} of \"{text}\") is not in the {Kind.ToString().ToLowerInvariant()} vocabulary of {Count} tokens; " +
                    "add it when building the vocabulary or encode with UnknownTokenPolicy.MapToUnknown.", nameof(text));
            result.Add(SpecialTokens.UnkId);
        }
        if (addEos) result.Add(SpecialTokens.EosId);
        return [.. result];
    }

    /// <summary>
    /// Encodes texts into one int64 tensor (texts, length), each row padded at the end with
    /// <see cref="SpecialTokens.PadId"/>.
    /// </summary>
    /// <param name="texts">The texts (at least one).</param>
    /// <param name="addBos">Start each row with <see cref="SpecialTokens.BosId"/>.</param>
    /// <param name="addEos">End each text with <see cref="SpecialTokens.EosId"/> (before the padding).</param>
    /// <param name="length">Row length; the longest encoded text when null. Accepted: null, or at least the longest encoded text.</param>
    /// <param name="unknown">What to do with a token not in the vocabulary.</param>
    /// <exception cref="ArgumentException">No texts, a null text, an unknown token under <see cref="UnknownTokenPolicy.Throw"/>, or a text longer than <paramref name="length"/>.</exception>
    public Tensor EncodeBatch(IReadOnlyList<string> texts, bool addBos = false, bool addEos = false, int? length = null,
        UnknownTokenPolicy unknown = UnknownTokenPolicy.MapToUnknown)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
            throw new ArgumentException("EncodeBatch needs at least one text.", nameof(texts));
        var rows = new long[texts.Count][];
        for (int i = 0; i < texts.Count; i++)
            rows[i] = Encode(texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts)), addBos, addEos, unknown);
        int longest = rows.Max(r => r.Length);
        int width = length ?? Math.Max(longest, 1);
        if (width < longest || width < 1)
        {
            int row = Array.FindIndex(rows, r => r.Length == longest);
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"length {width} is shorter than text {row} (\"{texts[row]}\"), which encodes to {longest} ids; pass a length of at least {longest} or null.");
        }
        var flat = new long[rows.Length * width];
        for (int i = 0; i < rows.Length; i++)
            Array.Copy(rows[i], 0, flat, (long)i * width, rows[i].Length);
        return torch.tensor(flat, [rows.Length, width]);
    }

    /// <summary>
    /// Decodes ids to text: padding and <c>&lt;bos&gt;</c> are skipped, decoding stops at the first
    /// <c>&lt;eos&gt;</c>, and <c>&lt;unk&gt;</c> is written as its token text.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside [0, <see cref="Count"/>).</exception>
    public string Decode(IEnumerable<long> tokenIds)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        var parts = new List<string>();
        foreach (long id in tokenIds)
        {
            CheckId(id, nameof(tokenIds));
            if (id == SpecialTokens.EosId) break;
            if (id == SpecialTokens.PadId || id == SpecialTokens.BosId) continue;
            parts.Add(tokens[id]);
        }
        return string.Join(Kind == TokenizerKind.Word ? " " : "", parts);
    }

    /// <summary>Decodes every row of an integer tensor (rows, length) with <see cref="Decode(IEnumerable{long})"/>.</summary>
    /// <exception cref="ArgumentException">The tensor is not a rank-2 integer tensor.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside [0, <see cref="Count"/>).</exception>
    public IReadOnlyList<string> DecodeBatch(Tensor tokenIds)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        if (tokenIds.dim() != 2 || tokenIds.is_floating_point() || tokenIds.is_complex() || tokenIds.dtype == ScalarType.Bool)
            throw new ArgumentException(
                $"DecodeBatch expects integer ids shaped (rows, length) but got {tokenIds.dtype} shape [{string.Join(", ", tokenIds.shape)}].", nameof(tokenIds));
        // A scope rather than `using`: to() and cpu() may hand back the caller's own tensor when nothing changes.
        using var scope = NewDisposeScope();
        long[] flat = tokenIds.to(ScalarType.Int64).cpu().data<long>().ToArray();
        int width = (int)tokenIds.shape[1];
        return Enumerable.Range(0, (int)tokenIds.shape[0]).Select(r => Decode(new ArraySegment<long>(flat, r * width, width))).ToList();
    }

    /// <summary>The vocabulary as JSON: <c>{"kind": "Character", "tokens": [...]}</c>, reserved tokens included.</summary>
    public JsonObject ToJson() => new()
    {
        ["kind"] = Kind.ToString(),
        ["tokens"] = new JsonArray([.. tokens.Select(t => (JsonNode?)JsonValue.Create(t))]),
    };

    /// <summary>Reads a vocabulary written by <see cref="ToJson"/>.</summary>
    /// <exception cref="ArgumentException">The JSON lacks a field, names an unknown kind, or its reserved tokens are not the expected four.</exception>
    public static Vocabulary FromJson(JsonNode json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json["kind"]?.GetValue<string>() is not { } kindText || !Enum.TryParse(kindText, out TokenizerKind kind) || !Enum.IsDefined(kind))
            throw new ArgumentException($"Vocabulary JSON needs \"kind\": one of {string.Join(", ", Enum.GetNames<TokenizerKind>())}.", nameof(json));
        if (json["tokens"] is not JsonArray array)
            throw new ArgumentException("Vocabulary JSON needs a \"tokens\" array.", nameof(json));
        var all = array.Select((node, i) => node?.GetValue<string>() ?? throw new ArgumentException($"Vocabulary JSON token {i} is null.", nameof(json))).ToList();
        if (all.Count < SpecialTokens.Count || !all.Take(SpecialTokens.Count).SequenceEqual(SpecialTokens.All))
            throw new ArgumentException($"Vocabulary JSON tokens must start with {string.Join(", ", SpecialTokens.All)}.", nameof(json));
        return new Vocabulary(kind, all.Skip(SpecialTokens.Count));
    }

    /// <summary>Writes the vocabulary as JSON; readers never see a half-written file.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        JsonFiles.WriteAtomically(path, ToJson());
    }

    /// <summary>Reads a vocabulary written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentException">The file is not a vocabulary.</exception>
    public static Vocabulary Load(string path) => FromJson(JsonFiles.Read(path, "vocabulary"));

    private static List<string> Split(string text, TokenizerKind kind) => kind == TokenizerKind.Character
        ? text.Select(c => c.ToString()).ToList()
        : [.. text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];

    private static void CheckKind(TokenizerKind kind)
    {
        if (!Enum.IsDefined(kind))
            throw new ArgumentOutOfRangeException(nameof(kind), kind, $"TokenizerKind {kind} is not defined; accepted: {string.Join(", ", Enum.GetNames<TokenizerKind>())}.");
    }

    private void CheckId(long id, string paramName)
    {
        if (id < 0 || id >= tokens.Length)
            throw new ArgumentOutOfRangeException(paramName, id, $"Token id {id} is outside this vocabulary's [0, {tokens.Length}).");
    }
}
