using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Sequences;

/// <summary>The CoNLL reader, the vocabulary and the tagging data set, on small hand-written files.</summary>
public sealed class TextDataTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("netgen-conll-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Sample = "# sent 1 ca01\nThe\tat\tDET\njury\tnn\tNOUN\nsaid\tvbd\tVERB\n\n# sent 2\nIt\tpps\tPRON\nran\tvbd\tVERB\n.\t.\t.\n\n\n";

    [Fact]
    public void Sentences_come_with_the_chosen_tag_column_and_comments_left_out()
    {
        string path = Write("a.tsv", Sample);
        var universal = Conll.Load(path, tagColumn: 2);
        Assert.Equal(2, universal.Count);
        Assert.Equal(["The", "jury", "said"], universal[0].Words);
        Assert.Equal(["DET", "NOUN", "VERB"], universal[0].Tags);
        Assert.Equal(["PRON", "VERB", "."], universal[1].Tags);
        Assert.Equal(["at", "nn", "vbd"], Conll.Load(path, tagColumn: 1)[0].Tags);
    }

    [Fact]
    public void A_gzip_file_reads_as_its_text()
    {
        string path = Path.Combine(_folder, "a.tsv.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        using (var writer = new StreamWriter(gz))
        {
            writer.Write(Sample);
        }

        Assert.Equal(["It", "ran", "."], Conll.Load(path, 2)[1].Words);
    }

    [Theory]
    [InlineData("The\tat\tDET\njury\tnn\n\n", 2, 2, "expected at least 3 tab-separated columns")]
    [InlineData("The\tat\tDET\n\tnn\tNOUN\n", 2, 2, "the word (column 1) is empty")]
    [InlineData("# only a comment\n\n", 1, 0, "no sentence")]
    [InlineData("The\t\tDET\n", 1, 1, "the tag (column 2) is empty")]
    public void A_malformed_file_is_refused_naming_the_file_and_line(string text, int column, int line, string what)
    {
        string path = Write("bad.tsv", text);
        var error = Assert.Throws<ConllFormatException>(() => Conll.Load(path, column));
        Assert.Equal(line, error.Line);
        Assert.Equal(path, error.FilePath);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(path + (line > 0 ? ":" + line + ":" : ":"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_gzip_but_named_so_is_refused()
    {
        string path = Write("fake.tsv.gz", Sample);
        var error = Assert.Throws<ConllFormatException>(() => Conll.Load(path));
        Assert.Contains("gzip", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_vocabulary_orders_words_by_count_and_maps_the_rest_to_unknown()
    {
        string[] words = ["b", "a", "c", "a", "b", "a", "d", "The", "the"];
        var vocabulary = Vocabulary.Build(words, minCount: 2);
        Assert.Equal(["<pad>", "<unk>", "a", "b"], vocabulary.Words);
        Assert.Equal(2, vocabulary.Id("a"));
        Assert.Equal(Vocabulary.UnknownId, vocabulary.Id("c"));

        var lower = Vocabulary.Build(words, minCount: 2, lowerCase: true);
        Assert.Equal(["<pad>", "<unk>", "a", "b", "the"], lower.Words);
        Assert.Equal(4, lower.Id("THE"));

        var capped = Vocabulary.Build(words, maxSize: 3);
        Assert.Equal(["<pad>", "<unk>", "a"], capped.Words);

        var reloaded = Vocabulary.FromWords(lower.Words, lowerCase: true);
        Assert.Equal(lower.Id("The"), reloaded.Id("The"));
        Assert.Throws<ArgumentException>(() => Vocabulary.FromWords(["a", "b"], false));
        Assert.Throws<ArgumentException>(() => Vocabulary.FromWords(["<pad>", "<unk>", "x", "x"], false));
    }

    [Fact]
    public void Tagging_data_cuts_pads_and_marks_padded_targets()
    {
        var sentences = Conll.Read(new StringReader(Sample), "sample", 2);
        var vocabulary = Vocabulary.Build(sentences.SelectMany(s => s.Words));
        var tags = TaggingData.Tags(sentences);
        Assert.Equal([".", "DET", "NOUN", "PRON", "VERB"], tags);
        Dataset data = TaggingData.Create(sentences, vocabulary, tags, steps: 2);
        Assert.Equal(2, data.Count);
        Assert.Equal([2], data.SampleShape);
        Assert.Equal([vocabulary.Id("The"), vocabulary.Id("jury")], data.Sample(0).ToArray());
        Assert.Equal([1f, 2f], data.Target(0).ToArray()); // DET NOUN; "said" cut

        Dataset padded = TaggingData.Create(sentences, vocabulary, tags, steps: 4);
        Assert.Equal([vocabulary.Id("It"), vocabulary.Id("ran"), vocabulary.Id("."), 0f], padded.Sample(1).ToArray());
        Assert.Equal([3f, 4f, 0f, TaggingData.IgnoredTarget], padded.Target(1).ToArray());

        var unknownTag = Assert.Throws<ArgumentException>(() => TaggingData.Create(sentences, vocabulary, ["DET"], 4));
        Assert.Contains("\"NOUN\"", unknownTag.Message, StringComparison.Ordinal);
    }
}
