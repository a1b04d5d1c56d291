namespace NetGen.Reference;

/// <summary>
/// SplitMix64: the tool's own seeded generator for weights, inputs, labels and targets, so the files do not
/// depend on libtorch's generator (or its version) and every value can be regenerated bit for bit.
/// </summary>
internal sealed class SplitMix(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1), 24 bits (exact in float32).</summary>
    public float NextFloat() => (Next() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public float Uniform(float min, float max) => min + ((max - min) * NextFloat());

    /// <summary>Uniform in [0, <paramref name="count"/>).</summary>
    public int NextInt(int count) => (int)((Next() >> 33) % (ulong)count);
}
