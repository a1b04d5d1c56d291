using System;
using System.Globalization;

namespace NetGen;

/// <summary>What became of the optimizer's state in a trainer's <c>LoadCheckpoint</c>.</summary>
public enum OptimizerStateLoad
{
    /// <summary>The file's optimizer state (same kind and settings) was restored: the next step continues the saved run exactly.</summary>
    Restored,

    /// <summary>
    /// The optimizer was reset to a fresh state (no steps, no buffers), because the file has no optimizer state or
    /// has one of another optimizer or settings (see <see cref="TrainerCheckpointLoad.OptimizerStateReason"/>):
    /// the weights continue, the optimizer starts as on a new run (fine-tuning).
    /// </summary>
    StartedFresh,
}

/// <summary>
/// What <see cref="Trainer.LoadCheckpoint"/> (or the GPU trainer's) loaded: the epochs done, the network's tensors
/// and the fate of the optimizer's state. It converts to the epoch (<c>int epoch = trainer.LoadCheckpoint(path)</c>).
/// </summary>
public sealed class TrainerCheckpointLoad
{
    internal TrainerCheckpointLoad(int epoch, CheckpointLoadResult weights, OptimizerStateLoad optimizerState, string optimizerStateReason, bool earlyStopping)
    {
        Epoch = epoch;
        Weights = weights;
        OptimizerState = optimizerState;
        OptimizerStateReason = optimizerStateReason;
        HasEarlyStoppingState = earlyStopping;
    }

    /// <summary>The epochs completed when the file was written (0 when it does not say, e.g. a PyTorch file); pass it as <see cref="TrainingOptions.StartEpoch"/>.</summary>
    public int Epoch { get; }

    /// <summary>The network's tensors: a trainer loads strictly, so every one was loaded.</summary>
    public CheckpointLoadResult Weights { get; }

    /// <summary>Whether the optimizer's state was restored from the file or started fresh.</summary>
    public OptimizerStateLoad OptimizerState { get; }

    /// <summary>Why the optimizer's state started fresh, e.g. <c>the file's is of 'sgd', this optimizer is 'adam'</c>; empty when it was restored.</summary>
    public string OptimizerStateReason { get; }

    /// <summary>Whether the file held early stopping's bookkeeping, which the next <c>Fit</c> starting at <see cref="Epoch"/> continues.</summary>
    public bool HasEarlyStoppingState { get; }

    /// <summary>
    /// One line, e.g. <c>epoch 2; weights: loaded 6 tensors; skipped 0; missing 0; optimizer state: started fresh
    /// (the file's is of 'sgd', this optimizer is 'adam')</c>.
    /// </summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"epoch {Epoch}; weights: {Weights}; optimizer state: ")
        + (OptimizerState == OptimizerStateLoad.Restored ? "restored" : $"started fresh ({OptimizerStateReason})")
        + (HasEarlyStoppingState ? "; early stopping: restored" : "");
}
