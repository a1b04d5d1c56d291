using System;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="PathOracle"/> with fences: each vector path runs on an input followed by NaNs, a workspace
/// filled with NaNs (so every slot's slack is NaN), and a gradient buffer with NaNs on both sides. A kernel that
/// reads past its input span, or uses a value of a slot's slack without masking it off, turns a result into
/// NaN; a kernel that writes outside the gradient buffer changes a fence. Results must still agree with the
/// (unfenced) scalar path to <see cref="PathOracle.Tolerance"/>.
/// </summary>
internal static class FencedOracle
{
    private const int Fence = 64;

    /// <summary>Runs <see cref="PathOracle"/>, then the fenced comparison on <paramref name="input"/> (default: random from <paramref name="seed"/>).</summary>
    public static void AssertPathsAgree(INetwork net, int seed = 1, bool training = true, float[]? input = null)
    {
        PathOracle.AssertPathsAgree(net, seed, training);

        var rng = new Random(seed);
        if (input is null)
        {
            input = new float[net.InputSize];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = (float)((rng.NextDouble() * 2) - 1);
            }
        }

        var logitsGradient = new float[net.OutputSize];
        for (int i = 0; i < logitsGradient.Length; i++)
        {
            logitsGradient[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        (float[] Logits, float[] Gradients) Run(KernelPath path, bool fenced)
        {
            net.KernelPath = path;
            float[] inputBuffer = Filled(input.Length + Fence, fenced ? float.NaN : 0f);
            input.CopyTo(inputBuffer, 0);
            float[] workspace = Filled(net.WorkspaceSize, fenced ? float.NaN : 0f);
            float[] gradientBuffer = Filled(net.ParameterCount + (2 * Fence), fenced ? float.NaN : 0f);
            gradientBuffer.AsSpan(Fence, net.ParameterCount).Clear();
            float[] logitsBuffer = Filled(logitsGradient.Length + Fence, fenced ? float.NaN : 0f);
            logitsGradient.CopyTo(logitsBuffer, 0);

            ReadOnlySpan<float> x = inputBuffer.AsSpan(0, input.Length);
            net.Forward(x, workspace, training, dropoutSeed: 11);
            float[] logits = workspace.AsSpan(net.LogitsOffset, net.OutputSize).ToArray();
            net.Backward(x, workspace, logitsBuffer.AsSpan(0, logitsGradient.Length), gradientBuffer.AsSpan(Fence, net.ParameterCount));
            for (int i = 0; fenced && i < Fence; i++)
            {
                Assert.True(float.IsNaN(gradientBuffer[i]) && float.IsNaN(gradientBuffer[Fence + net.ParameterCount + i]), $"{path} wrote outside the gradient buffer");
            }

            return (logits, gradientBuffer.AsSpan(Fence, net.ParameterCount).ToArray());
        }

        try
        {
            var reference = Run(KernelPath.Scalar, fenced: false);
            foreach (KernelPath path in PathOracle.VectorPaths)
            {
                var actual = Run(path, fenced: true);
                AssertClose(reference.Logits, actual.Logits, path + " fenced logits");
                AssertClose(reference.Gradients, actual.Gradients, path + " fenced gradients");
            }
        }
        finally
        {
            net.KernelPath = KernelPath.Auto;
        }
    }

    private static float[] Filled(int length, float value)
    {
        var values = new float[length];
        values.AsSpan().Fill(value);
        return values;
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        double scale = 1e-3;
        foreach (float v in expected)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        for (int i = 0; i < expected.Length; i++)
        {
            double bound = PathOracle.Tolerance * Math.Max(Math.Abs(expected[i]), 1e-2 * scale);
            Assert.True(
                float.IsFinite(actual[i]) && Math.Abs(expected[i] - actual[i]) <= bound,
                $"{what} at {i}: scalar {expected[i]:R}, vector {actual[i]:R}");
        }
    }
}
