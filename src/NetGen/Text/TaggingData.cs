using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen;

/// <summary>
/// Tagged sentences as a <see cref="Dataset"/> for a tagger whose input is <c>steps</c> token ids and whose output is
/// <c>steps</c> × tags logits: each sample's features are its word ids (cut to <c>steps</c>, padded with 0), its
/// targets the tag ids, <see cref="IgnoredTarget"/> at padded steps; its label is unused (0).
/// </summary>
public static class TaggingData
{
    /// <summary>The target of a padded step: losses and metrics leave it out.</summary>
    public const float IgnoredTarget = -1f;

    /// <summary>The tags of <paramref name="sentences"/> in ordinal order: tag i is class i.</summary>
    public static IReadOnlyList<string> Tags(IEnumerable<TaggedSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        return sentences.SelectMany(s => s.Tags).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Builds the data set.</summary>
    /// <param name="sentences">The sentences.</param>
    /// <param name="vocabulary">Maps words to ids (unknown words to <see cref="Vocabulary.UnknownId"/>).</param>
    /// <param name="tags">The tag set (<see cref="Tags"/> of the training split); a tag not in it is an error naming the sentence.</param>
    /// <param name="steps">The network's input length: longer sentences are cut, shorter ones padded.</param>
    public static Dataset Create(IReadOnlyList<TaggedSentence> sentences, Vocabulary vocabulary, IReadOnlyList<string> tags, int steps)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var tagIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tags.Count; i++)
        {
            tagIds.Add(tags[i], i);
        }

        var features = new float[checked(sentences.Count * steps)];
        var targets = new float[features.Length];
        targets.AsSpan().Fill(IgnoredTarget);
        for (int s = 0; s < sentences.Count; s++)
        {
            TaggedSentence sentence = sentences[s];
            int length = Math.Min(steps, sentence.Words.Count);
            for (int t = 0; t < length; t++)
            {
                if (!tagIds.TryGetValue(sentence.Tags[t], out int tag))
                {
                    throw new ArgumentException($"Sentence {s} has the tag \"{sentence.Tags[t]}\" (word {t + 1}, \"{sentence.Words[t]}\"), which is not among the {tags.Count} tags given.", nameof(sentences));
                }

                features[(s * steps) + t] = vocabulary.Id(sentence.Words[t]);
                targets[(s * steps) + t] = tag;
            }
        }

        return new Dataset(features, new int[sentences.Count], [steps], tags.Count, tags, targets);
    }
}
