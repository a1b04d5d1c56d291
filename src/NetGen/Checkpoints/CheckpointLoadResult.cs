using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NetGen;

/// <summary>What <see cref="Checkpoint.Load"/> copied into the network, what it did not, and the file itself.</summary>
public sealed class CheckpointLoadResult
{
    /// <summary>How many keys <see cref="ToString"/> lists of the skipped and of the missing tensors before "… and N more".</summary>
    public const int ListedKeys = 5;

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

    /// <summary>
    /// What was loaded, skipped and missing, on one line: the counts, and the keys of the skipped (with why) and
    /// missing tensors, at most <see cref="ListedKeys"/> of each, e.g.
    /// <c>loaded 10 tensors; skipped 1: dense3.weight (shape [10, 84] expected, file has [5, 84]); missing 0</c>.
    /// </summary>
    public override string ToString()
    {
        string loaded = Loaded.Count == 1 ? "loaded 1 tensor" : string.Create(CultureInfo.InvariantCulture, $"loaded {Loaded.Count} tensors");
        return $"{loaded}; skipped {List(Skipped.Select(s => $"{s.Key} ({s.Reason})").ToList())}; missing {List(Missing)}";
    }

    private static string List(IReadOnlyList<string> items)
    {
        string count = items.Count.ToString(CultureInfo.InvariantCulture);
        if (items.Count == 0)
        {
            return count;
        }

        string listed = string.Join(", ", items.Take(ListedKeys));
        return items.Count > ListedKeys
            ? string.Create(CultureInfo.InvariantCulture, $"{count}: {listed}, … and {items.Count - ListedKeys} more")
            : $"{count}: {listed}";
    }
}
