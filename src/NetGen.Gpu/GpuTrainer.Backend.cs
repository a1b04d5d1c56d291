using System;

namespace NetGen.Gpu;

/// <summary>The GPU trainer's side of the one epoch loop (<see cref="EpochLoop"/>).</summary>
public sealed partial class GpuTrainer
{
    /// <summary>
    /// One <c>Fit</c>'s steps on the device: launched without waiting, the batch figures kept on the device until
    /// the epoch ends (or a progress report wants them), a non-finite loss caught there.
    /// </summary>
    private sealed class DeviceBackend : ITrainingBackend
    {
        private readonly GpuTrainer _trainer;
        private readonly DeviceData _data;
        private readonly float[] _batchLoss;
        private readonly int[] _batchCorrect;
        private readonly int[] _status = new int[2];
        private long _stepsBefore;
        private bool _momentumBefore;

        public DeviceBackend(GpuTrainer trainer, Dataset train, int batchSize)
        {
            _trainer = trainer;
            int count = train.Count;
            int batches = (count + batchSize - 1) / batchSize;
            _data = trainer.Upload(train);
            trainer.EnsureCapacity(Math.Min(batchSize, Math.Max(count, 1)));
            trainer._batchLoss.Ensure(batches);
            trainer._batchCorrect.Ensure(batches);
            trainer._order.Ensure(count);
            _batchLoss = new float[batches];
            _batchCorrect = new int[batches];
        }

        public INetwork Network => _trainer.Network;

        public IOptimizer Optimizer => _trainer.Optimizer;

        public bool DefersDivergence => true;

        public void BeginEpoch(int[] order)
        {
            _stepsBefore = _trainer._stepCount;
            _momentumBefore = _trainer._momentumStarted;
            _trainer._order.Upload(order);
            _trainer._status.Clear();
        }

        public BatchFigures? RunBatch(int batch, int first, int size, ulong dropoutSeed, float? maxGradientNorm, bool figuresWanted)
        {
            GpuTrainer t = _trainer;
            t.Step(_data, t._order.View.SubView(first, size), size, batch, dropoutSeed, maxGradientNorm);
            if (!figuresWanted)
            {
                return null;
            }

            // The one synchronization of the batch: its figures for the progress report.
            t.Device.Synchronize();
            t._batchLoss.Download(_batchLoss.AsSpan(batch, 1), batch);
            t._batchCorrect.Download(_batchCorrect.AsSpan(batch, 1), batch);
            return new BatchFigures(_batchLoss[batch], _batchCorrect[batch]);
        }

        public EpochFigures EndEpoch(int batches)
        {
            GpuTrainer t = _trainer;
            t.Device.Synchronize();
            t._batchLoss.Download(_batchLoss.AsSpan(0, batches));
            t._batchCorrect.Download(_batchCorrect.AsSpan(0, batches));
            t._status.Download(_status);
            if (_status[0] != 0)
            {
                int bad = _status[1];
                // The device skipped that update and every later one.
                t.RewindSteps(_stepsBefore + (t._anyTrainable ? bad : 0));
                t._momentumStarted = _momentumBefore || (t._anyTrainable && bad > 0);
                return new EpochFigures(0, 0, bad, _batchLoss[bad]);
            }

            double loss = 0;
            int correct = 0;
            for (int b = 0; b < batches; b++)
            {
                loss += _batchLoss[b];
                correct += _batchCorrect[b];
            }

            return new EpochFigures(loss, correct);
        }

        public (int Correct, double Loss) Evaluate(Dataset data) => _trainer.EvaluateOnDevice(data);

        public void CopyWeights(float[] parameters, float[] buffers)
        {
            _trainer._parameters.Download(parameters);
            _trainer._buffers.Download(buffers);
        }

        public void SaveCheckpoint(string path, int epoch, EarlyStoppingTracker tracker) => _trainer.SaveCheckpoint(path, epoch, tracker);

        public void BeginFit() => _trainer.UploadState();

        public void EndFit()
        {
            _trainer._fitting = false;
            _trainer.DownloadState();
        }
    }
}
