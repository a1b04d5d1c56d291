using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace NetGen.Tests.Checkpoints;

/// <summary>Checkpoint files edited for a test (a tensor reshaped, dropped or added, metadata changed), and bit-exact snapshots.</summary>
internal static class CheckpointFiles
{
    /// <summary>A fresh path in the temporary folder (the caller deletes it).</summary>
    public static string NewPath(string name) => Path.Combine(Path.GetTempPath(), $"netgen-{name}-{Guid.NewGuid():N}.safetensors");

    /// <summary>Rewrites <paramref name="source"/> to <paramref name="target"/> with the tensors and metadata edited.</summary>
    public static void Edit(
        string source,
        string target,
        Func<List<SafetensorsTensor>, List<SafetensorsTensor>>? tensors = null,
        Action<Dictionary<string, string>>? metadata = null)
    {
        SafetensorsFile file = SafetensorsFile.Read(source);
        var list = file.Tensors.Select(Copy).ToList();
        var meta = new Dictionary<string, string>(file.Metadata, StringComparer.Ordinal);
        metadata?.Invoke(meta);
        SafetensorsFile.Write(target, tensors is null ? list : tensors(list), meta);
    }

    /// <summary>The same tensor (a copy of its values).</summary>
    public static SafetensorsTensor Copy(SafetensorsTensor t) =>
        t.Int64Data is long[] longs ? SafetensorsTensor.I64(t.Name, t.Shape, (long[])longs.Clone()) : SafetensorsTensor.F32(t.Name, t.Shape, (float[])t.Data.Clone());

    /// <summary>The bits of every float, so NaN payloads and −0 count.</summary>
    public static int[] Bits(ReadOnlySpan<float> values) => values.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

    /// <summary>Everything a failed load must leave alone: parameters, buffers, and the optimizer's state, as bits.</summary>
    public static string Snapshot(INetwork network, IOptimizer optimizer)
    {
        OptimizerState state = optimizer.ExportState();
        var parts = new List<string>
        {
            "p:" + string.Join(",", Bits(network.Parameters)),
            "b:" + string.Join(",", Bits(network.Buffers)),
            $"kind:{state.Kind} step:{state.StepCount}",
        };
        foreach (KeyValuePair<string, float[]> buffer in state.Buffers.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            parts.Add(buffer.Key + ":" + string.Join(",", Bits(buffer.Value)));
        }

        return string.Join("\n", parts);
    }
}
