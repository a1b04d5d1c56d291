using System;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Sequences;

/// <summary>Character windows with next-character targets, bits per character, and seeded generation.</summary>
public sealed class LanguageModelTests
{
    [Fact]
    public void Windows_lie_side_by_side_with_the_next_character_as_target()
    {
        const string text = "abcab\nab";
        Vocabulary characters = LanguageModelData.Characters(text);
        Assert.Equal(["<pad>", "<unk>", "a", "b", "\n", "c"], characters.Words); // by count, ties in ordinal order
        Dataset windows = LanguageModelData.Windows(text, characters, window: 3);
        Assert.Equal(2, windows.Count); // (8 − 1) / 3: the last character is only a target
        Assert.Equal([2f, 3f, 5f], windows.Sample(0).ToArray()); // "abc"
        Assert.Equal([3f, 5f, 2f], windows.Target(0).ToArray()); // "bca"
        Assert.Equal([2f, 3f, 4f], windows.Sample(1).ToArray()); // "ab\n"
        Assert.Equal([3f, 4f, 2f], windows.Target(1).ToArray()); // "b\na"
        Assert.Equal(1, LanguageModelData.Windows(text, characters, 3, maxWindows: 1).Count);
        Assert.Equal(1.0, LanguageModelData.BitsPerCharacter(Math.Log(2)), 12);
        Assert.Equal("a b\nc\n", LanguageModelData.Text([new TaggedSentence(["a", "b"], ["X", "X"]), new TaggedSentence(["c"], ["X"])]));
    }

    [Fact]
    public void A_seed_repeats_its_text_and_temperature_zero_takes_the_likeliest()
    {
        Vocabulary characters = LanguageModelData.Characters("abcdef abcdef");
        Assert.Equal(9, characters.Count);
        var net = new TinyCharModel(seed: 3);
        string one = LanguageModelData.Generate(net, characters, "ab", 40, 1.5f, seed: 11);
        Assert.Equal(one, LanguageModelData.Generate(net, characters, "ab", 40, 1.5f, seed: 11));
        Assert.NotEqual(one, LanguageModelData.Generate(net, characters, "ab", 40, 1.5f, seed: 12));
        Assert.StartsWith("ab", one, StringComparison.Ordinal);
        Assert.Equal(42, one.Length);
        Assert.All(one, c => Assert.Contains(c, "abcdef "));
        Assert.Equal(LanguageModelData.Generate(net, characters, "ab", 20, 0f, seed: 1), LanguageModelData.Generate(net, characters, "ab", 20, 0f, seed: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => LanguageModelData.Generate(net, characters, "ab", 5, -1f, 0));
    }

    [Fact]
    public void A_character_model_learns_a_periodic_text_and_continues_it()
    {
        string text = string.Concat(Enumerable.Repeat("abcdef ", 400));
        Vocabulary characters = LanguageModelData.Characters(text);
        Dataset windows = LanguageModelData.Windows(text, characters, TinyCharModel.InputSize);
        var net = new TinyCharModel(seed: 5);
        var loss = new SequenceCrossEntropyLoss(TinyCharModel.OutputSize / TinyCharModel.InputSize);
        using (var trainer = new Trainer(net, new Adam(2e-2f), threadCount: 2))
        {
            var history = trainer.Fit(windows, null, new TrainingOptions { Epochs = 15, BatchSize = 16, Seed = 1, Loss = loss, MaxGradientNorm = 5f });
            double bits = LanguageModelData.BitsPerCharacter(history.Epochs[^1].TrainingLoss);
            Assert.True(bits < 0.2, $"{bits:F3} bits per character after training (log2 7 = 2.81 for a uniform guess)");
        }

        Assert.Equal("bcdef abcdef abcdef a", LanguageModelData.Generate(net, characters, "abcdef a", 21, 0f, seed: 0)[8..]);
    }
}
