using System;

namespace NetGen;

/// <summary>The trainer's jobs for its <see cref="WorkerPool"/>: each dispatch's work is a value handed to the pool.</summary>
public sealed partial class Trainer
{
    /// <summary>Which part of a BatchNorm network's step a <see cref="SegmentJob"/> runs.</summary>
    private enum SegmentPass
    {
        /// <summary>A forward segment of each sample, on the sample's own workspace.</summary>
        Forward,

        /// <summary>The last forward segment, the loss, and the last backward segment.</summary>
        Last,

        /// <summary>A backward segment of each sample.</summary>
        Backward,
    }

    /// <summary>What every job of one training step shares: the batch <c>Batch[0 … n)</c> of <c>Data</c>, the loss scale and the dropout seed.</summary>
    private readonly record struct BatchJob(Trainer Trainer, Dataset Data, int[] Batch, float Scale, ulong Seed);

    /// <summary>Forward, loss and backward of each of the worker's samples on its one workspace (no BatchNorm).</summary>
    private readonly struct TrainJob(BatchJob job) : IWorkerJob
    {
        public void Run(int worker, int from, int to)
        {
            Trainer trainer = job.Trainer;
            WorkerBuffers buffers = trainer._workers[worker];
            INetwork network = trainer.Network;
            Dataset data = job.Data;
            int[] labels = data.Labels;
            int[] batch = job.Batch;
            Span<float> workspace = buffers.Workspace.Span;
            Span<float> gradients = buffers.Gradients.Span;
            Span<float> logitsGradient = buffers.LogitsGradient;
            ReadOnlySpan<float> logits = workspace.Slice(trainer._logitsOffset, trainer._classes);
            ILoss lossFunction = trainer._loss;
            bool backward = trainer._anyTrainable;
            gradients.Clear();
            double loss = 0;
            int correct = 0;
            for (int k = from; k < to; k++)
            {
                int index = batch[k];
                ReadOnlySpan<float> input = data.Sample(index);
                network.Forward(input, workspace, training: true, Rng.Mix(job.Seed, (ulong)index));
                correct += lossFunction.IsCorrect(logits, labels[index], data.Target(index)) ? 1 : 0;
                loss += lossFunction.LossAndGradient(logits, labels[index], data.Target(index), logitsGradient, job.Scale);
                if (backward)
                {
                    network.Backward(input, workspace, logitsGradient, gradients);
                }
            }

            buffers.Loss = loss;
            buffers.Correct = correct;
        }
    }

    /// <summary>One segment pass of a BatchNorm network's step, on the worker's samples (each with its own workspace).</summary>
    private readonly struct SegmentJob(BatchJob job, SegmentPass pass, int segment) : IWorkerJob
    {
        public void Run(int worker, int from, int to)
        {
            Trainer trainer = job.Trainer;
            WorkerBuffers buffers = trainer._workers[worker];
            INetwork network = trainer.Network;
            Dataset data = job.Data;
            int[] batch = job.Batch;
            int classes = trainer._classes;
            ReadOnlySpan<float> state = trainer._batchState;
            Span<float> gradients = buffers.Gradients.Span;
            if (trainer._batchedSegments is { } batched && batched[segment])
            {
                // A Dense across the batch: the worker's samples [from, to) at once, on their adjacent workspaces.
                Span<float> chunk = trainer._chunkWorkspaces!.Span.Slice(from * trainer._chunkStride, (to - from) * trainer._chunkStride);
                if (pass == SegmentPass.Forward)
                {
                    network.ForwardChunk(segment, chunk, to - from);
                }
                else
                {
                    network.BackwardChunk(segment, chunk, to - from, gradients);
                }

                return;
            }

            switch (pass)
            {
                case SegmentPass.Forward:
                    for (int k = from; k < to; k++)
                    {
                        int index = batch[k];
                        network.ForwardSegment(segment, data.Sample(index), trainer.SampleWorkspace(k), state, training: true, Rng.Mix(job.Seed, (ulong)index));
                    }

                    break;

                case SegmentPass.Last:
                    gradients.Clear();
                    double loss = 0;
                    int correct = 0;
                    bool backward = trainer._anyTrainable;
                    int[] labels = data.Labels;
                    for (int k = from; k < to; k++)
                    {
                        int index = batch[k];
                        Span<float> workspace = trainer.SampleWorkspace(k);
                        ReadOnlySpan<float> input = data.Sample(index);
                        network.ForwardSegment(segment, input, workspace, state, training: true, Rng.Mix(job.Seed, (ulong)index));
                        ReadOnlySpan<float> logits = workspace.Slice(trainer._logitsOffset, classes);
                        Span<float> logitsGradient = trainer._sampleLogitsGradients.AsSpan(k * classes, classes);
                        correct += trainer._loss.IsCorrect(logits, labels[index], data.Target(index)) ? 1 : 0;
                        loss += trainer._loss.LossAndGradient(logits, labels[index], data.Target(index), logitsGradient, job.Scale);
                        if (backward)
                        {
                            network.BackwardSegment(segment, input, workspace, state, logitsGradient, gradients);
                        }
                    }

                    buffers.Loss = loss;
                    buffers.Correct = correct;
                    break;

                default:
                    for (int k = from; k < to; k++)
                    {
                        int index = batch[k];
                        network.BackwardSegment(segment, data.Sample(index), trainer.SampleWorkspace(k), state, trainer._sampleLogitsGradients.AsSpan(k * classes, classes), gradients);
                    }

                    break;
            }
        }
    }

    /// <summary>Evaluation-mode forward of samples <c>first + [from, to)</c>, counting correct predictions and the loss.</summary>
    private readonly struct EvaluateJob(Trainer trainer, Dataset data, int first) : IWorkerJob
    {
        public void Run(int worker, int from, int to)
        {
            WorkerBuffers buffers = trainer._workers[worker];
            INetwork network = trainer.Network;
            int[] labels = data.Labels;
            Span<float> workspace = buffers.Workspace.Span;

            // A generated network predicts on its evaluation layout (a fraction of the training one: it stays in
            // cache); the trainer needs the logits, so it predicts only where they are the output.
            bool predict = trainer._predictOnOwnLayout;
            Span<float> output = buffers.Output;
            ReadOnlySpan<float> logits = predict ? output : workspace.Slice(trainer._logitsOffset, trainer._classes);
            int[] predicted = trainer._predicted;
            int correct = 0;
            double loss = 0;
            ILoss lossFunction = trainer._loss;
            Span<float> scratch = buffers.LogitsGradient;
            for (int k = from; k < to; k++)
            {
                int i = first + k;
                if (predict)
                {
                    network.Predict(data.Sample(i), output, workspace);
                }
                else
                {
                    network.Forward(data.Sample(i), workspace, training: false, 0);
                }

                predicted[k] = Evaluation.PredictedClass(logits);
                if (lossFunction.IsCorrect(logits, labels[i], data.Target(i)))
                {
                    correct++;
                }

                loss += lossFunction.LossAndGradient(logits, labels[i], data.Target(i), scratch, 0f);
            }

            buffers.Correct = correct;
            buffers.Loss = loss;
        }
    }

    /// <summary>One worker's buffers and the results of its last job.</summary>
    private sealed class WorkerBuffers(int workspaceSize, int parameterCount, int outputSize)
    {
        public AlignedBuffer Workspace { get; } = new(workspaceSize);

        public AlignedBuffer Gradients { get; } = new(parameterCount);

        public float[] LogitsGradient { get; } = new float[outputSize];

        /// <summary>The output of an evaluation-mode predict.</summary>
        public float[] Output { get; } = new float[outputSize];

        public double Loss { get; set; }

        public int Correct { get; set; }
    }
}
