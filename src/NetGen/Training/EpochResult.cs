namespace NetGen;

/// <summary>What one epoch of <see cref="Trainer.Fit(Dataset, Dataset?, TrainingOptions)"/> measured.</summary>
/// <param name="Epoch">The epoch's number, counting from 1.</param>
/// <param name="TrainingLoss">Mean loss over the epoch's training samples, as computed during training (dropout on, weights changing between batches).</param>
/// <param name="TrainingSeconds">Wall-clock seconds of the training part of the epoch (validation excluded).</param>
/// <param name="ImagesPerSecond">Training samples processed per second of <paramref name="TrainingSeconds"/>.</param>
/// <param name="ValidationAccuracy">Fraction of the validation set classified correctly after the epoch, in [0, 1]; null without a validation set.</param>
public sealed record EpochResult(int Epoch, float TrainingLoss, double TrainingSeconds, double ImagesPerSecond, float? ValidationAccuracy)
{
    /// <summary>Fraction of the epoch's training samples whose prediction (during training) matched the label.</summary>
    public float TrainingAccuracy { get; init; }

    /// <summary>Mean loss over the validation set after the epoch (evaluation mode); null without a validation set.</summary>
    public float? ValidationLoss { get; init; }

    /// <summary>The learning rate of the epoch's last step.</summary>
    public float LearningRate { get; init; }
}
