using System;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>Runs alone (no other test allocating at the same time), since it counts every thread's allocations.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingRunsAlone
{
    public const string Name = "NetGen.Training.Sequential";
}

[Collection(TrainingRunsAlone.Name)]
public class TrainerAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SteadyStateTrainingStep_AllocatesNothing(int threads)
    {
        Dataset data = ToyData.Clusters(256, 4, 16, seed: 1);
        var net = new LinearSoftmaxNetwork(16, 4, dropout: 0.1f);
        using var trainer = new Trainer(net, new Sgd(0.01f, momentum: 0.9f, weightDecay: 1e-4f), threads);
        int[] indices = new int[32];
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = (i * 5) % data.Count;
        }

        for (int i = 0; i < 300; i++)
        {
            trainer.TrainBatch(data, indices, (ulong)i);
        }

        // Background work of the runtime can allocate while we measure (tiered compilation rejits hot methods
        // on its own thread, later on a loaded machine); a per-step allocation shows up in every attempt, so the
        // best of a few attempts must be zero.
        long bestTotal = long.MaxValue, bestThread = long.MaxValue;
        for (int attempt = 0; attempt < 10 && bestTotal > 0; attempt++)
        {
            long total = GC.GetTotalAllocatedBytes(precise: true);
            long thread = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++)
            {
                trainer.TrainBatch(data, indices.AsSpan(0, 32 - (i % 3)), (ulong)i);
            }

            bestThread = Math.Min(bestThread, GC.GetAllocatedBytesForCurrentThread() - thread);
            bestTotal = Math.Min(bestTotal, GC.GetTotalAllocatedBytes(precise: true) - total);
        }

        Assert.Equal(0, bestThread);
        Assert.Equal(0, bestTotal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SteadyStateBatchNormStep_AllocatesNothing(int threads)
    {
        // BatchNorm trains in segments with the batch statistics gathered in between: still nothing per step.
        var rng = new Rng(2);
        var features = new float[64 * 72];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = rng.NextFloat() - 0.5f;
        }

        var data = new Dataset(features, new int[64], [2, 6, 6], 4);
        var net = new BatchNorm.BnConv(1);
        using var trainer = new Trainer(net, new AdamW(1e-3f), threads);
        int[] indices = new int[16];
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = (i * 3) % data.Count;
        }

        for (int i = 0; i < 20; i++)
        {
            trainer.TrainBatch(data, indices, (ulong)i);
        }

        long bestTotal = long.MaxValue;
        for (int attempt = 0; attempt < 10 && bestTotal > 0; attempt++)
        {
            long total = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 20; i++)
            {
                trainer.TrainBatch(data, indices.AsSpan(0, 16 - (i % 3)), (ulong)i);
            }

            bestTotal = Math.Min(bestTotal, GC.GetTotalAllocatedBytes(precise: true) - total);
        }

        Assert.Equal(0, bestTotal);
    }
}
