using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace NetGen;

/// <summary>
/// Saves and loads a network's parameters and buffers as safetensors, under PyTorch state-dict keys
/// (<c>conv1.weight</c>, <c>dense3.bias</c>, <c>bn1.running_mean</c>, …) and PyTorch shapes, so a checkpoint
/// opens in PyTorch with <c>safetensors.torch.load_file</c> and a PyTorch state dict saved with
/// <c>save_file</c> loads here.
/// </summary>
public static class Checkpoint
{
    /// <summary>Prefix of the keys that hold optimizer state; <see cref="Load"/> ignores them.</summary>
    public const string OptimizerPrefix = "optimizer.";

    /// <summary>Prefix of the tensors a trainer stores for early stopping (the best epoch's weights); loads ignore them.</summary>
    public const string EarlyStoppingPrefix = "early_stopping.";

    /// <summary>
    /// Prefix of the metadata keys <see cref="Save"/> reads <c>num_batches_tracked</c> from:
    /// <c>num_batches_tracked:&lt;layer&gt;</c>, e.g. <c>num_batches_tracked:bn1</c>.
    /// </summary>
    public const string NumBatchesTrackedMetadataPrefix = "num_batches_tracked:";

    private const string NumBatchesTrackedSuffix = ".num_batches_tracked";
    private const string RunningMeanSuffix = ".running_mean";

    /// <summary>
    /// Saves the network to <paramref name="path"/>, atomically (see <see cref="SafetensorsFile.Write"/>): one F32
    /// tensor per <see cref="TensorInfo"/> of every layer, in layer order, with its PyTorch key and shape; for
    /// every layer with a <c>running_mean</c> buffer, an I64 scalar <c>&lt;layer&gt;.num_batches_tracked</c> as
    /// PyTorch's BatchNorm has; then <paramref name="extraTensors"/>.
    /// </summary>
    /// <param name="network">The network to save.</param>
    /// <param name="path">The file to create or replace, conventionally <c>*.safetensors</c>.</param>
    /// <param name="metadata">
    /// String metadata stored in the file. <c>num_batches_tracked:&lt;layer&gt;</c> gives the value of that layer's
    /// <c>num_batches_tracked</c> (0 when absent).
    /// </param>
    /// <param name="extraTensors">More tensors to store, e.g. optimizer state under keys starting with <see cref="OptimizerPrefix"/>.</param>
    /// <exception cref="ArgumentException">
    /// A tensor of the network lies outside its buffers, a name is used twice, or a <c>num_batches_tracked:</c>
    /// metadata value is not an integer.
    /// </exception>
    public static void Save(
        INetwork network,
        string path,
        IReadOnlyDictionary<string, string>? metadata = null,
        IEnumerable<SafetensorsTensor>? extraTensors = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);

        var tensors = new List<SafetensorsTensor>();
        foreach (LayerInfo layer in network.Layers)
        {
            foreach (TensorInfo info in layer.Tensors)
            {
                tensors.Add(SafetensorsTensor.F32(info.Key, info.Shape, Slice(network, info).ToArray()));
            }

            foreach (TensorInfo info in layer.Tensors)
            {
                if (info.IsBuffer && info.Key.EndsWith(RunningMeanSuffix, StringComparison.Ordinal))
                {
                    string prefix = info.Key[..^RunningMeanSuffix.Length];
                    long count = NumBatchesTracked(metadata, prefix);
                    tensors.Add(SafetensorsTensor.I64(prefix + NumBatchesTrackedSuffix, [], [count]));
                }
            }
        }

        if (extraTensors is not null)
        {
            tensors.AddRange(extraTensors);
        }

        SafetensorsFile.Write(path, tensors, metadata);
    }

    /// <summary>
    /// Loads a checkpoint into the network. Every network tensor is looked up by key; it must be there, with a
    /// floating-point dtype (F32, F64, F16 or BF16, converted to float) and exactly the network's shape. File
    /// tensors the network does not have are unexpected, except a trainer's state (keys starting with
    /// <see cref="OptimizerPrefix"/> or <see cref="EarlyStoppingPrefix"/>) and <c>*.num_batches_tracked</c>,
    /// which are ignored. The whole file is read and matched before any value is copied, so a load either copies
    /// everything it reports as loaded or, when it throws, leaves every parameter and buffer of the network as it was.
    /// </summary>
    /// <param name="network">The network to load into.</param>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="strict">
    /// True (the default): any missing, mismatched or unexpected tensor throws
    /// <see cref="CheckpointMismatchException"/> listing every problem, and the network is left unchanged.
    /// False: the tensors that match are copied and the rest are reported in the result.
    /// </param>
    /// <returns>What was loaded, skipped and missing, the metadata, and the file for its other tensors.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafetensorsFormatException">The file is not a well-formed safetensors file.</exception>
    /// <exception cref="CheckpointMismatchException">Strict, and the file does not match the network.</exception>
    /// <exception cref="ArgumentException">A tensor of the network lies outside its buffers.</exception>
    public static CheckpointLoadResult Load(INetwork network, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(path);
        PendingLoad pending = Prepare(network, SafetensorsFile.Read(path), path, strict);
        pending.Apply();
        return pending.Result;
    }

    /// <summary>
    /// Matches <paramref name="file"/> against <paramref name="network"/> without changing it: throws as
    /// <see cref="Load"/> does (strict) or records what would be skipped; <see cref="PendingLoad.Apply"/> then
    /// copies, and cannot fail.
    /// </summary>
    internal static PendingLoad Prepare(INetwork network, SafetensorsFile file, string path, bool strict)
    {
        var matches = new List<(TensorInfo Info, SafetensorsTensor Tensor)>();
        var loaded = new List<string>();
        var skipped = new List<SkippedTensor>();
        var missing = new List<string>();
        var problems = new List<string>();
        var networkKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (LayerInfo layer in network.Layers)
        {
            foreach (TensorInfo info in layer.Tensors)
            {
                networkKeys.Add(info.Key);
                _ = Slice(network, info); // a network inconsistent with its own buffers fails before anything is copied
                if (!file.TryGetTensor(info.Key, out SafetensorsTensor tensor))
                {
                    missing.Add(info.Key);
                    problems.Add($"{info.Key}: missing from the file");
                    continue;
                }

                string? reason = Mismatch(info, tensor);
                if (reason is not null)
                {
                    skipped.Add(new SkippedTensor(info.Key, reason));
                    problems.Add($"{info.Key}: {reason}");
                    continue;
                }

                matches.Add((info, tensor));
                loaded.Add(info.Key);
            }
        }

        foreach (SafetensorsTensor tensor in file.Tensors)
        {
            if (!networkKeys.Contains(tensor.Name)
                && !tensor.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)
                && !tensor.Name.StartsWith(EarlyStoppingPrefix, StringComparison.Ordinal)
                && !tensor.Name.EndsWith(NumBatchesTrackedSuffix, StringComparison.Ordinal))
            {
                const string Unexpected = "not a tensor of this network";
                skipped.Add(new SkippedTensor(tensor.Name, Unexpected));
                problems.Add($"{tensor.Name}: {Unexpected}");
            }
        }

        if (strict && problems.Count > 0)
        {
            throw new CheckpointMismatchException(path, problems.AsReadOnly());
        }

        return new PendingLoad(
            network, matches, new CheckpointLoadResult(file, loaded.AsReadOnly(), skipped.AsReadOnly(), missing.AsReadOnly()));
    }

    private static string? Mismatch(TensorInfo info, SafetensorsTensor tensor)
    {
        var reasons = new List<string>(2);
        if (!tensor.IsFloat)
        {
            reasons.Add($"dtype {SafetensorsDTypes.Name(tensor.DType)} in the file, expected a float dtype (F32, F64, F16 or BF16)");
        }

        if (!SameShape(info.Shape, tensor.Shape))
        {
            reasons.Add(
                $"shape {SafetensorsDTypes.FormatShape(info.Shape)} expected, file has {SafetensorsDTypes.FormatShape(tensor.Shape)}");
        }

        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    private static bool SameShape(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (int i = 0; i < a.Count; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    private static Span<float> Slice(INetwork network, TensorInfo info)
    {
        Span<float> buffer = info.IsBuffer ? network.Buffers : network.Parameters;
        int length = info.Length;
        if (info.Offset < 0 || length < 0 || info.Offset > buffer.Length - length)
        {
            string where = info.IsBuffer ? "Buffers" : "Parameters";
            throw new ArgumentException(
                $"The network's tensor '{info.Key}' ({length} floats at offset {info.Offset}) lies outside its {where} " +
                $"({buffer.Length} floats); expected the layer information to match the buffers.",
                nameof(network));
        }

        return buffer.Slice(info.Offset, length);
    }

    /// <summary>A load that has been checked and not yet applied: the copies it will make, and what it will report.</summary>
    internal sealed class PendingLoad
    {
        private readonly INetwork _network;
        private readonly List<(TensorInfo Info, SafetensorsTensor Tensor)> _matches;

        public PendingLoad(INetwork network, List<(TensorInfo Info, SafetensorsTensor Tensor)> matches, CheckpointLoadResult result)
        {
            _network = network;
            _matches = matches;
            Result = result;
        }

        /// <summary>What the load copies, skips and misses.</summary>
        public CheckpointLoadResult Result { get; }

        /// <summary>Copies the matched tensors into the network (shapes and ranges were checked by <see cref="Prepare"/>).</summary>
        public void Apply()
        {
            foreach ((TensorInfo info, SafetensorsTensor tensor) in _matches)
            {
                tensor.Data.CopyTo(Slice(_network, info));
            }
        }
    }

    private static long NumBatchesTracked(IReadOnlyDictionary<string, string>? metadata, string layer)
    {
        string key = NumBatchesTrackedMetadataPrefix + layer;
        if (metadata is null || !metadata.TryGetValue(key, out string? text))
        {
            return 0;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < 0)
        {
            throw new ArgumentException(
                $"Metadata '{key}' is '{text}'; expected a non-negative integer (the layer's num_batches_tracked).", nameof(metadata));
        }

        return value;
    }
}
