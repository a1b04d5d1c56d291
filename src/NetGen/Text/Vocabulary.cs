using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NetGen;

/// <summary>
/// Maps words to token ids for an <c>[Embedding(MaskZero = true)]</c>: id 0 is padding, id 1 stands for every word
/// not in the vocabulary, and the words seen at least a minimum number of times in the training split follow in order
/// of falling count (ties in ordinal order), so a vocabulary built from the same words is always the same.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The id of padding (the Embedding's masked row).</summary>
    public const int PaddingId = 0;

    /// <summary>The id of a word not in the vocabulary.</summary>
    public const int UnknownId = 1;

    private readonly Dictionary<string, int> _ids;

    private Vocabulary(IReadOnlyList<string> words, bool lowerCase)
    {
        Words = words;
        LowerCase = lowerCase;
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 2; i < words.Count; i++)
        {
            _ids.Add(words[i], i);
        }
    }

    /// <summary>Every id's word: <c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c>, then the vocabulary's words.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>Ids in all, padding and unknown included: the Embedding's vocabulary size.</summary>
    public int Count => Words.Count;

    /// <summary>Whether words are lower-cased (invariant culture) before they are looked up.</summary>
    public bool LowerCase { get; }

    /// <summary>Builds a vocabulary from the words of a training split.</summary>
    /// <param name="words">Every word occurrence.</param>
    /// <param name="minCount">Words seen fewer times map to <see cref="UnknownId"/>.</param>
    /// <param name="lowerCase">Lower-case words first.</param>
    /// <param name="maxSize">Keeps at most this many ids (padding and unknown included); null for all.</param>
    public static Vocabulary Build(IEnumerable<string> words, int minCount = 1, bool lowerCase = false, int? maxSize = null)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        if (maxSize is int max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 2, nameof(maxSize));
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string word in words)
        {
            string key = lowerCase ? word.ToLower(CultureInfo.InvariantCulture) : word;
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        IEnumerable<string> kept = counts.Where(p => p.Value >= minCount)
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key);
        if (maxSize is int limit)
        {
            kept = kept.Take(limit - 2);
        }

        return new Vocabulary(["<pad>", "<unk>", .. kept], lowerCase);
    }

    /// <summary>A vocabulary saved as its <see cref="Words"/> (a checkpoint's list), read back to map words the same way.</summary>
    /// <exception cref="ArgumentException">The list does not start with <c>&lt;pad&gt;</c>, <c>&lt;unk&gt;</c>, or repeats a word.</exception>
    public static Vocabulary FromWords(IReadOnlyList<string> words, bool lowerCase)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (words.Count < 2 || words[0] != "<pad>" || words[1] != "<unk>")
        {
            throw new ArgumentException("A vocabulary's words start with \"<pad>\" and \"<unk>\" (ids 0 and 1).", nameof(words));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 2; i < words.Count; i++)
        {
            if (!seen.Add(words[i]))
            {
                throw new ArgumentException($"The word \"{words[i]}\" is listed twice (ids {words.ToList().IndexOf(words[i])} and {i}).", nameof(words));
            }
        }

        return new Vocabulary(words.ToArray(), lowerCase);
    }

    /// <summary>The id of <paramref name="word"/>: its own, or <see cref="UnknownId"/>.</summary>
    public int Id(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return _ids.TryGetValue(LowerCase ? word.ToLower(CultureInfo.InvariantCulture) : word, out int id) ? id : UnknownId;
    }
}
