namespace NetGen;

/// <summary>A batch's figures as the epoch loop tallies them: the summed (not mean) loss and the correct predictions.</summary>
/// <param name="Loss">The sum of the samples' losses; NaN or infinite when the batch diverged.</param>
/// <param name="Correct">Samples whose prediction matched the label.</param>
internal readonly record struct BatchFigures(double Loss, int Correct);

/// <summary>An epoch's figures, or the first batch that diverged.</summary>
/// <param name="Loss">The summed loss of all the epoch's samples.</param>
/// <param name="Correct">The correct predictions of all the epoch's samples.</param>
/// <param name="DivergedBatch">The first batch (from 0) whose loss was not finite, or −1.</param>
/// <param name="DivergedLoss">That batch's loss.</param>
internal readonly record struct EpochFigures(double Loss, int Correct, int DivergedBatch = -1, double DivergedLoss = 0);

/// <summary>
/// What a trainer does for the one epoch loop (<see cref="EpochLoop"/>): run a training step on a batch, tally an
/// epoch, evaluate, copy the current weights, write a checkpoint. The CPU <see cref="Trainer"/> and the GPU trainer
/// each provide one, for one <c>Fit</c>.
/// </summary>
internal interface ITrainingBackend
{
    /// <summary>The network being trained (its host copy).</summary>
    INetwork Network { get; }

    /// <summary>The optimizer whose learning rate the loop schedules.</summary>
    IOptimizer Optimizer { get; }

    /// <summary>
    /// Whether a diverged step is caught where the steps run (the GPU: that step and every later one leave the
    /// weights alone), so the loop runs the epoch to its end and learns of it from <see cref="EndEpoch"/>; otherwise
    /// the loop stops at the batch whose figures are not finite.
    /// </summary>
    bool DefersDivergence { get; }

    /// <summary>
    /// Starts the <c>Fit</c>, before its first epoch: the GPU uploads the host's weights, buffers and optimizer
    /// state (what a callback or a load changed since the last <c>Fit</c>); <see cref="EndFit"/> copies them back.
    /// </summary>
    void BeginFit();

    /// <summary>Starts an epoch whose batches visit the samples in <paramref name="order"/>.</summary>
    /// <param name="order">The epoch's shuffled sample indices.</param>
    void BeginEpoch(int[] order);

    /// <summary>Runs one training step on the batch <c>order[first … first + size)</c>.</summary>
    /// <param name="batch">The batch's number in the epoch, from 0.</param>
    /// <param name="first">Its first position in the order.</param>
    /// <param name="size">Its samples, ≥ 1.</param>
    /// <param name="dropoutSeed">The epoch's dropout seed (<see cref="DropoutStream.ForEpoch"/>).</param>
    /// <param name="maxGradientNorm">Clips the gradient by its global norm when set.</param>
    /// <param name="figuresWanted">Whether the caller needs the batch's figures now (a progress report).</param>
    /// <returns>The batch's figures, or null when they stay where the step ran until <see cref="EndEpoch"/>.</returns>
    BatchFigures? RunBatch(int batch, int first, int size, ulong dropoutSeed, float? maxGradientNorm, bool figuresWanted);

    /// <summary>Ends the epoch: waits for its steps and tallies them in batch order.</summary>
    /// <param name="batches">The epoch's batches.</param>
    /// <returns>The epoch's figures, or the first batch that diverged.</returns>
    EpochFigures EndEpoch(int batches);

    /// <summary>Evaluation-mode correct predictions and summed loss on <paramref name="data"/>.</summary>
    /// <param name="data">The validation set.</param>
    /// <returns>(correct predictions, summed loss).</returns>
    (int Correct, double Loss) Evaluate(Dataset data);

    /// <summary>Copies the current parameters and buffers (early stopping's best weights).</summary>
    /// <param name="parameters">Receives the parameters.</param>
    /// <param name="buffers">Receives the buffers.</param>
    void CopyWeights(float[] parameters, float[] buffers);

    /// <summary>Writes the checkpoint of <paramref name="epoch"/> epochs completed, with early stopping's state.</summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="epoch">Epochs completed.</param>
    /// <param name="tracker">Early stopping's bookkeeping.</param>
    void SaveCheckpoint(string path, int epoch, EarlyStoppingTracker tracker);

    /// <summary>Ends the <c>Fit</c>, however it ends (the GPU copies its state back to the host).</summary>
    void EndFit();
}
