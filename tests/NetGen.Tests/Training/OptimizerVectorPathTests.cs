using System;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>
/// The vectorised body and the scalar tail must compute every element with the same operations, so the result
/// cannot depend on the buffer's length, the element's lane or its alignment.
/// </summary>
public class OptimizerVectorPathTests
{
    private const int N = 1003; // many vectors of any width plus a scalar tail

    public static TheoryData<string> Kinds => OptimizerKinds.All;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void VectorBody_MatchesThePurelyScalarPathBitForBit(string kind)
    {
        IOptimizer vectorised = OptimizerKinds.Create(kind);
        IOptimizer scalar = OptimizerKinds.Create(kind);
        IOptimizer shifted = OptimizerKinds.Create(kind);
        var singles = new ParameterGroup[N];
        for (int i = 0; i < N; i++)
        {
            singles[i] = new ParameterGroup(i, 1); // one element per group: only the scalar tail runs
        }

        ParameterGroup[] misaligned = [new(0, 1), new(1, N - 1)];
        float[] a = OptimizerKinds.Random(N, 7);
        float[] b = (float[])a.Clone();
        float[] c = (float[])a.Clone();
        for (int step = 0; step < 4; step++)
        {
            float[] g = OptimizerKinds.Random(N, 100 + (ulong)step);
            vectorised.Step(a, g);
            scalar.Step(b, g, singles);
            shifted.Step(c, g, misaligned);
        }

        OptimizerKinds.AssertBitIdentical(b, a, "vector body vs scalar path");
        OptimizerKinds.AssertBitIdentical(b, c, "misaligned vector body vs scalar path");
        foreach ((string name, float[] buffer) in scalar.ExportState().Buffers)
        {
            OptimizerKinds.AssertBitIdentical(buffer, vectorised.ExportState().Buffers[name], name);
        }
    }

    [Theory]
    [InlineData(0f, 0f)]
    [InlineData(0.9f, 0f)]
    [InlineData(0f, 0.01f)]
    [InlineData(0.8f, 0.05f)]
    public void Sgd_KeepsThePreviousArithmeticBitForBit(float momentum, float weightDecay)
    {
        // The float operations of the implementation before Nesterov and groups existed, element by element:
        // g' = g + wd·θ (when wd ≠ 0); v = g' on the first step, else μ·v + g'; θ −= lr·v (θ −= lr·g' without momentum).
        const float lr = 0.05f;
        float[] theta = OptimizerKinds.Random(N, 11);
        float[] expected = (float[])theta.Clone();
        float[] velocity = new float[N];
        var sgd = new Sgd(lr, momentum, weightDecay);
        for (int step = 0; step < 3; step++)
        {
            float[] g = OptimizerKinds.Random(N, 200 + (ulong)step);
            for (int i = 0; i < N; i++)
            {
                float gi = g[i];
                if (weightDecay != 0f)
                {
                    gi += weightDecay * expected[i];
                }

                if (momentum == 0f)
                {
                    expected[i] -= lr * gi;
                }
                else
                {
                    velocity[i] = step == 0 ? gi : (momentum * velocity[i]) + gi;
                    expected[i] -= lr * velocity[i];
                }
            }

            sgd.Step(theta, g);
        }

        OptimizerKinds.AssertBitIdentical(expected, theta, "SGD");
    }

    [Theory]
    [InlineData(false, 0f)]
    [InlineData(false, 0.1f)]
    [InlineData(true, 0.1f)]
    public void Adam_MatchesADoublePrecisionReferenceInEveryLane(bool decoupled, float weightDecay)
    {
        const float lr = 0.01f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
        IOptimizer optimizer = decoupled
            ? new AdamW(lr, beta1, beta2, eps, weightDecay)
            : new Adam(lr, beta1, beta2, eps, weightDecay);
        float[] theta = OptimizerKinds.Random(N, 13);
        double[] expected = Array.ConvertAll(theta, x => (double)x);
        double[] m = new double[N], v = new double[N];
        for (int t = 1; t <= 4; t++)
        {
            float[] g = OptimizerKinds.Random(N, 300 + (ulong)t);
            for (int i = 0; i < N; i++)
            {
                double gi = g[i];
                if (decoupled)
                {
                    expected[i] -= lr * weightDecay * expected[i];
                }
                else
                {
                    gi += weightDecay * expected[i];
                }

                m[i] = (beta1 * m[i]) + ((1 - (double)beta1) * gi);
                v[i] = (beta2 * v[i]) + ((1 - (double)beta2) * gi * gi);
                double mHat = m[i] / (1 - Math.Pow(beta1, t));
                double vHat = v[i] / (1 - Math.Pow(beta2, t));
                expected[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }

            optimizer.Step(theta, g);
        }

        for (int i = 0; i < N; i++)
        {
            Assert.True(Math.Abs(expected[i] - theta[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {theta[i]}");
        }
    }
}
