using System;

namespace NetGen.Tests.Fuzzing;

/// <summary>What one draw of a mutator does: one of the format-blind damages, or the mutator's own.</summary>
internal enum Damage
{
    /// <summary>The mutator's own, format-aware damage (its header, its digits, its length prefix).</summary>
    Own,

    /// <summary>One bit of the byte at the chosen position flipped.</summary>
    FlipBit,

    /// <summary>The byte at the chosen position replaced by a random one.</summary>
    ReplaceByte,

    /// <summary>The file cut to a random shorter length (possibly empty).</summary>
    Truncate,

    /// <summary>Zero bytes appended (at least one).</summary>
    Extend,
}

/// <summary>
/// The format-blind damage every mutator of the tests does (the IDX and safetensors mutation tests, the older
/// safetensors fuzz test, and NetGen.Generators.Tests through the linked SafetensorsMutator), in one place. Each
/// mutator lists what its draws do in a menu of <see cref="Damage"/>; what it does to its own format stays with it.
/// </summary>
internal static class ByteDamage
{
    /// <summary>
    /// Does <paramref name="damage"/> to <paramref name="bytes"/> at <paramref name="at"/> (an extension appends 1 to
    /// <paramref name="mostAppended"/> bytes) and returns true; false, changing nothing, for <see cref="Damage.Own"/>.
    /// Draws from <paramref name="rng"/> exactly what the mutators always did, so their seeds give the same cases.
    /// </summary>
    public static bool Apply(Damage damage, ref byte[] bytes, int at, int mostAppended, ref Rng rng)
    {
        switch (damage)
        {
            case Damage.FlipBit:
                bytes[at] ^= (byte)(1 << rng.NextInt(8));
                return true;
            case Damage.ReplaceByte:
                bytes[at] = (byte)rng.NextInt(256);
                return true;
            case Damage.Truncate:
                Array.Resize(ref bytes, rng.NextInt(bytes.Length));
                return true;
            case Damage.Extend:
                Array.Resize(ref bytes, bytes.Length + 1 + rng.NextInt(mostAppended));
                return true;
            default:
                return false;
        }
    }
}
