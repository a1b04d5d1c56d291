using System;
using Xunit;

namespace NetGen.Tests.Training;

public class GradientClippingTests
{
    [Fact]
    public void NormAboveTheMaximum_IsScaledDown_HandComputed()
    {
        // ‖(3, 4)‖ = 5 > 1: factor 1/(5 + 1e-6) = 0.19999996 → (0.59999988, 0.79999984), like torch's clip_grad_norm_.
        float[] g = [3f, 4f];
        float norm = GradientClipping.ClipByGlobalNorm(g, 1f);
        Assert.Equal(5f, norm);
        Assert.Equal(3.0 / 5.000001, g[0], 3e-7);
        Assert.Equal(4.0 / 5.000001, g[1], 3e-7);
    }

    [Fact]
    public void NormAtOrBelowTheMaximum_IsLeftAlone()
    {
        float[] g = [3f, 4f];
        Assert.Equal(5f, GradientClipping.ClipByGlobalNorm(g, 5f));
        Assert.Equal([3f, 4f], g);
        Assert.Equal(5f, GradientClipping.ClipByGlobalNorm(g, float.PositiveInfinity));
        Assert.Equal([3f, 4f], g);
    }

    [Fact]
    public void LongBuffer_NormMatchesADoubleSumInEveryLane()
    {
        float[] g = OptimizerKinds.Random(1003, 9);
        double sum = 0;
        foreach (float x in g)
        {
            sum += (double)x * x;
        }

        double expected = Math.Sqrt(sum);
        float[] copy = (float[])g.Clone();
        float norm = GradientClipping.ClipByGlobalNorm(g, 2f);
        Assert.Equal(expected, norm, expected * 1e-6);
        float factor = (float)(2.0 / (expected + 1e-6));
        for (int i = 0; i < g.Length; i++)
        {
            Assert.Equal(copy[i] * factor, g[i], 1e-6f);
        }

        double after = 0;
        foreach (float x in g)
        {
            after += (double)x * x;
        }

        Assert.Equal(2.0, Math.Sqrt(after), 1e-5);
    }

    [Fact]
    public void Groups_MeasureAndScaleOnlyTheirRanges()
    {
        // Groups [0, 1) and [2, 3) hold 3 and 4: norm 5; the 100 between them is neither counted nor scaled.
        float[] g = [3f, 100f, 4f, -50f];
        float norm = GradientClipping.ClipByGlobalNorm(g, 2.5f, [new ParameterGroup(2, 1), new ParameterGroup(0, 1, 0.1f)]);
        Assert.Equal(5f, norm);
        Assert.Equal(3.0 * 2.5 / 5.000001, g[0], 1e-6);
        Assert.Equal(100f, g[1]);
        Assert.Equal(4.0 * 2.5 / 5.000001, g[2], 1e-6);
        Assert.Equal(-50f, g[3]);
    }

    [Fact]
    public void NonFiniteGradients_GiveANonFiniteNorm()
    {
        Assert.True(float.IsNaN(GradientClipping.ClipByGlobalNorm([1f, float.NaN], 1f)));
        Assert.True(float.IsPositiveInfinity(GradientClipping.ClipByGlobalNorm([1f, float.PositiveInfinity], 1f)));
    }

    [Fact]
    public void InvalidArguments_AreRejected()
    {
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new float[2], 0f)).ParamName);
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new float[2], -1f)).ParamName);
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new float[2], float.NaN)).ParamName);
        Assert.Equal("groups", Assert.Throws<ArgumentException>(() => GradientClipping.ClipByGlobalNorm(new float[2], 1f, [new ParameterGroup(1, 2)])).ParamName);
        Assert.Equal("groups", Assert.Throws<ArgumentException>(() => GradientClipping.ClipByGlobalNorm(new float[4], 1f, [new(0, 2), new(1, 2)])).ParamName);
    }
}
