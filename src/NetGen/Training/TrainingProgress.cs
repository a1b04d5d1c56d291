using System;

namespace NetGen;

/// <summary>
/// Where a <see cref="Trainer.Fit(Dataset, Dataset?, TrainingOptions)"/> run stands, reported through
/// <see cref="TrainingOptions.Progress"/> after every batch and at the end of every epoch.
/// </summary>
/// <param name="Epoch">The current epoch, from 1.</param>
/// <param name="Epochs">The epochs requested.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">Mean training loss of the epoch so far.</param>
/// <param name="Accuracy">Training accuracy of the epoch so far.</param>
/// <param name="ImagesPerSecond">Training samples per second in this epoch so far.</param>
/// <param name="Remaining">Estimated time left for the remaining batches of every epoch (validation excluded).</param>
/// <param name="EpochResult">At the end of an epoch (after validation): its result; null after an ordinary batch.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, float Loss, float Accuracy, double ImagesPerSecond, TimeSpan Remaining, EpochResult? EpochResult);
