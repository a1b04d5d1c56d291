using System;
using System.Linq;
using NetGen.Tests.Gradients;
using NetGen.Tests.Kernels;
using Xunit;

namespace NetGen.Tests.Layers;

/// <summary>
/// Dense and Conv2D with <c>Bias = false</c>: a padded convolution before BatchNorm, an unpadded one with a fused
/// activation, a Dense with one and a Dense with a bias last; 17 units and 9 columns give vector tails.
/// </summary>
[Network, Input(2, 7, 9)]
[Conv2D(4, 3, Padding = 1, Bias = false), BatchNorm, ReLU]
[Conv2D(3, 3, Bias = false), Tanh]
[Dense(17, Bias = false), ReLU]
[Dense(3)]
public partial class NoBiasNet;

/// <summary>The same network with every bias (which starts at zero).</summary>
[Network, Input(2, 7, 9)]
[Conv2D(4, 3, Padding = 1), BatchNorm, ReLU]
[Conv2D(3, 3), Tanh]
[Dense(17), ReLU]
[Dense(3)]
public partial class WithBiasNet;

/// <summary><see cref="NoBiasWide"/> with every bias, the oracle of the twin test.</summary>
[Network, Input(3, 8, 20)]
[Conv2D(8, 3), ReLU]
[Conv2D(4, 3, Padding = 1)]
[Dense(24), Sigmoid]
[Dense(5)]
public partial class WithBiasWide;

/// <summary>No BatchNorm, wide enough for Dense's full tiles of 8 rows and Conv2D's tiled backward with dx.</summary>
[Network, Input(3, 8, 20)]
[Conv2D(8, 3, Bias = false), ReLU]
[Conv2D(4, 3, Padding = 1, Bias = false)]
[Dense(24, Bias = false), Sigmoid]
[Dense(5, Bias = false)]
public partial class NoBiasWide;

/// <summary>
/// <c>Bias = false</c> (with BatchNorm, see the PyTorch reference case <c>no_bias</c>): the layers have no bias tensor, and they compute exactly what the same layers with a zero
/// bias compute (the twin network is the oracle), on every path, forward and backward; paths agree and the
/// gradients match finite differences.
/// </summary>
public sealed class NoBiasTests
{
    public static TheoryData<KernelPath> Paths => new() { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 };

    [Fact]
    public void The_layers_have_only_their_weights()
    {
        INetwork net = new NoBiasNet(1);
        Assert.Equal(new[] { "conv1.weight" }, net.Layers[0].Tensors.Select(t => t.Key));
        Assert.Equal(new[] { "dense1.weight" }, net.Layers.Single(l => l.Name == "dense1").Tensors.Select(t => t.Key));
        Assert.Equal(new[] { "dense2.weight", "dense2.bias" }, net.Layers.Single(l => l.Name == "dense2").Tensors.Select(t => t.Key));
        int withBias = ((INetwork)new WithBiasNet(1)).ParameterCount;
        Assert.Equal(withBias - 4 - 3 - 17, net.ParameterCount);
    }

    [Theory, MemberData(nameof(Paths))]
    public void Forward_and_backward_equal_the_same_layers_with_a_zero_bias(KernelPath path)
    {
        INetwork plain = new NoBiasWide(5) { KernelPath = path };
        INetwork twin = new WithBiasWide(9) { KernelPath = path };
        foreach (LayerInfo layer in plain.Layers)
        {
            LayerInfo other = twin.Layers.Single(l => l.Name == layer.Name);
            foreach (TensorInfo t in layer.Tensors)
            {
                TensorInfo o = other.Tensors.Single(x => x.Key == t.Key);
                plain.Parameters.Slice(t.Offset, t.Length).CopyTo(twin.Parameters.Slice(o.Offset, o.Length));
            }

            Assert.All(other.Tensors.Where(x => x.Key.EndsWith(".bias", StringComparison.Ordinal) && !layer.Tensors.Any(t => t.Key == x.Key)), b =>
                Assert.All(twin.Parameters.Slice(b.Offset, b.Length).ToArray(), v => Assert.Equal(0f, v)));
        }

        var rng = new Random(3);
        float[] input = Enumerable.Range(0, plain.InputSize).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
        float[] dLogits = Enumerable.Range(0, plain.OutputSize).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
        float[] wsA = new float[plain.WorkspaceSize], wsB = new float[twin.WorkspaceSize];
        float[] gA = new float[plain.ParameterCount], gB = new float[twin.ParameterCount];
        plain.Forward(input, wsA, training: false, dropoutSeed: 0);
        twin.Forward(input, wsB, training: false, dropoutSeed: 0);
        float[] yA = new float[plain.OutputSize], yB = new float[twin.OutputSize];
        plain.Predict(input, yA);
        twin.Predict(input, yB);
        Assert.Equal(yB, yA);

        plain.Backward(input, wsA, dLogits, gA);
        twin.Backward(input, wsB, dLogits, gB);
        foreach (LayerInfo layer in plain.Layers)
        {
            LayerInfo other = twin.Layers.Single(l => l.Name == layer.Name);
            foreach (TensorInfo t in layer.Tensors.Where(t => !t.IsBuffer))
            {
                TensorInfo o = other.Tensors.Single(x => x.Key == t.Key);
                float[] a = gA.AsSpan(t.Offset, t.Length).ToArray(), b = gB.AsSpan(o.Offset, o.Length).ToArray();
                for (int i = 0; i < a.Length; i++)
                {
                    Assert.True(Math.Abs(a[i] - b[i]) <= 1e-6f * (1 + Math.Abs(b[i])), $"{t.Key}[{i}] on {path}: {a[i]} without the bias, {b[i]} with a zero bias");
                }
            }
        }
    }

    [Fact]
    public void Vector_paths_agree_with_scalar()
    {
        FencedOracle.AssertPathsAgree(new NoBiasWide(3), seed: 12);
    }

    [Theory, MemberData(nameof(Paths))]
    public void Gradients_match_finite_differences(KernelPath path)
    {
        GradientCheck.Run(new NoBiasWide(1), new GradientCheckOptions { Path = path, Seed = 1 }).AssertPassed();
    }
}
