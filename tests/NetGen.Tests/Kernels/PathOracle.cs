using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// Runs one network on every kernel path (scalar reference, Vector256, Vector512) with the same parameters,
/// input, dropout seed and logits gradient, and checks that the vector paths agree with the scalar one:
/// the forward output, every activation the next layers read, and every parameter gradient.
/// </summary>
internal static class PathOracle
{
    /// <summary>Relative tolerance: the paths sum in different orders, nothing more.</summary>
    public const double Tolerance = 2e-4;

    public static void AssertPathsAgree(INetwork net, int seed = 1, bool training = true)
    {
        var rng = new Random(seed);
        var input = new float[net.InputSize];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        var logitsGradient = new float[net.OutputSize];
        for (int i = 0; i < logitsGradient.Length; i++)
        {
            logitsGradient[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        (float[] Output, float[] Logits, float[] Gradients) Run(KernelPath path)
        {
            net.KernelPath = path;
            var workspace = new float[net.WorkspaceSize];
            var gradients = new float[net.ParameterCount];
            net.Forward(input, workspace, training, dropoutSeed: 7);
            float[] logits = workspace.AsSpan(net.LogitsOffset, net.OutputSize).ToArray();
            net.Backward(input, workspace, logitsGradient, gradients);
            var output = new float[net.OutputSize];
            net.Predict(input, output);
            return (output, logits, gradients);
        }

        try
        {
            var reference = Run(KernelPath.Scalar);
            foreach (KernelPath path in new[] { KernelPath.Vector256, KernelPath.Vector512 })
            {
                var actual = Run(path);
                AssertClose(reference.Logits, actual.Logits, path, "logits", _ => "logits");
                AssertClose(reference.Output, actual.Output, path, "Predict output", _ => "output");
                AssertClose(reference.Gradients, actual.Gradients, path, "gradient", i => TensorName(net, i));
            }
        }
        finally
        {
            net.KernelPath = KernelPath.Auto;
        }
    }

    public static void AssertClose(float[] expected, float[] actual, KernelPath path, string what, Func<int, string> name)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (float v in expected)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            double bound = Tolerance * Math.Max(Math.Abs(expected[i]), 1e-2 * Math.Max(scale, 1e-3));
            Assert.True(
                error <= bound && float.IsFinite(actual[i]),
                $"{path} {what} of {name(i)} at {i}: scalar {expected[i]:R}, {path} {actual[i]:R} (error {error:E2} > {bound:E2})");
        }
    }

    public static string TensorName(INetwork net, int index)
    {
        foreach (LayerInfo layer in net.Layers)
        {
            foreach (TensorInfo t in layer.Tensors.Where(t => !t.IsBuffer))
            {
                if (index >= t.Offset && index < t.Offset + t.Length)
                {
                    return $"{t.Key}[{index - t.Offset}]";
                }
            }
        }

        return "?";
    }

    public static IEnumerable<KernelPath> VectorPaths => new[] { KernelPath.Vector256, KernelPath.Vector512 };
}
