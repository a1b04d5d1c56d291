namespace NetGen;

/// <summary><c>net.Save(path)</c> and <c>net.Load(path)</c>: a network's weights as a safetensors state dict.</summary>
public static class NetworkCheckpointExtensions
{
    /// <summary>Writes the network's parameters and buffers under their PyTorch keys (see <see cref="Checkpoint.Save"/>).</summary>
    /// <param name="network">The network.</param>
    /// <param name="path">The safetensors file; written to a temporary file and renamed.</param>
    public static void Save(this INetwork network, string path) => Checkpoint.Save(network, path);

    /// <summary>Loads weights saved by <see cref="Save"/>, by PyTorch or by any tool that writes safetensors (see <see cref="Checkpoint.Load"/>).</summary>
    /// <param name="network">The network.</param>
    /// <param name="path">The safetensors file.</param>
    /// <param name="strict">True: every tensor must match, or nothing is loaded and the error lists every mismatch.</param>
    /// <returns>What was loaded, skipped and missing.</returns>
    public static CheckpointLoadResult Load(this INetwork network, string path, bool strict = true) => Checkpoint.Load(network, path, strict);
}
