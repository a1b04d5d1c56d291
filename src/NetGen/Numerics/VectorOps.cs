using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetGen;

/// <summary>
/// Dot products and multiply-adds over spans on one vector width, for generated kernels whose inner loops are
/// short runs along a row (the recurrent layers): each path calls its own width, so the kernel path a network runs
/// is the one it asked for. The spans of a call have the same length; the last values that fill no vector are done
/// one at a time.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class VectorOps
{
    /// <summary>Σ a[i]·b[i] on Vector256: two accumulators, summed across lanes at the end.</summary>
    public static float Dot256(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        SameLength(a.Length, b.Length);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        int n = a.Length, i = 0;
        Vector256<float> s0 = Vector256<float>.Zero, s1 = Vector256<float>.Zero;
        for (; i + 16 <= n; i += 16)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ar, (nuint)(i + 8)), Vector256.LoadUnsafe(ref br, (nuint)(i + 8)), s1);
        }

        for (; i + 8 <= n; i += 8)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ar, (nuint)i), Vector256.LoadUnsafe(ref br, (nuint)i), s0);
        }

        float sum = Vector256.Sum(s0 + s1);
        for (; i < n; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>Σ a[i]·b[i] on Vector512 (then one Vector256 and single values for what is left).</summary>
    public static float Dot512(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        SameLength(a.Length, b.Length);
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        int n = a.Length, i = 0;
        Vector512<float> s0 = Vector512<float>.Zero, s1 = Vector512<float>.Zero;
        for (; i + 32 <= n; i += 32)
        {
            s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref ar, (nuint)i), Vector512.LoadUnsafe(ref br, (nuint)i), s0);
            s1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref ar, (nuint)(i + 16)), Vector512.LoadUnsafe(ref br, (nuint)(i + 16)), s1);
        }

        for (; i + 16 <= n; i += 16)
        {
            s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref ar, (nuint)i), Vector512.LoadUnsafe(ref br, (nuint)i), s0);
        }

        float sum = Vector512.Sum(s0 + s1);
        if (i + 8 <= n)
        {
            sum += Vector256.Sum(Vector256.LoadUnsafe(ref ar, (nuint)i) * Vector256.LoadUnsafe(ref br, (nuint)i));
            i += 8;
        }

        for (; i < n; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>y[i] += alpha·x[i] on Vector256.</summary>
    public static void MultiplyAdd256(ReadOnlySpan<float> x, float alpha, Span<float> y)
    {
        SameLength(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        var a = Vector256.Create(alpha);
        for (; i + 8 <= n; i += 8)
        {
            Vector256.StoreUnsafe(Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)i), a, Vector256.LoadUnsafe(ref yr, (nuint)i)), ref yr, (nuint)i);
        }

        for (; i < n; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    /// <summary>y[i] += alpha·x[i] on Vector512 (then one Vector256 and single values).</summary>
    public static void MultiplyAdd512(ReadOnlySpan<float> x, float alpha, Span<float> y)
    {
        SameLength(x.Length, y.Length);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        var a = Vector512.Create(alpha);
        for (; i + 16 <= n; i += 16)
        {
            Vector512.StoreUnsafe(Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, (nuint)i), a, Vector512.LoadUnsafe(ref yr, (nuint)i)), ref yr, (nuint)i);
        }

        if (i + 8 <= n)
        {
            Vector256.StoreUnsafe(Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.Create(alpha), Vector256.LoadUnsafe(ref yr, (nuint)i)), ref yr, (nuint)i);
            i += 8;
        }

        for (; i < n; i++)
        {
            y[i] += alpha * x[i];
        }
    }

    private static void SameLength(int a, int b)
    {
        if (a != b)
        {
            throw new ArgumentException($"The spans must have one length; they have {a} and {b}.");
        }
    }
}
