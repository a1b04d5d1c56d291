using System;
using NetGen.Tests.Gradients;
using NetGen.Tests.Kernels;
using Xunit;

namespace NetGen.Tests.Layers;

/// <summary>GELU alone over 37 values (vector bodies and a tail on every width).</summary>
[Network, Input(37)]
[GELU]
public partial class GeluOnly;

/// <summary>GELU after a convolution, after a pool and after a Dense: none of them fuses it (its derivative is read from x).</summary>
[Network, Input(2, 9, 9)]
[Conv2D(4, 3), GELU]
[MaxPool2D(2), GELU]
[Dense(19), GELU]
[Dense(3)]
public partial class GeluNet;

/// <summary>GELU (tanh approximation): the closed form in double on every path, the paths against each other, the gradients against finite differences.</summary>
public sealed class GELUTests
{
    public static TheoryData<KernelPath> Paths => new() { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 };

    /// <summary>PyTorch's formula as written, in double: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    private static double Gelu(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + (0.044715 * x * x * x))));

    [Theory, MemberData(nameof(Paths))]
    public void Output_is_the_tanh_approximation(KernelPath path)
    {
        var net = new GeluOnly(1) { KernelPath = path };
        float[] input = new float[37];
        var rng = new Random(5);
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)((rng.NextDouble() * 10) - 5);
        }

        input[0] = 0f;
        input[1] = -12f;
        input[2] = 12f;
        input[3] = 1e-3f;
        float[] output = new float[37];
        net.Predict(input, output);
        for (int i = 0; i < input.Length; i++)
        {
            double expected = Gelu(input[i]);
            Assert.True(Math.Abs(output[i] - expected) <= 1e-6 + (2e-6 * Math.Abs(expected)), $"GELU({input[i]}) = {output[i]} on {path}, expected {expected}");
        }
    }

    [Fact]
    public void Vector_paths_agree_with_scalar() => FencedOracle.AssertPathsAgree(new GeluNet(3), seed: 11);

    [Theory, MemberData(nameof(Paths))]
    public void Gradients_match_finite_differences(KernelPath path)
    {
        for (int seed = 1; seed <= 2; seed++)
        {
            GradientCheck.Run(new GeluNet(seed), new GradientCheckOptions { Path = path, Seed = (ulong)seed }).AssertPassed();
        }
    }

    [Fact]
    public void The_layer_reads_as_written_in_the_layer_table()
    {
        LayerInfo layer = ((INetwork)new GeluNet(1)).Layers[1];
        Assert.Equal("gelu1", layer.Name);
        Assert.Equal("GELU", layer.Kind);
        Assert.Empty(layer.Tensors);
    }
}
