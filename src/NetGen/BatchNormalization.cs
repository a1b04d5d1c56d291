using System;

namespace NetGen;

/// <summary>
/// The batch-wide half of BatchNorm: between two segments of a training pass, gathers the per-sample statistics
/// the generated kernels left in each sample's workspace into the batch state the next segment reads.
/// </summary>
/// <remarks>
/// Samples are combined in the order given, in double precision, with Chan's parallel formula for the variance
/// (each sample contributes its own mean and centered sum of squares), so the result does not depend on how the
/// batch was split across threads and does not lose precision when the mean is large against the spread.
/// </remarks>
public static class BatchNormalization
{
    /// <summary>
    /// Computes the batch mean and 1/σ (σ² the biased variance plus ε) of <paramref name="layer"/>'s input from
    /// the statistics in <paramref name="workspaces"/>, writes them into <paramref name="batchState"/>, and, when
    /// <paramref name="updateRunningStatistics"/>, moves the running statistics in <paramref name="buffers"/> toward
    /// them as PyTorch does: <c>running = (1 − momentum)·running + momentum·batch</c>, with the unbiased variance.
    /// </summary>
    /// <param name="layer">The BatchNorm layer.</param>
    /// <param name="workspaces">The workspaces of the batch's samples after the segment before the layer.</param>
    /// <param name="batchState">The network's batch state (<see cref="INetwork.BatchStateSize"/> floats).</param>
    /// <param name="buffers">The network's <see cref="INetwork.Buffers"/>.</param>
    /// <param name="updateRunningStatistics">False leaves the running statistics alone (e.g. for gradient checks).</param>
    public static void GatherForward(BatchNormInfo layer, ReadOnlySpan<AlignedBuffer> workspaces, Span<float> batchState, Span<float> buffers, bool updateRunningStatistics)
    {
        ArgumentNullException.ThrowIfNull(layer);
        Check(layer, workspaces, batchState);
        int channels = layer.Channels;
        double spatial = layer.Spatial;
        double total = workspaces.Length * spatial;
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            foreach (AlignedBuffer workspace in workspaces)
            {
                sum += workspace.Span[layer.StatisticsOffset + c];
            }

            double mean = sum / total;
            double squares = 0;
            foreach (AlignedBuffer workspace in workspaces)
            {
                ReadOnlySpan<float> stats = workspace.Span.Slice(layer.StatisticsOffset, 2 * channels);
                double d = (stats[c] / spatial) - mean;
                squares += stats[channels + c] + (spatial * d * d);
            }

            double variance = squares / total;
            batchState[layer.StateOffset + c] = (float)mean;
            batchState[layer.StateOffset + channels + c] = (float)(1.0 / Math.Sqrt(variance + layer.Epsilon));
            if (updateRunningStatistics)
            {
                double unbiased = total > 1 ? squares / (total - 1) : variance;
                double m = layer.Momentum;
                ref float runningMean = ref buffers[layer.RunningMeanOffset + c];
                ref float runningVar = ref buffers[layer.RunningVarOffset + c];
                runningMean = (float)(((1 - m) * runningMean) + (m * mean));
                runningVar = (float)(((1 - m) * runningVar) + (m * unbiased));
            }
        }
    }

    /// <summary>
    /// Computes the batch means of dy and dy·x̂ per channel of <paramref name="layer"/> from the sums the backward
    /// segment above it left in <paramref name="workspaces"/>, and writes them into <paramref name="batchState"/>.
    /// </summary>
    /// <param name="layer">The BatchNorm layer.</param>
    /// <param name="workspaces">The workspaces of the batch's samples after the backward segment that ends at the layer.</param>
    /// <param name="batchState">The network's batch state.</param>
    public static void GatherBackward(BatchNormInfo layer, ReadOnlySpan<AlignedBuffer> workspaces, Span<float> batchState)
    {
        ArgumentNullException.ThrowIfNull(layer);
        Check(layer, workspaces, batchState);
        int channels = layer.Channels;
        double total = workspaces.Length * (double)layer.Spatial;
        for (int c = 0; c < channels; c++)
        {
            double sumDy = 0, sumDyXhat = 0;
            foreach (AlignedBuffer workspace in workspaces)
            {
                sumDy += workspace.Span[layer.StatisticsOffset + c];
                sumDyXhat += workspace.Span[layer.StatisticsOffset + channels + c];
            }

            batchState[layer.StateOffset + (2 * channels) + c] = (float)(sumDy / total);
            batchState[layer.StateOffset + (3 * channels) + c] = (float)(sumDyXhat / total);
        }
    }

    private static void Check(BatchNormInfo layer, ReadOnlySpan<AlignedBuffer> workspaces, Span<float> batchState)
    {
        if (workspaces.IsEmpty)
        {
            throw new ArgumentException("A batch needs at least one sample's workspace.", nameof(workspaces));
        }

        if (batchState.Length < layer.StateOffset + (4 * layer.Channels))
        {
            throw new ArgumentException($"The batch state holds {batchState.Length} floats; BatchNorm layer '{layer.Name}' needs {layer.StateOffset + (4 * layer.Channels)}.", nameof(batchState));
        }
    }
}
