using System;

namespace NetGen;

/// <summary>The CPU trainer's side of the one epoch loop (<see cref="EpochLoop"/>).</summary>
public sealed partial class Trainer
{
    /// <summary>One <c>Fit</c>'s steps on the worker pool, on <paramref name="train"/>.</summary>
    private sealed class CpuBackend(Trainer trainer, Dataset train) : ITrainingBackend
    {
        private int[] _order = [];
        private double _loss;
        private int _correct;

        public INetwork Network => trainer.Network;

        public IOptimizer Optimizer => trainer.Optimizer;

        public bool DefersDivergence => false;

        public void BeginEpoch(int[] order)
        {
            _order = order;
            _loss = 0;
            _correct = 0;
        }

        public BatchFigures? RunBatch(int batch, int first, int size, ulong dropoutSeed, float? maxGradientNorm, bool figuresWanted)
        {
            double loss = trainer.Step(train, _order.AsSpan(first, size), dropoutSeed, maxGradientNorm, out int correct);
            _loss += loss;
            _correct += correct;
            return new BatchFigures(loss, correct);
        }

        public EpochFigures EndEpoch(int batches) => new(_loss, _correct);

        public (int Correct, double Loss) Evaluate(Dataset data)
        {
            int correct = trainer.Evaluate(data, 0, data.Count, "validation", out double loss);
            return (correct, loss);
        }

        public void CopyWeights(float[] parameters, float[] buffers)
        {
            trainer.Network.Parameters.CopyTo(parameters);
            trainer.Network.Buffers.CopyTo(buffers);
        }

        public void SaveCheckpoint(string path, int epoch, EarlyStoppingTracker tracker) =>
            TrainingCheckpoint.Save(trainer.Network, trainer.Optimizer.ExportState(), path, epoch, tracker);

        /// <summary>Nothing to upload: the CPU trains the network's own arrays.</summary>
        public void BeginFit()
        {
        }

        public void EndFit()
        {
        }
    }
}
