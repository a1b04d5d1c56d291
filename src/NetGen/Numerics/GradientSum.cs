using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen;

/// <summary>
/// The one runtime helper generated backward passes call: where a value feeds several layers, a reader whose
/// kernel cannot add its share of the value's gradient writes it to a staging slot, and this adds the slot into
/// the gradient. Element-wise addition, so every vector width gives the scalar loop's bits.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GradientSum
{
    /// <summary><paramref name="sum"/>[i] += <paramref name="share"/>[i] for every i; the spans have one length.</summary>
    public static void AddInto(ReadOnlySpan<float> share, Span<float> sum)
    {
        if (share.Length != sum.Length)
        {
            throw new ArgumentException("The share has " + share.Length + " floats and the gradient " + sum.Length + "; they must match.", nameof(share));
        }

        ref float s = ref MemoryMarshal.GetReference(share);
        ref float d = ref MemoryMarshal.GetReference(sum);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= share.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256.StoreUnsafe(Vector256.LoadUnsafe(ref d, (nuint)i) + Vector256.LoadUnsafe(ref s, (nuint)i), ref d, (nuint)i);
            }
        }

        for (; i < share.Length; i++)
        {
            sum[i] += share[i];
        }
    }
}
