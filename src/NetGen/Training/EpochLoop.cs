using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace NetGen;

/// <summary>
/// The one epoch loop of the CPU and GPU trainers: epochs <c>StartEpoch + 1</c> to <c>Epochs</c>, each shuffled
/// with <c>Rng.Mix(seed, epoch)</c>, the learning-rate schedule per batch, progress and its time estimate,
/// divergence, the <see cref="EpochResult"/>, early stopping, checkpoints and callbacks, over an
/// <see cref="ITrainingBackend"/> that runs the steps.
/// </summary>
internal static class EpochLoop
{
    /// <summary>Runs the epochs of <paramref name="options"/> on <paramref name="backend"/>.</summary>
    /// <param name="backend">Runs the steps, ready for <paramref name="train"/>.</param>
    /// <param name="train">The training samples.</param>
    /// <param name="validation">Measured after every epoch when given.</param>
    /// <param name="options">Checked options.</param>
    /// <param name="resumed">Early stopping's state from the last checkpoint load, taken when it is of <c>StartEpoch</c>.</param>
    /// <returns>One result per epoch run, and why training stopped.</returns>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public static TrainingHistory Run(ITrainingBackend backend, Dataset train, Dataset? validation, TrainingOptions options, (int Epoch, EarlyStoppingTracker.Saved State)? resumed)
    {
        INetwork network = backend.Network;
        IOptimizer optimizer = backend.Optimizer;
        int count = train.Count;
        int batchSize = options.BatchSize;
        int batches = (count + batchSize - 1) / batchSize;
        int[] order = new int[count];
        var results = new List<EpochResult>(Math.Max(0, options.Epochs - options.StartEpoch));
        var tracker = new EarlyStoppingTracker(options.EarlyStopping);
        if (resumed is { } state && state.Epoch == options.StartEpoch && options.StartEpoch > 0)
        {
            tracker.Resume(state.State);
        }

        StopReason reason = StopReason.Completed;
        float baseLearningRate = optimizer.LearningRate;
        backend.BeginFit();
        try
        {
            for (int epoch = options.StartEpoch; epoch < options.Epochs; epoch++)
            {
                ulong epochSeed = Rng.Mix(options.Seed, (ulong)epoch);
                for (int i = 0; i < count; i++)
                {
                    order[i] = i;
                }

                var rng = new Rng(epochSeed);
                rng.Shuffle(order);
                ulong dropoutSeed = DropoutStream.ForEpoch(epochSeed);

                long start = Stopwatch.GetTimestamp();
                backend.BeginEpoch(order);
                double progressLoss = 0;
                int progressCorrect = 0;
                for (int b = 0; b < batches; b++)
                {
                    float learningRate = LearningRate(options, baseLearningRate, epoch, b, batches);
                    if (options.Schedule is not null)
                    {
                        optimizer.LearningRate = learningRate;
                    }

                    int first = b * batchSize;
                    int size = Math.Min(batchSize, count - first);
                    if (backend.RunBatch(b, first, size, dropoutSeed, options.MaxGradientNorm, options.Progress is not null) is not { } figures)
                    {
                        continue;
                    }

                    if (!backend.DefersDivergence && !double.IsFinite(figures.Loss))
                    {
                        throw Diverged(options, epoch, b, batches, figures.Loss, learningRate, results);
                    }

                    progressLoss += figures.Loss;
                    progressCorrect += figures.Correct;
                    if (options.Progress is not null)
                    {
                        int done = first + size;
                        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                        double rate = elapsed > 0 ? done / elapsed : 0;
                        long remainingSamples = ((long)(options.Epochs - epoch - 1) * count) + (count - done);
                        var remaining = TimeSpan.FromSeconds(rate > 0 ? remainingSamples / rate : 0);
                        options.Progress.Report(new TrainingProgress(epoch + 1, options.Epochs, b + 1, batches, (float)(progressLoss / done), (float)progressCorrect / done, rate, remaining, null));
                    }
                }

                EpochFigures tally = backend.EndEpoch(batches);
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                if (tally.DivergedBatch >= 0)
                {
                    int bad = tally.DivergedBatch;
                    throw Diverged(options, epoch, bad, batches, tally.DivergedLoss, LearningRate(options, baseLearningRate, epoch, bad, batches), results);
                }

                float? validationAccuracy = null, validationLoss = null;
                if (validation is not null)
                {
                    (int validationCorrect, double validationLossSum) = backend.Evaluate(validation);
                    validationAccuracy = (float)validationCorrect / validation.Count;
                    validationLoss = (float)(validationLossSum / validation.Count);
                }

                var result = new EpochResult(epoch + 1, count > 0 ? (float)(tally.Loss / count) : 0f, seconds, seconds > 0 ? count / seconds : double.PositiveInfinity, validationAccuracy)
                {
                    TrainingAccuracy = count > 0 ? (float)tally.Correct / count : 0f,
                    ValidationLoss = validationLoss,
                    LearningRate = optimizer.LearningRate,
                };
                results.Add(result);

                bool stop = tracker.Observe(result, network.ParameterCount, network.Buffers.Length, backend.CopyWeights);

                if (options.CheckpointPath is not null)
                {
                    backend.SaveCheckpoint(options.CheckpointPath, epoch + 1, tracker);
                }

                options.OnEpoch?.Invoke(result);
                options.Progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, batches, batches, result.TrainingLoss, result.TrainingAccuracy, result.ImagesPerSecond, TimeSpan.FromSeconds(seconds * (options.Epochs - epoch - 1)), result));
                if (stop)
                {
                    reason = StopReason.EarlyStopped;
                    break;
                }
            }
        }
        finally
        {
            optimizer.LearningRate = baseLearningRate;
            backend.EndFit();
        }

        tracker.Restore(network);

        return new TrainingHistory(results, reason, tracker.BestEpoch);
    }

    /// <summary>The learning rate of batch <paramref name="batch"/> of <paramref name="epoch"/>: the base rate times the schedule's factor.</summary>
    private static float LearningRate(TrainingOptions options, float baseLearningRate, int epoch, int batch, int batches) =>
        options.Schedule is null ? baseLearningRate : baseLearningRate * options.Schedule.Factor((epoch * batches) + batch, batches);

    private static TrainingDivergedException Diverged(TrainingOptions options, int epoch, int batch, int batches, double loss, float learningRate, List<EpochResult> results) =>
        new(
            $"Training diverged in epoch {epoch + 1}, batch {batch + 1} of {batches}: the {options.Loss.Name} loss is {(double.IsNaN(loss) ? "NaN" : "infinite")}. " +
            $"The step was not applied. Lower the learning rate (now {learningRate:G4}) or clip the gradient (MaxGradientNorm).",
            epoch + 1,
            batch + 1,
            results);
}
