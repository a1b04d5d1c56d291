using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen;

/// <summary>
/// A training run's checkpoint, shared by the CPU and GPU trainers: the network's tensors under their PyTorch
/// keys, the optimizer's state as <c>optimizer.*</c> tensors, the epochs done, and, when the run stops early,
/// early stopping's bookkeeping (best figure, its epoch, epochs since, and the best weights as
/// <c>early_stopping.*</c> tensors), so a resumed run stops and restores exactly as an uninterrupted one.
/// </summary>
internal static class TrainingCheckpoint
{
    private const string EpochKey = "netgen.epoch";
    private const string OptimizerKey = "netgen.optimizer";
    private const string OptimizerStepKey = "netgen.optimizer.step";
    private const string MonitorKey = "netgen.early_stopping.monitor";
    private const string BestKey = "netgen.early_stopping.best";
    private const string BestEpochKey = "netgen.early_stopping.best_epoch";
    private const string SinceBestKey = "netgen.early_stopping.since_best";
    private const string BestParametersTensor = Checkpoint.EarlyStoppingPrefix + "parameters";
    private const string BestBuffersTensor = Checkpoint.EarlyStoppingPrefix + "buffers";

    /// <summary>Writes the checkpoint atomically (a temporary file renamed over <paramref name="path"/>).</summary>
    /// <param name="network">The network whose parameters and buffers are stored.</param>
    /// <param name="state">The optimizer's state.</param>
    /// <param name="path">The safetensors file.</param>
    /// <param name="epoch">Epochs completed.</param>
    /// <param name="tracker">The run's early stopping, whose state is stored when it has seen an epoch; null for none.</param>
    public static void Save(INetwork network, OptimizerState state, string path, int epoch, EarlyStoppingTracker? tracker)
    {
        string step = state.StepCount.ToString(CultureInfo.InvariantCulture);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "pt",
            [EpochKey] = epoch.ToString(CultureInfo.InvariantCulture),
            [OptimizerKey] = state.Kind,
            [OptimizerStepKey] = step,
        };
        foreach (BatchNormInfo bn in network.BatchNorms)
        {
            metadata[Checkpoint.NumBatchesTrackedMetadataPrefix + bn.Name] = step;
        }

        var extra = new List<SafetensorsTensor>();
        foreach (KeyValuePair<string, float[]> buffer in state.Buffers)
        {
            extra.Add(SafetensorsTensor.F32(Checkpoint.OptimizerPrefix + buffer.Key, [buffer.Value.Length], buffer.Value));
        }

        if (tracker?.Export() is { } saved)
        {
            metadata[MonitorKey] = saved.Monitor.ToString();
            // The figure's bits, so the comparison after resuming is the one an uninterrupted run makes.
            metadata[BestKey] = BitConverter.SingleToInt32Bits(saved.Best).ToString("X8", CultureInfo.InvariantCulture);
            metadata[BestEpochKey] = saved.BestEpoch.ToString(CultureInfo.InvariantCulture);
            metadata[SinceBestKey] = saved.SinceBest.ToString(CultureInfo.InvariantCulture);
            if (saved.BestParameters is not null && saved.BestBuffers is not null)
            {
                extra.Add(SafetensorsTensor.F32(BestParametersTensor, [saved.BestParameters.Length], saved.BestParameters));
                extra.Add(SafetensorsTensor.F32(BestBuffersTensor, [saved.BestBuffers.Length], saved.BestBuffers));
            }
        }

        Checkpoint.Save(network, path, metadata, extra);
    }

    /// <summary>
    /// Loads a checkpoint strictly into <paramref name="network"/> and, when it holds optimizer state, into
    /// <paramref name="optimizer"/>.
    /// </summary>
    /// <param name="network">The network to load into.</param>
    /// <param name="optimizer">The optimizer that takes the stored state.</param>
    /// <param name="path">The safetensors file.</param>
    /// <param name="earlyStopping">Early stopping's state at that epoch, when the file has it; null otherwise.</param>
    /// <returns>The epochs done (0 for a file without that metadata, e.g. one written by PyTorch).</returns>
    public static int Load(INetwork network, IOptimizer optimizer, string path, out EarlyStoppingTracker.Saved? earlyStopping)
    {
        CheckpointLoadResult loaded = Checkpoint.Load(network, path, strict: true);
        IReadOnlyDictionary<string, string> metadata = loaded.Metadata;
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (SafetensorsTensor tensor in loaded.File.Tensors)
        {
            tensors[tensor.Name] = tensor.Data;
        }

        if (metadata.TryGetValue(OptimizerKey, out string? kind) && metadata.TryGetValue(OptimizerStepKey, out string? step))
        {
            var buffers = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, float[]> tensor in tensors)
            {
                if (tensor.Key.StartsWith(Checkpoint.OptimizerPrefix, StringComparison.Ordinal))
                {
                    buffers[tensor.Key[Checkpoint.OptimizerPrefix.Length..]] = tensor.Value;
                }
            }

            optimizer.ImportState(new OptimizerState(kind, Integer(path, OptimizerStepKey, step, long.MaxValue), buffers));
        }

        int epoch = metadata.TryGetValue(EpochKey, out string? epochText) ? (int)Integer(path, EpochKey, epochText, int.MaxValue) : 0;
        earlyStopping = null;
        if (metadata.TryGetValue(MonitorKey, out string? monitor)
            && metadata.TryGetValue(BestKey, out string? best)
            && metadata.TryGetValue(BestEpochKey, out string? bestEpoch)
            && metadata.TryGetValue(SinceBestKey, out string? sinceBest))
        {
            if (!Enum.TryParse(monitor, out EarlyStoppingMonitor parsedMonitor)
                || !int.TryParse(best, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int bits))
            {
                throw new SafetensorsFormatException(path, $"'{path}': the early-stopping metadata ('{MonitorKey}' = '{monitor}', '{BestKey}' = '{best}') is not a monitor name and a hexadecimal float.");
            }

            tensors.TryGetValue(BestParametersTensor, out float[]? bestParameters);
            tensors.TryGetValue(BestBuffersTensor, out float[]? bestBuffers);
            if ((bestParameters is not null && bestParameters.Length != network.ParameterCount)
                || (bestBuffers is not null && bestBuffers.Length != network.Buffers.Length))
            {
                throw new SafetensorsFormatException(path, $"'{path}': the early-stopping weights have {bestParameters?.Length} parameters and {bestBuffers?.Length} buffer values; the network has {network.ParameterCount} and {network.Buffers.Length}.");
            }

            earlyStopping = new EarlyStoppingTracker.Saved(
                parsedMonitor,
                BitConverter.Int32BitsToSingle(bits),
                (int)Integer(path, BestEpochKey, bestEpoch, int.MaxValue),
                (int)Integer(path, SinceBestKey, sinceBest, int.MaxValue),
                bestParameters,
                bestBuffers);
        }

        return epoch;
    }

    private static long Integer(string path, string key, string text, long max) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value <= max
            ? value
            : throw new SafetensorsFormatException(path, $"'{path}': metadata '{key}' is '{text}'; expected a non-negative integer.");
}
