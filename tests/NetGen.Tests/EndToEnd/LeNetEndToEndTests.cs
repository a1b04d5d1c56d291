using System;
using System.IO;
using Xunit;

namespace NetGen.Tests.EndToEnd;

/// <summary>
/// The whole path a user takes: load the shipped digits, build the generated LeNet-5, train it with the
/// trainer on the default kernel path, and check that it learned, that a training step and a prediction
/// allocate nothing, and that the layer views see the flat parameter buffer.
/// </summary>
[Collection(NetGen.Tests.Training.TrainingRunsAlone.Name)]
public class LeNetEndToEndTests
{
    private static readonly Lazy<(Dataset Train, Dataset Test)> s_data =
        new(() => Idx.LoadFolder(Path.Combine(AppContext.BaseDirectory, "data", "mnist-10k")));

    [Fact]
    public void OneEpochOnTwoThousandDigits_LearnsToReadDigits()
    {
        (Dataset train, Dataset test) = s_data.Value;
        var net = new EndToEndLeNet5(seed: 42);
        float before = Evaluation.Accuracy(net, test.Take(500));
        using var trainer = new Trainer(net, new Sgd(0.05f, momentum: 0.9f), threadCount: 2);
        trainer.Fit(train.Take(2000), epochs: 1, batchSize: 32, seed: 1);
        float after = Evaluation.Accuracy(net, test.Take(500));

        // Ten classes: an untrained network sits near chance; one pass over 2,000 digits reaches ~0.9.
        Assert.InRange(before, 0f, 0.3f);
        Assert.True(after > 0.8f, $"accuracy after one epoch: {after}");
    }

    [Fact]
    public void TrainingStepAndPredict_AllocateNothing()
    {
        (Dataset train, Dataset test) = s_data.Value;
        var net = new EndToEndLeNet5(seed: 1);
        using var trainer = new Trainer(net, new Sgd(0.01f, momentum: 0.9f), threadCount: 2);
        int[] batch = new int[64];
        for (int i = 0; i < batch.Length; i++)
        {
            batch[i] = i;
        }

        var output = new float[EndToEndLeNet5.OutputSize];
        var outputs = new float[64 * EndToEndLeNet5.OutputSize];
        ReadOnlySpan<float> inputs = test.Features.AsSpan(0, 64 * EndToEndLeNet5.InputSize);

        // Warm up every path (tiering, first-call allocations), then count.
        for (int i = 0; i < 20; i++)
        {
            trainer.TrainBatch(train, batch);
            net.Predict(test.Sample(i), output);
            net.Predict(inputs, outputs, 64);
        }

        // Predict runs on this thread: its counter is exact.
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            net.Predict(test.Sample(i), output);
            net.Predict(inputs, outputs, 64);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        // Training also runs on the trainer's worker thread, so count every thread's allocations. Background
        // work of the test host can allocate meanwhile; a per-step allocation shows in every attempt, so the
        // best of many single steps must be zero.
        long best = long.MaxValue;
        for (int attempt = 0; attempt < 50 && best > 0; attempt++)
        {
            long start = GC.GetTotalAllocatedBytes(precise: true);
            trainer.TrainBatch(train, batch);
            best = Math.Min(best, GC.GetTotalAllocatedBytes(precise: true) - start);
        }

        Assert.Equal(0, best);
    }

    [Fact]
    public void LayerViews_AreSlicesOfTheParameterBuffer()
    {
        var net = new EndToEndLeNet5(seed: 3);
        Assert.Equal(10 * 84, net.Dense3.Weights.Length);
        Assert.Equal(10, net.Dense3.Bias.Length);
        Assert.Equal(6 * 1 * 5 * 5, net.Conv1.Weights.Length);
        Assert.True(net.Relu1.Weights.IsEmpty);

        net.Dense3.Bias[4] = 123f;
        TensorInfo bias = net.Layers[10].Tensors[1];
        Assert.Equal("dense3.bias", bias.Key);
        Assert.Equal(123f, net.Parameters[bias.Offset + 4]);
    }

    [Fact]
    public void Predict_RejectsWrongLengthsNamingTheArgument()
    {
        var net = new EndToEndLeNet5(seed: 3);
        var e = Assert.Throws<ArgumentException>(() => net.Predict(new float[783], new float[10]));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("784", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => net.Predict(new float[784], new float[9]));
        Assert.Equal("output", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => net.Predict(new float[784 * 3], new float[10 * 2], 2));
        Assert.Equal("inputs", e.ParamName);
    }

    [Fact]
    public void PredictClassesOnAllWorkers_MatchesOneByOnePredict()
    {
        (Dataset _, Dataset test) = s_data.Value;
        var net = new EndToEndLeNet5(seed: 5);
        using var trainer = new Trainer(net, new Sgd(0.01f), threadCount: 2);
        var classes = new int[37];
        int correct = trainer.PredictClasses(test, 100, 37, classes);

        var logits = new float[10];
        int expectedCorrect = 0;
        for (int i = 0; i < 37; i++)
        {
            net.Predict(test.Sample(100 + i), logits);
            Assert.Equal(Evaluation.ArgMax(logits), classes[i]);
            expectedCorrect += classes[i] == test.Labels[100 + i] ? 1 : 0;
        }

        Assert.Equal(expectedCorrect, correct);
    }
}
