using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen;

/// <summary>
/// Character-level language-model data: a text cut into windows of a network's input length, each step's target
/// the character after it (PyTorch's usual <c>x = ids[i : i + w], y = ids[i + 1 : i + w + 1]</c>, windows side by side).
/// </summary>
public static class LanguageModelData
{
    /// <summary>The sentences' words joined by spaces, one sentence a line.</summary>
    public static string Text(IEnumerable<TaggedSentence> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        return string.Concat(sentences.Select(s => string.Join(' ', s.Words) + "\n"));
    }

    /// <summary>A vocabulary of the text's characters (padding 0, unknown 1, then by falling count).</summary>
    public static Vocabulary Characters(string text, int? maxSize = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Vocabulary.Build(text.Select(c => c.ToString()), minCount: 1, lowerCase: false, maxSize);
    }

    /// <summary>The ids of <paramref name="text"/>'s characters.</summary>
    public static int[] Ids(string text, Vocabulary characters)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(characters);
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            ids[i] = characters.Id(text[i].ToString());
        }

        return ids;
    }

    /// <summary>
    /// Windows of <paramref name="window"/> characters side by side (the last partial one dropped): features the
    /// windows' ids, targets the ids one character later; <paramref name="maxWindows"/> keeps the first ones.
    /// </summary>
    public static Dataset Windows(string text, Vocabulary characters, int window, int? maxWindows = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        int[] ids = Ids(text, characters);
        int count = Math.Max(0, (ids.Length - 1) / window);
        if (maxWindows is int max)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(max, nameof(maxWindows));
            count = Math.Min(count, max);
        }

        var features = new float[checked(count * window)];
        var targets = new float[features.Length];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = ids[i];
            targets[i] = ids[i + 1];
        }

        return new Dataset(features, new int[count], [window], characters.Count, characters.Words, targets);
    }

    /// <summary>Bits per character of a mean cross-entropy in nats.</summary>
    public static double BitsPerCharacter(double meanCrossEntropy) => meanCrossEntropy / Math.Log(2);

    /// <summary>
    /// Continues <paramref name="prompt"/> by <paramref name="length"/> characters: each step runs the network on the
    /// last input-length characters (left-padded with id 0, which an <c>[Embedding(MaskZero = true)]</c> leaves out),
    /// takes the last step's logits, and draws the next character from softmax(logits / temperature) with a generator
    /// seeded by <paramref name="seed"/> (temperature 0: the most likely one), so a seed repeats its text.
    /// </summary>
    public static string Generate(INetwork network, Vocabulary characters, string prompt, int length, float temperature, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(characters);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (!(temperature >= 0 && float.IsFinite(temperature)))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be finite and 0 or more.");
        }

        int window = network.InputSize, classes = network.OutputSize / window;
        if (classes * window != network.OutputSize || classes != characters.Count)
        {
            throw new ArgumentException($"A character model of {characters.Count} characters over {window} steps has {characters.Count * window} outputs; this network has {network.OutputSize}.", nameof(network));
        }

        var ids = new List<int>(Ids(prompt, characters));
        var input = new float[window];
        var output = new float[network.OutputSize];
        var probabilities = new double[classes];
        var rng = new Rng(seed);
        var text = new System.Text.StringBuilder(prompt, prompt.Length + length);
        for (int n = 0; n < length; n++)
        {
            Array.Clear(input);
            int take = Math.Min(window, ids.Count);
            for (int i = 0; i < take; i++)
            {
                input[window - take + i] = ids[ids.Count - take + i];
            }

            network.Predict(input, output);
            ReadOnlySpan<float> logits = output.AsSpan((window - 1) * classes, classes);
            int next = Draw(logits, temperature, probabilities, ref rng);
            ids.Add(next);
            text.Append(next >= 2 ? characters.Words[next] : "?");
        }

        return text.ToString();
    }

    /// <summary>A class drawn from softmax(logits / temperature) (padding and unknown excluded); the arg-max at temperature 0.</summary>
    internal static int Draw(ReadOnlySpan<float> logits, float temperature, double[] probabilities, ref Rng rng)
    {
        int best = 2;
        for (int c = 3; c < logits.Length; c++)
        {
            best = logits[c] > logits[best] ? c : best;
        }

        if (temperature == 0)
        {
            return best;
        }

        double sum = 0;
        for (int c = 2; c < logits.Length; c++)
        {
            probabilities[c] = Math.Exp((logits[c] - logits[best]) / temperature);
            sum += probabilities[c];
        }

        double u = rng.NextFloat() * sum;
        for (int c = 2; c < logits.Length; c++)
        {
            u -= probabilities[c];
            if (u <= 0)
            {
                return c;
            }
        }

        return best;
    }
}
