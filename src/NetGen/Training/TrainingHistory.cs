using System.Collections.Generic;

namespace NetGen;

/// <summary>Why <see cref="Trainer.Fit(Dataset, Dataset?, TrainingOptions)"/> returned.</summary>
public enum StopReason
{
    /// <summary>Every requested epoch ran.</summary>
    Completed,

    /// <summary>Early stopping: the monitored validation figure stopped improving.</summary>
    EarlyStopped,
}

/// <summary>The per-epoch results of one <see cref="Trainer.Fit(Dataset, Dataset?, TrainingOptions)"/> call, in order.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(IReadOnlyList<EpochResult> epochs, StopReason stopReason = StopReason.Completed, int? bestEpoch = null)
    {
        Epochs = epochs;
        StopReason = stopReason;
        BestEpoch = bestEpoch;
    }

    /// <summary>One result per epoch run, the first epoch first.</summary>
    public IReadOnlyList<EpochResult> Epochs { get; }

    /// <summary>The last epoch's result; null when no epoch ran.</summary>
    public EpochResult? Last => Epochs.Count > 0 ? Epochs[Epochs.Count - 1] : null;

    /// <summary>Why training stopped.</summary>
    public StopReason StopReason { get; }

    /// <summary>With early stopping: the epoch (from 1) with the best monitored figure, whose weights the network holds when <see cref="EarlyStopping.RestoreBestWeights"/>.</summary>
    public int? BestEpoch { get; }
}
