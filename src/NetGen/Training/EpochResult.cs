namespace NetGen;

/// <summary>What one epoch of <see cref="Trainer.Fit"/> measured.</summary>
/// <param name="Epoch">The epoch's number, counting from 1.</param>
/// <param name="TrainingLoss">Mean cross-entropy over the epoch's training samples, as computed during training (with dropout on, weights changing between batches).</param>
/// <param name="TrainingSeconds">Wall-clock seconds of the training part of the epoch (validation excluded).</param>
/// <param name="ImagesPerSecond">Training samples processed per second of <paramref name="TrainingSeconds"/>.</param>
/// <param name="ValidationAccuracy">Fraction of the validation set classified correctly after the epoch, in [0, 1]; null without a validation set.</param>
public sealed record EpochResult(int Epoch, float TrainingLoss, double TrainingSeconds, double ImagesPerSecond, float? ValidationAccuracy);
