using System.Collections.Generic;

namespace NetGen;

/// <summary>The per-epoch results of one <see cref="Trainer.Fit"/> call, in order.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(IReadOnlyList<EpochResult> epochs) => Epochs = epochs;

    /// <summary>One result per epoch run, the first epoch first.</summary>
    public IReadOnlyList<EpochResult> Epochs { get; }

    /// <summary>The last epoch's result; null when no epoch ran.</summary>
    public EpochResult? Last => Epochs.Count > 0 ? Epochs[Epochs.Count - 1] : null;
}
