using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using Xunit;

namespace NetGen.Tests.Training;

public class TrainerTests
{
    [Fact]
    public void SeparableClusters_ReachFullAccuracy()
    {
        Dataset train = ToyData.Clusters(400, 4, 6, seed: 1);
        Dataset test = ToyData.Clusters(200, 4, 6, seed: 2);
        var net = new LinearSoftmaxNetwork(6, 4, seed: 3);
        using var trainer = new Trainer(net, new Sgd(0.1f, momentum: 0.9f), threadCount: 2);

        TrainingHistory history = trainer.Fit(train, epochs: 10, batchSize: 16, validation: test, seed: 4);

        Assert.Equal(1f, history.Last!.ValidationAccuracy);
        Assert.Equal(1f, Evaluation.Accuracy(net, train));
        Assert.True(history.Last.TrainingLoss < history.Epochs[0].TrainingLoss);
    }

    [Fact]
    public void Fit_ReportsOneResultPerEpoch()
    {
        Dataset train = ToyData.Clusters(100, 3, 5, seed: 1);
        var net = new LinearSoftmaxNetwork(5, 3);
        using var trainer = new Trainer(net, new Sgd(0.05f), threadCount: 2);
        var seen = new List<EpochResult>();

        TrainingHistory history = trainer.Fit(train, epochs: 3, batchSize: 10, onEpoch: seen.Add);

        Assert.Equal(3, history.Epochs.Count);
        Assert.Equal(history.Epochs, seen);
        for (int e = 0; e < 3; e++)
        {
            EpochResult r = history.Epochs[e];
            Assert.Equal(e + 1, r.Epoch);
            Assert.True(float.IsFinite(r.TrainingLoss) && r.TrainingLoss > 0);
            Assert.True(r.TrainingSeconds > 0);
            Assert.True(r.ImagesPerSecond > 0);
            Assert.Null(r.ValidationAccuracy);
        }

        Assert.True(history.Epochs[2].TrainingLoss < history.Epochs[0].TrainingLoss);
    }

    [Fact]
    public void Fit_ZeroEpochs_ChangesNothing()
    {
        var net = new LinearSoftmaxNetwork(5, 3);
        float[] before = net.Parameters.ToArray();
        using var trainer = new Trainer(net, new Sgd(0.1f), threadCount: 1);

        TrainingHistory history = trainer.Fit(ToyData.Clusters(10, 3, 5, seed: 1), epochs: 0, batchSize: 4);

        Assert.Empty(history.Epochs);
        Assert.Null(history.Last);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Fit_UsesTheLastPartialBatch(int threads)
    {
        var net = new LinearSoftmaxNetwork(5, 3);
        var optimizer = new CountingOptimizer(new Sgd(0.01f));
        using var trainer = new Trainer(net, optimizer, threads);

        trainer.Fit(ToyData.Clusters(10, 3, 5, seed: 1), epochs: 2, batchSize: 4);

        Assert.Equal(20, net.ForwardCalls);
        Assert.Equal(6, optimizer.Steps);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SameSeedAndThreadCount_GiveBitIdenticalParameters(int threads)
    {
        float[] first = TrainWithDropout(threads, seed: 5);
        float[] second = TrainWithDropout(threads, seed: 5);

        Assert.Equal(MemoryMarshal.Cast<float, int>(first).ToArray(), MemoryMarshal.Cast<float, int>(second).ToArray());
    }

    [Fact]
    public void DifferentSeeds_GiveDifferentParameters()
    {
        float[] a = TrainWithDropout(2, seed: 5);
        float[] b = TrainWithDropout(2, seed: 6);

        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void MoreThreads_AgreeWithOneThread(int threads)
    {
        float[] single = TrainWithDropout(1, seed: 5);
        float[] multi = TrainWithDropout(threads, seed: 5);

        Assert.Equal(single.Length, multi.Length);
        for (int i = 0; i < single.Length; i++)
        {
            Assert.Equal(single[i], multi[i], 1e-4f);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 5)]
    [InlineData(2, 1)]
    [InlineData(2, 5)]
    [InlineData(3, 2)]
    [InlineData(3, 7)]
    public void TrainBatch_GradientIsTheMeanOfPerSampleGradients(int threads, int batchSize)
    {
        Dataset data = ToyData.Clusters(20, 3, 4, seed: 8);
        var net = new LinearSoftmaxNetwork(4, 3, seed: 9);
        float[] parameters = net.Parameters.ToArray();
        int[] indices = new int[batchSize];
        for (int i = 0; i < batchSize; i++)
        {
            indices[i] = ((7 * i) + 3) % data.Count;
        }

        double[] expected = new double[parameters.Length];
        double expectedLoss = 0;
        foreach (int s in indices)
        {
            ReadOnlySpan<float> x = data.Sample(s);
            double[] logits = new double[3];
            double max = double.NegativeInfinity;
            for (int o = 0; o < 3; o++)
            {
                logits[o] = parameters[12 + o];
                for (int i = 0; i < 4; i++)
                {
                    logits[o] += parameters[(o * 4) + i] * (double)x[i];
                }

                max = Math.Max(max, logits[o]);
            }

            double sum = 0;
            foreach (double z in logits)
            {
                sum += Math.Exp(z - max);
            }

            expectedLoss += (Math.Log(sum) + max - logits[data.Labels[s]]) / batchSize;
            for (int o = 0; o < 3; o++)
            {
                double g = ((Math.Exp(logits[o] - max) / sum) - (o == data.Labels[s] ? 1 : 0)) / batchSize;
                for (int i = 0; i < 4; i++)
                {
                    expected[(o * 4) + i] += g * x[i];
                }

                expected[12 + o] += g;
            }
        }

        using var trainer = new Trainer(net, new Sgd(0f), threads);
        float loss = trainer.TrainBatch(data, indices);

        Assert.Equal(expectedLoss, loss, 1e-5);
        Assert.Equal(parameters, net.Parameters.ToArray());
        for (int p = 0; p < expected.Length; p++)
        {
            Assert.Equal(expected[p], trainer.Gradients[p], 1e-5);
        }
    }

    [Fact]
    public void TrainBatch_AppliesTheOptimizer()
    {
        Dataset data = ToyData.Clusters(8, 2, 3, seed: 1);
        var net = new LinearSoftmaxNetwork(3, 2, seed: 2);
        float[] before = net.Parameters.ToArray();
        using var trainer = new Trainer(net, new Sgd(0.5f), threadCount: 2);

        trainer.TrainBatch(data, [0, 1, 2, 3]);

        for (int p = 0; p < before.Length; p++)
        {
            Assert.Equal(before[p] - (0.5f * trainer.Gradients[p]), net.Parameters[p], 1e-6f);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Accuracy_OnAllWorkers_MatchesEvaluation(int threads)
    {
        Dataset data = ToyData.Clusters(301, 3, 5, seed: 1);
        var net = new LinearSoftmaxNetwork(5, 3, seed: 12);
        using var trainer = new Trainer(net, new Sgd(0.01f), threads);

        Assert.Equal(Evaluation.Accuracy(net, data), trainer.Accuracy(data));
    }

    [Fact]
    public void WorkerException_IsRethrownAndTheTrainerStaysUsable()
    {
        Dataset data = ToyData.Clusters(8, 2, 3, seed: 1);
        var net = new LinearSoftmaxNetwork(3, 2) { ThrowOnFirstValue = data.Sample(3)[0] };
        using var trainer = new Trainer(net, new Sgd(0.1f), threadCount: 2);

        var ex = Assert.Throws<InvalidOperationException>(() => trainer.TrainBatch(data, [0, 1, 2, 3]));
        Assert.Equal("test failure in Forward", ex.Message);

        net.ThrowOnFirstValue = null;
        Assert.True(float.IsFinite(trainer.TrainBatch(data, [0, 1, 2, 3])));
    }

    [Fact]
    public void ConcurrentSteps_AreRejected()
    {
        Dataset data = ToyData.Clusters(8, 2, 3, seed: 1);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var net = new LinearSoftmaxNetwork(3, 2);
        using var trainer = new Trainer(net, new Sgd(0.1f), threadCount: 1);
        net.BeforeForward = () =>
        {
            entered.Set();
            release.Wait();
        };
        var first = new Thread(() => trainer.TrainBatch(data, [0]));
        first.Start();
        entered.Wait();
        try
        {
            Assert.Throws<InvalidOperationException>(() => trainer.TrainBatch(data, [1]));
            Assert.Throws<InvalidOperationException>(() => trainer.Accuracy(data));
        }
        finally
        {
            release.Set();
            first.Join();
        }

        net.BeforeForward = null;
        Assert.True(float.IsFinite(trainer.TrainBatch(data, [1])));
    }

    [Fact]
    public void Dispose_StopsTheTrainer()
    {
        Dataset data = ToyData.Clusters(8, 2, 3, seed: 1);
        var trainer = new Trainer(new LinearSoftmaxNetwork(3, 2), new Sgd(0.1f), threadCount: 3);
        trainer.TrainBatch(data, [0, 1, 2]);

        trainer.Dispose();
        trainer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => trainer.TrainBatch(data, [0, 1, 2]));
        Assert.Throws<ObjectDisposedException>(() => trainer.Fit(data, 1, 4));
    }

    [Fact]
    public void DefaultThreadCount_IsTheProcessorCount()
    {
        using var trainer = new Trainer(new LinearSoftmaxNetwork(3, 2), new Sgd(0.1f));
        Assert.Equal(Environment.ProcessorCount, trainer.ThreadCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void BatchSizeNotPositive_IsRejected(int batchSize)
    {
        using var trainer = new Trainer(new LinearSoftmaxNetwork(3, 2), new Sgd(0.1f), 1);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(ToyData.Clusters(8, 2, 3, seed: 1), 1, batchSize));
        Assert.Equal("batchSize", ex.ParamName);
    }

    [Fact]
    public void NegativeEpochs_AreRejected()
    {
        using var trainer = new Trainer(new LinearSoftmaxNetwork(3, 2), new Sgd(0.1f), 1);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(ToyData.Clusters(8, 2, 3, seed: 1), -1, 4));
        Assert.Equal("epochs", ex.ParamName);
    }

    [Fact]
    public void SampleSizeMismatch_NamesTheDataSet()
    {
        using var trainer = new Trainer(new LinearSoftmaxNetwork(3, 2), new Sgd(0.1f), 1);
        Dataset wrong = ToyData.Clusters(8, 2, 4, seed: 1);
        Dataset right = ToyData.Clusters(8, 2, 3, seed: 1);

        var ex = Assert.Throws<ArgumentException>(() => trainer.Fit(wrong, 1, 4));
        Assert.Equal("train", ex.ParamName);
        Assert.Contains("4 floats", ex.Message, StringComparison.Ordinal);
        Assert.Equal("validation", Assert.Throws<ArgumentException>(() => trainer.Fit(right, 1, 4, validation: wrong)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => trainer.TrainBatch(wrong, [0])).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => trainer.Accuracy(wrong)).ParamName);
    }

    [Fact]
    public void ClassCountMismatch_NamesTheDataSet()
    {
        using var trainer = new Trainer(new LinearSoftmaxNetwork(3, 2), new Sgd(0.1f), 1);
        Dataset threeClasses = ToyData.Clusters(9, 3, 3, seed: 1);

        var ex = Assert.Throws<ArgumentException>(() => trainer.Fit(threeClasses, 1, 4));
        Assert.Equal("train", ex.ParamName);
        Assert.Contains("3 classes", ex.Message, StringComparison.Ordinal);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => trainer.TrainBatch(threeClasses, [0])).ParamName);
    }

    [Fact]
    public void BadBatchIndices_AreRejected()
    {
        using var trainer = new Trainer(new LinearSoftmaxNetwork(3, 2), new Sgd(0.1f), 2);
        Dataset data = ToyData.Clusters(8, 2, 3, seed: 1);

        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => trainer.TrainBatch(data, [])).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.TrainBatch(data, [0, 8])).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.TrainBatch(data, [-1])).ParamName);
    }

    [Fact]
    public void EmptyTrainingSet_IsRejected()
    {
        using var trainer = new Trainer(new LinearSoftmaxNetwork(3, 2), new Sgd(0.1f), 1);
        var empty = new Dataset([], [], [3], 2);
        Assert.Equal("train", Assert.Throws<ArgumentException>(() => trainer.Fit(empty, 1, 4)).ParamName);
    }

    [Fact]
    public void ConstructorArguments_AreValidated()
    {
        var net = new LinearSoftmaxNetwork(3, 2);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => new Trainer(null!, new Sgd(0.1f))).ParamName);
        Assert.Equal("optimizer", Assert.Throws<ArgumentNullException>(() => new Trainer(net, null!)).ParamName);
        Assert.Equal("threadCount", Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(net, new Sgd(0.1f), 0)).ParamName);
    }

    private static float[] TrainWithDropout(int threads, ulong seed)
    {
        Dataset train = ToyData.Clusters(90, 3, 8, seed: 21);
        var net = new LinearSoftmaxNetwork(8, 3, seed: 22, dropout: 0.3f);
        using var trainer = new Trainer(net, new Sgd(0.05f, momentum: 0.9f), threads);
        trainer.Fit(train, epochs: 3, batchSize: 7, seed: seed);
        return net.Parameters.ToArray();
    }
}
