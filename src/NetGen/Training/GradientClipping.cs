using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>Gradient clipping, like PyTorch's <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Measures the global L2 norm of <paramref name="gradients"/> (squares summed in double) and, when it exceeds
    /// <paramref name="maxNorm"/>, scales every gradient by <c>maxNorm / (norm + 1e-6)</c>.
    /// </summary>
    /// <param name="gradients">The gradient buffer, scaled in place.</param>
    /// <param name="maxNorm">The largest norm left unscaled, &gt; 0; <see cref="float.PositiveInfinity"/> measures without clipping.</param>
    /// <returns>The norm before clipping; infinite or NaN when a gradient is (then nothing is scaled when it is NaN), so a caller can skip the step.</returns>
    public static float ClipByGlobalNorm(Span<float> gradients, float maxNorm)
    {
        CheckMaxNorm(maxNorm);
        double norm = Math.Sqrt(SumOfSquares(gradients));
        if (norm > maxNorm)
        {
            Scale(gradients, (float)(maxNorm / (norm + 1e-6)));
        }

        return (float)norm;
    }

    /// <summary>
    /// Like <see cref="ClipByGlobalNorm(Span{float}, float)"/> over the elements inside <paramref name="groups"/>
    /// only: their joint norm is measured and only they are scaled (the groups' learning-rate scales play no part).
    /// </summary>
    /// <param name="gradients">The whole gradient buffer; elements outside the groups are neither read nor changed.</param>
    /// <param name="maxNorm">The largest norm left unscaled, &gt; 0; <see cref="float.PositiveInfinity"/> measures without clipping.</param>
    /// <param name="groups">Ranges inside [0, <paramref name="gradients"/>.Length) that do not overlap.</param>
    /// <returns>The norm of the groups' gradients before clipping.</returns>
    public static float ClipByGlobalNorm(Span<float> gradients, float maxNorm, ReadOnlySpan<ParameterGroup> groups)
    {
        CheckMaxNorm(maxNorm);
        OptimizerSupport.CheckGroups(groups, gradients.Length, nameof(groups));
        double sum = 0;
        foreach (ParameterGroup group in groups)
        {
            sum += SumOfSquares(gradients.Slice(group.Offset, group.Length));
        }

        double norm = Math.Sqrt(sum);
        if (norm > maxNorm)
        {
            float factor = (float)(maxNorm / (norm + 1e-6));
            foreach (ParameterGroup group in groups)
            {
                Scale(gradients.Slice(group.Offset, group.Length), factor);
            }
        }

        return (float)norm;
    }

    private static void CheckMaxNorm(float maxNorm)
    {
        if (!(maxNorm > 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be > 0 (positive infinity measures without clipping).");
        }
    }

    private static double SumOfSquares(ReadOnlySpan<float> values)
    {
        ref float x = ref MemoryMarshal.GetReference(values);
        int n = values.Length;
        int i = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            Vector<double> low = Vector<double>.Zero, high = Vector<double>.Zero;
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref x, (nuint)i), out Vector<double> a, out Vector<double> b);
                low += a * a;
                high += b * b;
            }

            sum = Vector.Sum(low + high);
        }

        for (; i < n; i++)
        {
            double xi = values[i];
            sum += xi * xi;
        }

        return sum;
    }

    private static void Scale(Span<float> values, float factor)
    {
        ref float x = ref MemoryMarshal.GetReference(values);
        int n = values.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> f = new(factor);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                (Vector.LoadUnsafe(ref x, (nuint)i) * f).StoreUnsafe(ref x, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            values[i] *= factor;
        }
    }
}
