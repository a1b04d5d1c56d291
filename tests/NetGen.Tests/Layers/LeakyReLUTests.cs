using System;
using NetGen.Tests.Gradients;
using NetGen.Tests.Kernels;
using Xunit;

namespace NetGen.Tests.Layers;

/// <summary>LeakyReLU alone, PyTorch's default slope, over 37 values (vector bodies and a tail on every width).</summary>
[Network, Input(37)]
[LeakyReLU]
public partial class LeakyOnly;

/// <summary>LeakyReLU alone, slope 0.3.</summary>
[Network, Input(37)]
[LeakyReLU(0.3)]
public partial class LeakyOnlySteep;

/// <summary>Fused into a Dense's registers (vector paths) and after a pool (its own kernels), slope 0.2 and 0.05.</summary>
[Network, Input(2, 9, 9)]
[Conv2D(4, 3), LeakyReLU(0.2)]
[MaxPool2D(2), LeakyReLU(0.05)]
[Dense(19), LeakyReLU(0.2)]
[Dense(3)]
public partial class LeakyNet;

/// <summary>LeakyReLU: the closed form on every path, the paths against each other and the gradients against finite differences.</summary>
public sealed class LeakyReLUTests
{
    public static TheoryData<KernelPath> Paths => new() { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 };

    [Theory, MemberData(nameof(Paths))]
    public void Output_is_x_above_zero_and_slope_times_x_below(KernelPath path)
    {
        foreach ((INetwork net, float slope) in new (INetwork, float)[] { (new LeakyOnly(1), 0.01f), (new LeakyOnlySteep(1), 0.3f) })
        {
            net.KernelPath = path;
            float[] input = new float[37];
            var rng = new Random(5);
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = (float)((rng.NextDouble() * 6) - 3);
            }

            input[0] = 0f;
            input[1] = -0f;
            input[2] = float.NaN;
            input[3] = float.NegativeInfinity;
            float[] output = new float[37];
            net.Predict(input, output);
            for (int i = 0; i < input.Length; i++)
            {
                float x = input[i];
                float expected = float.IsNaN(x) ? float.NaN : x > 0 ? x : slope * x;
                Assert.Equal(expected, output[i]);
            }
        }
    }

    [Fact]
    public void Vector_paths_agree_with_scalar() => FencedOracle.AssertPathsAgree(new LeakyNet(3), seed: 11);

    [Theory, MemberData(nameof(Paths))]
    public void Gradients_match_finite_differences(KernelPath path)
    {
        for (int seed = 1; seed <= 2; seed++)
        {
            GradientCheck.Run(new LeakyNet(seed), new GradientCheckOptions { Path = path, Seed = (ulong)seed }).AssertPassed();
        }
    }

    [Fact]
    public void The_layer_reads_as_written_in_the_layer_table()
    {
        LayerInfo layer = ((INetwork)new LeakyNet(1)).Layers[1];
        Assert.Equal("leakyrelu1", layer.Name);
        Assert.Equal("LeakyReLU", layer.Kind);
        Assert.Empty(layer.Tensors);
    }
}
