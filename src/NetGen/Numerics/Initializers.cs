using System;

namespace NetGen;

/// <summary>Weight initializers called by generated constructors.</summary>
public static class Initializers
{
    /// <summary>He (Kaiming) normal: N(0, 2 / fanIn). For weights feeding a ReLU.</summary>
    public static void HeNormal(Span<float> weights, int fanIn, ref Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        float std = MathF.Sqrt(2f / fanIn);
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = std * rng.NextGaussian();
        }
    }

    /// <summary>Glorot (Xavier) uniform: U(−a, a) with a = sqrt(6 / (fanIn + fanOut)). For every other weight.</summary>
    public static void GlorotUniform(Span<float> weights, int fanIn, int fanOut, ref Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn + fanOut);
        float limit = MathF.Sqrt(6f / (fanIn + fanOut));
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = ((2f * rng.NextFloat()) - 1f) * limit;
        }
    }

    /// <summary>U(−1/√hidden, 1/√hidden): PyTorch's initialisation of every weight and bias of its recurrent layers.</summary>
    public static void RecurrentUniform(Span<float> weights, int hidden, ref Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden);
        float limit = 1f / MathF.Sqrt(hidden);
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = ((2f * rng.NextFloat()) - 1f) * limit;
        }
    }

    /// <summary>N(0, 1), PyTorch's Embedding; the first <paramref name="zeroLeading"/> floats (the padding row of id 0) are zero.</summary>
    public static void StandardNormal(Span<float> weights, int zeroLeading, ref Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(zeroLeading);
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = rng.NextGaussian();
        }

        weights[..Math.Min(zeroLeading, weights.Length)].Clear();
    }
}
