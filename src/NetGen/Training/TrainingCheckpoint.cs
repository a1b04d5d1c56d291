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
    /// Loads a checkpoint strictly into <paramref name="network"/> and sets <paramref name="optimizer"/>'s state:
    /// the file's when it is of the same kind and settings, a fresh one otherwise. Everything (the tensors, the
    /// metadata, the optimizer state, early stopping's state) is read and checked before anything changes: on any
    /// error the network, the optimizer and the caller's state are as they were.
    /// </summary>
    /// <param name="network">The network to load into.</param>
    /// <param name="optimizer">The optimizer that takes the stored state.</param>
    /// <param name="path">The safetensors file.</param>
    /// <param name="earlyStopping">Early stopping's state at that epoch, when the file has it; null otherwise.</param>
    /// <returns>What was loaded; its epoch is 0 for a file without that metadata (e.g. one written by PyTorch).</returns>
    public static TrainerCheckpointLoad Load(INetwork network, IOptimizer optimizer, string path, out EarlyStoppingTracker.Saved? earlyStopping)
    {
        SafetensorsFile file = SafetensorsFile.Read(path);
        Checkpoint.PendingLoad weights = Checkpoint.Prepare(network, file, path, strict: true);
        IReadOnlyDictionary<string, string> metadata = file.Metadata;
        int epoch = metadata.TryGetValue(EpochKey, out string? epochText) ? (int)Integer(path, EpochKey, epochText, int.MaxValue) : 0;
        EarlyStoppingTracker.Saved? stopping = ReadEarlyStopping(network, file, path);
        OptimizerState? saved = ReadOptimizerState(network, file, path);

        string? fresh = OptimizerSupport.WhyStartFresh(optimizer, saved);
        OptimizerState snapshot = optimizer.ExportState();
        try
        {
            optimizer.ImportState(fresh is null ? saved! : new OptimizerState(snapshot.Kind, 0, new Dictionary<string, float[]>()));
        }
        catch (ArgumentException e)
        {
            TryImport(optimizer, snapshot);
            throw new CheckpointMismatchException(path, [$"optimizer state: {e.Message}"]);
        }

        weights.Apply();
        earlyStopping = stopping;
        return new TrainerCheckpointLoad(
            epoch, weights.Result, fresh is null ? OptimizerStateLoad.Restored : OptimizerStateLoad.StartedFresh, fresh ?? "", stopping is not null);
    }

    private static void TryImport(IOptimizer optimizer, OptimizerState state)
    {
        try
        {
            optimizer.ImportState(state);
        }
        catch (ArgumentException)
        {
            // The built-in optimizers check a state whole before taking it; a failed import changed nothing.
        }
    }

    /// <summary>The file's optimizer state, its buffers checked against the network's parameter count; null when it has none.</summary>
    private static OptimizerState? ReadOptimizerState(INetwork network, SafetensorsFile file, string path)
    {
        bool hasKind = file.Metadata.TryGetValue(OptimizerKey, out string? kind);
        bool hasStep = file.Metadata.TryGetValue(OptimizerStepKey, out string? step);
        if (hasKind != hasStep)
        {
            throw new SafetensorsFormatException(path, $"'{path}': metadata '{(hasKind ? OptimizerKey : OptimizerStepKey)}' is there but '{(hasKind ? OptimizerStepKey : OptimizerKey)}' is not; expected both or neither.");
        }

        var buffers = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (SafetensorsTensor tensor in file.Tensors)
        {
            if (!tensor.Name.StartsWith(Checkpoint.OptimizerPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!tensor.IsFloat)
            {
                problems.Add($"{tensor.Name}: dtype {SafetensorsDTypes.Name(tensor.DType)} in the file, expected a float dtype");
            }
            else if (tensor.Data.Length != network.ParameterCount)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{tensor.Name}: {tensor.Data.Length} values in the file, expected one per parameter ({network.ParameterCount})"));
            }

            buffers[tensor.Name[Checkpoint.OptimizerPrefix.Length..]] = tensor.Data;
        }

        if (problems.Count > 0)
        {
            throw new CheckpointMismatchException(path, problems.AsReadOnly());
        }

        if (!hasKind)
        {
            return buffers.Count == 0
                ? null
                : throw new SafetensorsFormatException(path, $"'{path}': it has optimizer tensors ({string.Join(", ", buffers.Keys)}) but no '{OptimizerKey}' metadata.");
        }

        if (string.IsNullOrWhiteSpace(kind))
        {
            throw new SafetensorsFormatException(path, $"'{path}': metadata '{OptimizerKey}' is empty; expected the optimizer's kind ('sgd', 'adam', 'adamw').");
        }

        return new OptimizerState(kind, Integer(path, OptimizerStepKey, step!, long.MaxValue), buffers);
    }

    /// <summary>Early stopping's bookkeeping and best weights, when the file has them (all four metadata keys); null otherwise.</summary>
    private static EarlyStoppingTracker.Saved? ReadEarlyStopping(INetwork network, SafetensorsFile file, string path)
    {
        IReadOnlyDictionary<string, string> metadata = file.Metadata;
        if (!(metadata.TryGetValue(MonitorKey, out string? monitor)
            && metadata.TryGetValue(BestKey, out string? best)
            && metadata.TryGetValue(BestEpochKey, out string? bestEpoch)
            && metadata.TryGetValue(SinceBestKey, out string? sinceBest)))
        {
            return null;
        }

        if (!Enum.TryParse(monitor, out EarlyStoppingMonitor parsedMonitor)
            || !Enum.IsDefined(parsedMonitor)
            || !int.TryParse(best, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int bits))
        {
            throw new SafetensorsFormatException(path, $"'{path}': the early-stopping metadata ('{MonitorKey}' = '{monitor}', '{BestKey}' = '{best}') is not a monitor name and a hexadecimal float.");
        }

        float[]? bestParameters = file.TryGetTensor(BestParametersTensor, out SafetensorsTensor p) ? p.Data : null;
        float[]? bestBuffers = file.TryGetTensor(BestBuffersTensor, out SafetensorsTensor b) ? b.Data : null;
        if ((bestParameters is null) != (bestBuffers is null)
            || (bestParameters is not null && bestParameters.Length != network.ParameterCount)
            || (bestBuffers is not null && bestBuffers.Length != network.Buffers.Length))
        {
            throw new SafetensorsFormatException(path, $"'{path}': the early-stopping weights have {bestParameters?.Length} parameters and {bestBuffers?.Length} buffer values; the network has {network.ParameterCount} and {network.Buffers.Length}.");
        }

        return new EarlyStoppingTracker.Saved(
            parsedMonitor,
            BitConverter.Int32BitsToSingle(bits),
            (int)Integer(path, BestEpochKey, bestEpoch, int.MaxValue),
            (int)Integer(path, SinceBestKey, sinceBest, int.MaxValue),
            bestParameters,
            bestBuffers);
    }

    private static long Integer(string path, string key, string text, long max) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value <= max
            ? value
            : throw new SafetensorsFormatException(path, $"'{path}': metadata '{key}' is '{text}'; expected a non-negative integer.");
}
