using System;
using NetGen.Tests.Gradients;
using NetGen.Tests.Kernels;
using Xunit;

namespace NetGen.Tests.Layers;

// Planes of 49 (LeNet-sized: six Vector256 and a masked tail, three Vector512 and a tail), 16 (exactly one
// Vector512, two Vector256), 20 (a Vector512 path of one vector of 16 and a masked tail) and 6 (below a vector:
// the scalar kernel on every path).

/// <summary>GlobalAvgPool2D alone: the output is each channel's mean, so the test's own loop is the oracle.</summary>
[Network, Input(3, 5, 7)]
[GlobalAvgPool2D]
public partial class GapOnly;

/// <summary>GlobalAvgPool2D on 7×7 planes after a convolution, before a Dense head (ResNet's head).</summary>
[Network, Input(2, 9, 9)]
[Conv2D(4, 3), ReLU]
[GlobalAvgPool2D, Dense(3)]
public partial class GapHead7;

/// <summary>4×4 planes.</summary>
[Network, Input(3, 6, 6)]
[Conv2D(5, 3)]
[GlobalAvgPool2D(Name = "pool"), Dense(2)]
public partial class GapHead4;

/// <summary>4×5 planes, 20 values.</summary>
[Network, Input(1, 6, 7)]
[Conv2D(3, 3), Tanh]
[GlobalAvgPool2D, Dense(2)]
public partial class GapHead4x5;

/// <summary>2×3 planes: fewer than a vector.</summary>
[Network, Input(2, 4, 5)]
[Conv2D(3, 3)]
[GlobalAvgPool2D, Dense(2)]
public partial class GapHeadSmall;

/// <summary>GlobalAvgPool2D: [C, H, W] → [C] means, checked against a plain loop, across kernel paths and by finite differences.</summary>
public sealed class GlobalAvgPool2DTests
{
    public static TheoryData<KernelPath> Paths => new() { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 };

    public static TheoryData<string> Networks => new() { nameof(GapHead7), nameof(GapHead4), nameof(GapHead4x5), nameof(GapHeadSmall) };

    private static INetwork Create(string name, int seed) => name switch
    {
        nameof(GapHead7) => new GapHead7(seed),
        nameof(GapHead4) => new GapHead4(seed),
        nameof(GapHead4x5) => new GapHead4x5(seed),
        nameof(GapHeadSmall) => new GapHeadSmall(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown test network"),
    };

    [Theory, MemberData(nameof(Paths))]
    public void Each_output_is_the_mean_of_its_channel(KernelPath path)
    {
        var net = new GapOnly(seed: 1) { KernelPath = path };
        var rng = new Random(7);
        float[] input = new float[3 * 5 * 7];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)((rng.NextDouble() * 4) - 2);
        }

        float[] output = new float[3];
        net.Predict(input, output);
        for (int c = 0; c < 3; c++)
        {
            double sum = 0;
            for (int i = 0; i < 35; i++)
            {
                sum += input[(c * 35) + i];
            }

            Assert.Equal(sum / 35, output[c], 5e-6);
        }
    }

    [Fact]
    public void The_layer_reads_as_written_in_the_layer_table()
    {
        LayerInfo pool = ((INetwork)new GapHead4(1)).Layers[1];
        Assert.Equal("pool", pool.Name);
        Assert.Equal("GlobalAvgPool2D", pool.Kind);
        Assert.Equal(new[] { 5, 4, 4 }, pool.InputShape);
        Assert.Equal(new[] { 5 }, pool.OutputShape);
        Assert.Empty(pool.Tensors);
    }

    [Theory, MemberData(nameof(Networks))]
    public void Vector_paths_agree_with_scalar(string network) => FencedOracle.AssertPathsAgree(Create(network, 3), seed: 17);

    [Theory, MemberData(nameof(Paths))]
    public void Gradients_match_finite_differences(KernelPath path)
    {
        foreach (string network in new[] { nameof(GapHead7), nameof(GapHead4x5), nameof(GapHeadSmall) })
        {
            for (int seed = 1; seed <= 2; seed++)
            {
                GradientCheck.Run(Create(network, seed), new GradientCheckOptions { Path = path, Seed = (ulong)seed }).AssertPassed();
            }
        }
    }
}
