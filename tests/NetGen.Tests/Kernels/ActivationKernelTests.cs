using System;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>Unfused ReLU / sigmoid / tanh vector kernels agree with the scalar path.</summary>
public class ActivationKernelTests
{
    [Fact]
    public void SigmoidAfterPool() => FencedOracle.AssertPathsAgree(new ActivationSigmoidAfterPool(seed: 1), seed: 41);

    [Fact]
    public void TanhAfterPool() => FencedOracle.AssertPathsAgree(new ActivationTanhAfterPool(seed: 2), seed: 42);

    [Fact]
    public void ReluAfterPool() => FencedOracle.AssertPathsAgree(new ActivationReluAfterPool(seed: 3), seed: 43);

    [Fact]
    public void AfterDropout_Training() => FencedOracle.AssertPathsAgree(new ActivationAfterDropout(seed: 4), seed: 44, training: true);

    [Fact]
    public void AfterDropout_Evaluation() => FencedOracle.AssertPathsAgree(new ActivationAfterDropout(seed: 4), seed: 44, training: false);

    [Fact]
    public void TanhOn8() => FencedOracle.AssertPathsAgree(new ActivationTanhOn8(seed: 5), seed: 45);

    [Fact]
    public void ActivationsFirst() => FencedOracle.AssertPathsAgree(new ActivationFirst(seed: 6), seed: 46);

    /// <summary>Large weights push the tanh inputs to ±10 and beyond, where the vector tanh saturates to ±1.</summary>
    [Fact]
    public void TanhSaturates()
    {
        var net = new ActivationTanhWide(seed: 7);
        Span<float> p = net.Parameters;
        for (int i = 0; i < 1600; i++)
        {
            p[i] *= 40f;
        }

        FencedOracle.AssertPathsAgree(net, seed: 47);
    }

    /// <summary>The vector tanh agrees with MathF.Tanh over the whole range, near zero included (relative error).</summary>
    [Fact]
    public void VectorTanhMatchesMathF()
    {
        var net = new ActivationFirst(seed: 8);
        var input = new float[37];
        foreach (float scale in new[] { 1e-6f, 1e-3f, 0.05f, 0.2f, 1f, 5f, 30f })
        {
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = scale * ((i - 18) / 18f);
            }

            var expected = new float[3];
            var actual = new float[3];
            net.KernelPath = KernelPath.Scalar;
            net.Predict(input, expected);
            foreach (KernelPath path in PathOracle.VectorPaths)
            {
                net.KernelPath = path;
                net.Predict(input, actual);
                for (int i = 0; i < 3; i++)
                {
                    Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1e-3, Math.Abs(expected[i])), $"{path} scale {scale}: {expected[i]} vs {actual[i]}");
                }
            }
        }
    }
}
