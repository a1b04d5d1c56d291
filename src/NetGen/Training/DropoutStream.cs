namespace NetGen;

/// <summary>
/// The dropout seeds of a training run, one place for the CPU and the GPU trainer: an epoch's dropout seed is its
/// shuffling seed mixed with a fixed stream constant, so the two never coincide; sample <c>i</c> of a batch then runs
/// with <c>Rng.Mix(dropoutSeed, i)</c> (the CPU's generator) or hashes it on the device.
/// </summary>
internal static class DropoutStream
{
    /// <summary>Separates the dropout seeds from the shuffling seeds of an epoch.</summary>
    private const ulong Stream = 0xD5_0F_0A_75_EE_D5_0F_0AUL;

    /// <summary>The dropout seed of the epoch whose shuffling seed is <paramref name="epochSeed"/>.</summary>
    /// <param name="epochSeed"><c>Rng.Mix(seed, epoch)</c>.</param>
    /// <returns>The seed the epoch's batches run their dropout masks from.</returns>
    public static ulong ForEpoch(ulong epochSeed) => Rng.Mix(epochSeed, Stream);
}
