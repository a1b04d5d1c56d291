using System;
using System.Collections.Generic;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>The one epoch loop over a scripted backend: what it asks of a backend and how it reads the answers.</summary>
public class EpochLoopTests
{
    private static readonly Dataset Train = ToyData.Clusters(10, 2, 3, seed: 5);

    [Fact]
    public void A_backend_that_checks_each_batch_stops_at_the_first_non_finite_one()
    {
        var backend = new ScriptedBackend(defers: false, divergeAt: 1);
        var options = new TrainingOptions { Epochs = 2, BatchSize = 4 };
        var error = Assert.Throws<TrainingDivergedException>(() => EpochLoop.Run(backend, Train, null, options, null));
        Assert.Equal((1, 2), (error.Epoch, error.Batch));
        Assert.Equal([0, 1], backend.Batches);
        Assert.Equal(0, backend.Ends);
        Assert.Equal(1, backend.FitsEnded);
        Assert.Equal(1, backend.FitsBegun);
    }

    [Fact]
    public void A_backend_that_defers_divergence_runs_the_epoch_out_and_the_loop_reports_its_batch()
    {
        var backend = new ScriptedBackend(defers: true, divergeAt: 1);
        var options = new TrainingOptions { Epochs = 2, BatchSize = 4, Schedule = LearningRateSchedule.StepDecay(1, 0.5f), Progress = new Progress<TrainingProgress>(_ => { }) };
        var error = Assert.Throws<TrainingDivergedException>(() => EpochLoop.Run(backend, Train, null, options, null));
        Assert.Equal((1, 2), (error.Epoch, error.Batch));
        Assert.Equal([0, 1, 2], backend.Batches);
        Assert.Contains("NaN", error.Message, StringComparison.Ordinal);
        Assert.Contains("(now 0.1)", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, backend.Ends);
        Assert.Equal(1, backend.FitsEnded);
        Assert.Equal(1, backend.FitsBegun);
    }

    [Fact]
    public void Each_epoch_visits_a_permutation_and_the_result_holds_the_backend_s_tally()
    {
        var backend = new ScriptedBackend(defers: true, divergeAt: -1);
        TrainingHistory history = EpochLoop.Run(backend, Train, null, new TrainingOptions { Epochs = 3, BatchSize = 4, Seed = 9 }, null);
        Assert.Equal(3, backend.Orders.Count);
        foreach (int[] order in backend.Orders)
        {
            int[] sorted = (int[])order.Clone();
            Array.Sort(sorted);
            Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], sorted);
        }

        Assert.NotEqual(backend.Orders[0], backend.Orders[1]);
        Assert.Equal(3, history.Epochs.Count);
        Assert.Equal(0.5f, history.Epochs[0].TrainingLoss); // the scripted 5 / 10 samples
        Assert.Equal(0.7f, history.Epochs[0].TrainingAccuracy);
        Assert.Equal(1, backend.FitsEnded);
        Assert.Equal(1, backend.FitsBegun);
    }

    /// <summary>Batches of loss 1 (or NaN at <c>divergeAt</c>); an epoch tallies 5 and 7 correct.</summary>
    private sealed class ScriptedBackend(bool defers, int divergeAt) : ITrainingBackend
    {
        public List<int> Batches { get; } = [];

        public List<int[]> Orders { get; } = [];

        public int Ends { get; private set; }

        public int FitsEnded { get; private set; }

        public int FitsBegun { get; private set; }

        public INetwork Network { get; } = new LinearSoftmaxNetwork(3, 2);

        public IOptimizer Optimizer { get; } = new Sgd(0.1f);

        public bool DefersDivergence => defers;

        public void BeginEpoch(int[] order) => Orders.Add((int[])order.Clone());

        public BatchFigures? RunBatch(int batch, int first, int size, ulong dropoutSeed, float? maxGradientNorm, bool figuresWanted)
        {
            Batches.Add(batch);
            return figuresWanted || !defers ? new BatchFigures(batch == divergeAt ? double.NaN : 1, 1) : null;
        }

        public EpochFigures EndEpoch(int batches)
        {
            Ends++;
            return divergeAt >= 0 ? new EpochFigures(0, 0, divergeAt, double.NaN) : new EpochFigures(5, 7);
        }

        public (int Correct, double Loss) Evaluate(Dataset data) => (0, 0);

        public void CopyWeights(float[] parameters, float[] buffers)
        {
        }

        public void SaveCheckpoint(string path, int epoch, EarlyStoppingTracker tracker)
        {
        }

        public void BeginFit()
        {
            Assert.Equal(FitsEnded, FitsBegun);
            FitsBegun++;
        }

        public void EndFit() => FitsEnded++;
    }
}
