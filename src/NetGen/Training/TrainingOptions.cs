using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>How <see cref="Trainer.Fit(Dataset, Dataset?, TrainingOptions)"/> trains: the loop, the loss, the schedule and the controls.</summary>
public sealed record TrainingOptions
{
    /// <summary>The last epoch to run (from 1): a run resumed at <see cref="StartEpoch"/> 3 with 10 epochs runs epochs 4 to 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per optimizer step; the last, smaller batch of an epoch is used, not dropped.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>
    /// Fixes the shuffling and the dropout masks: epoch <c>e</c> (from 0) is shuffled with
    /// <c>new Rng(Rng.Mix(Seed, e))</c>, and each sample's masks depend on (seed, epoch, sample index) only, never on
    /// the thread count or the order of the batch.
    /// </summary>
    public ulong Seed { get; init; }

    /// <summary>Epochs already done (e.g. loaded from a checkpoint); training continues with epoch <c>StartEpoch + 1</c> exactly as an uninterrupted run would.</summary>
    public int StartEpoch { get; init; }

    /// <summary>The loss (default softmax cross-entropy).</summary>
    public ILoss Loss { get; init; } = new SoftmaxCrossEntropyLoss();

    /// <summary>Multiplies the optimizer's learning rate (as it was when <c>Fit</c> started) at every step; null keeps it constant.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>When set, the gradient of the trainable parameters is scaled down to this global L2 norm when it is larger.</summary>
    public float? MaxGradientNorm { get; init; }

    /// <summary>Names of layers whose parameters stay fixed.</summary>
    public IReadOnlyCollection<string>? FrozenLayers { get; init; }

    /// <summary>When set, only the last N layers with parameters train; every layer below them is frozen ("all but the last N").</summary>
    public int? TrainLastLayers { get; init; }

    /// <summary>Per-layer learning-rate multipliers by layer name (default 1).</summary>
    public IReadOnlyDictionary<string, float>? LearningRateMultipliers { get; init; }

    /// <summary>Stops when the validation figure stops improving (needs a validation set).</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>Receives progress after every batch and at the end of every epoch.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Called after each epoch with its result.</summary>
    public Action<EpochResult>? OnEpoch { get; init; }

    /// <summary>
    /// When set, a checkpoint (weights, BatchNorm statistics, optimizer state, epoch) is written here after every
    /// epoch, atomically, so a run can resume from its last epoch. With early stopping that restores the best
    /// weights, the file still holds the last epoch (the state to resume from); save the restored network with
    /// <c>network.Save(path)</c>.
    /// </summary>
    public string? CheckpointPath { get; init; }
}
