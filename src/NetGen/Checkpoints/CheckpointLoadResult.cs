using System.Collections.Generic;

namespace NetGen;

/// <summary>What <see cref="Checkpoint.Load"/> copied into the network, what it did not, and the file itself.</summary>
public sealed class CheckpointLoadResult
{
    internal CheckpointLoadResult(
        SafetensorsFile file, IReadOnlyList<string> loaded, IReadOnlyList<SkippedTensor> skipped, IReadOnlyList<string> missing)
    {
        File = file;
        Loaded = loaded;
        Skipped = skipped;
        Missing = missing;
    }

    /// <summary>Keys of the network tensors whose values were copied from the file, in layer order.</summary>
    public IReadOnlyList<string> Loaded { get; }

    /// <summary>
    /// Tensors not copied: network tensors whose dtype or shape in the file is wrong (in layer order), then file
    /// tensors the network does not have (in file order). Always empty after a strict load.
    /// </summary>
    public IReadOnlyList<SkippedTensor> Skipped { get; }

    /// <summary>Keys of network tensors absent from the file, which kept their values. Always empty after a strict load.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>True when every network tensor was loaded and nothing was skipped.</summary>
    public bool IsComplete => Skipped.Count == 0 && Missing.Count == 0;

    /// <summary>The file's metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata => File.Metadata;

    /// <summary>The file as read, for the tensors that are not the network's (optimizer state, <c>num_batches_tracked</c>).</summary>
    public SafetensorsFile File { get; }
}
