using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace NetGen;

/// <summary>One sentence of a token-tagging file: its words and one tag per word.</summary>
/// <param name="Words">The words, as written.</param>
/// <param name="Tags">The tag of each word, from the chosen column.</param>
public sealed record TaggedSentence(IReadOnlyList<string> Words, IReadOnlyList<string> Tags);

/// <summary>
/// Reads CoNLL-style token files: one token per line as tab-separated columns (the word first), a blank line between
/// sentences, lines starting with <c>#</c> as comments. A file whose name ends in <c>.gz</c> is decompressed.
/// </summary>
public static class Conll
{
    /// <summary>Reads every sentence of <paramref name="path"/>, each word's tag taken from column <paramref name="tagColumn"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="tagColumn">The 0-based column of the tag: 1 is the second (the first after the word).</param>
    /// <exception cref="ConllFormatException">A token line without that column, an empty word or tag, or no sentence at all; the message names the file and line.</exception>
    public static IReadOnlyList<TaggedSentence> Load(string path, int tagColumn = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(tagColumn, 1);
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream);
        try
        {
            return Read(reader, path, tagColumn);
        }
        catch (InvalidDataException e)
        {
            throw new ConllFormatException(path, 0, $"{path}: not a readable gzip stream ({e.Message}).", e);
        }
    }

    /// <summary>Reads sentences from <paramref name="reader"/>; <paramref name="name"/> is the file named in errors.</summary>
    public static IReadOnlyList<TaggedSentence> Read(TextReader reader, string name, int tagColumn = 1)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfLessThan(tagColumn, 1);
        var sentences = new List<TaggedSentence>();
        var words = new List<string>();
        var tags = new List<string>();
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith('#') || string.IsNullOrWhiteSpace(line))
            {
                if (line.Length == 0 || string.IsNullOrWhiteSpace(line))
                {
                    Flush();
                }

                continue;
            }

            string[] columns = line.Split('\t');
            if (columns.Length <= tagColumn)
            {
                throw new ConllFormatException(name, lineNumber, $"{name}:{lineNumber}: expected at least {tagColumn + 1} tab-separated columns (the word, then the tag in column {tagColumn + 1}); found {columns.Length}: \"{Shorten(line)}\".");
            }

            if (columns[0].Length == 0 || columns[tagColumn].Length == 0)
            {
                throw new ConllFormatException(name, lineNumber, $"{name}:{lineNumber}: the {(columns[0].Length == 0 ? "word (column 1)" : $"tag (column {tagColumn + 1})")} is empty: \"{Shorten(line)}\".");
            }

            words.Add(columns[0]);
            tags.Add(columns[tagColumn]);
        }

        Flush();
        if (sentences.Count == 0)
        {
            throw new ConllFormatException(name, 0, $"{name}: no sentence (expected token lines \"word<TAB>tag\", a blank line after each sentence).");
        }

        return sentences;

        void Flush()
        {
            if (words.Count > 0)
            {
                sentences.Add(new TaggedSentence(words.ToArray(), tags.ToArray()));
                words.Clear();
                tags.Clear();
            }
        }
    }

    private static string Shorten(string line) => line.Length <= 60 ? line.Replace("\t", "\\t", StringComparison.Ordinal) : line[..57].Replace("\t", "\\t", StringComparison.Ordinal) + "...";
}
