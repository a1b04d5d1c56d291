using System;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Sequences;

/// <summary>The per-step loss against closed forms and finite differences, the tagging report, and a tagger that learns.</summary>
public sealed class SequenceTrainingTests
{
    [Fact]
    public void The_sequence_loss_is_the_mean_token_cross_entropy_over_real_steps()
    {
        var loss = new SequenceCrossEntropyLoss(3);
        float[] logits = [1f, 2f, 0.5f, /* padded */ 9f, -9f, 3f, -1f, 0f, 1f];
        float[] target = [1f, TaggingData.IgnoredTarget, 2f];
        var gradient = new float[9];
        float value = loss.LossAndGradient(logits, 0, target, gradient, 0.5f);

        static double Ce(double[] z, int k) => Math.Log(z.Sum(Math.Exp)) - z[k];
        double expected = (Ce([1, 2, 0.5], 1) + Ce([-1, 0, 1], 2)) / 2;
        Assert.Equal(expected, value, 5);
        Assert.Equal([0f, 0f, 0f], gradient.AsSpan(3, 3).ToArray());

        // The gradient is 0.5 (the scale) times d value / d logits: central differences of the value.
        for (int i = 0; i < logits.Length; i++)
        {
            float saved = logits[i];
            logits[i] = saved + 1e-2f;
            double plus = loss.LossAndGradient(logits, 0, target, new float[9], 1f);
            logits[i] = saved - 1e-2f;
            double minus = loss.LossAndGradient(logits, 0, target, new float[9], 1f);
            logits[i] = saved;
            Assert.Equal(0.5 * (plus - minus) / 2e-2, gradient[i], 3);
        }

        Assert.True(loss.IsCorrect([0f, 5f, 0f, 0f, 0f, 0f, 0f, 0f, 5f], 0, target));
        Assert.False(loss.IsCorrect([0f, 5f, 0f, 0f, 0f, 0f, 5f, 0f, 0f], 0, target));
        Assert.Throws<ArgumentException>(() => loss.LossAndGradient(logits, 0, [1f, 3f, 0f], gradient, 1f));
        Assert.Throws<ArgumentException>(() => loss.LossAndGradient(logits, 0, [1f, 0f], gradient, 1f));
    }

    [Fact]
    public void The_micro_average_of_single_label_data_is_the_accuracy_and_takes_the_accuracy_line()
    {
        var matrix = new ConfusionMatrix(3);
        (int, int)[] pairs = [(0, 0), (0, 0), (0, 1), (1, 1), (2, 1), (2, 2), (2, 2), (1, 1)];
        foreach ((int a, int p) in pairs)
        {
            matrix.Add(a, p);
        }

        var report = new ClassificationReport(matrix, ["DET", "NOUN", "VERB"]);
        Assert.Equal(6.0 / 8, report.MicroAverage.F1Score, 12);
        Assert.Equal(report.Accuracy, report.MicroAverage.Precision, 12);
        string text = report.ToStringWithMicroAverage(3);
        string[] lines = text.Split('\n');
        Assert.Equal("   micro avg      0.750     0.750     0.750         8", lines[6]);
        Assert.StartsWith("   macro avg", lines[7], StringComparison.Ordinal);
        Assert.DoesNotContain("accuracy", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bidirectional_tagger_learns_tags_that_need_the_word_before()
    {
        // Tag = (id + the previous id) mod 3: no tag follows from its word alone.
        (Dataset train, Dataset test) = (Synthetic(600, seed: 1), Synthetic(200, seed: 2));
        var net = new SyntheticTagger(seed: 7);
        var before = TaggingEvaluation.TokenConfusion(net, test).Accuracy;
        using (var trainer = new Trainer(net, new Adam(1e-2f), threadCount: 2))
        {
            var history = trainer.Fit(train, null, new TrainingOptions { Epochs = 25, BatchSize = 16, Seed = 3, Loss = new SequenceCrossEntropyLoss(3) });
            Assert.True(history.Epochs[^1].TrainingLoss < history.Epochs[0].TrainingLoss / 3, $"loss {history.Epochs[0].TrainingLoss} → {history.Epochs[^1].TrainingLoss}");
        }

        ConfusionMatrix tokens = TaggingEvaluation.TokenConfusion(net, test);
        Assert.True(tokens.Accuracy > 0.95, $"token accuracy {tokens.Accuracy:F3} (before training {before:F3})");
        Assert.Equal(test.Targets!.Count(t => t >= 0), tokens.Total);
    }

    private static Dataset Synthetic(int sentences, ulong seed)
    {
        var rng = new Rng(seed);
        const int steps = 8;
        var features = new float[sentences * steps];
        var targets = Enumerable.Repeat(TaggingData.IgnoredTarget, sentences * steps).ToArray();
        for (int s = 0; s < sentences; s++)
        {
            int length = 3 + (int)(rng.NextFloat() * 6);
            int previous = 0;
            for (int t = 0; t < length; t++)
            {
                int id = 2 + (int)(rng.NextFloat() * 10);
                features[(s * steps) + t] = id;
                targets[(s * steps) + t] = (id + previous) % 3;
                previous = id;
            }
        }

        return new Dataset(features, new int[sentences], [steps], 3, ["A", "B", "C"], targets);
    }
}
