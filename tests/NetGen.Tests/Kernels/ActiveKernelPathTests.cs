using System;
using System.Linq;
using System.Runtime.Intrinsics;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>A dense layer wide enough that the scalar and vector kernels sum in different orders (and round differently).</summary>
[Network, Input(100)]
[Dense(37), Tanh]
[Dense(11)]
public partial class ActivePathNet;

/// <summary>Sizes worked out by hand: input 3·8·8 = 192; conv 4·3·3·3 + 4 = 112 parameters, output 4·6·6 = 144; dense 144·5 + 5 = 725.</summary>
[Network, Input(3, 8, 8)]
[Conv2D(4, 3), ReLU]
[Flatten, Dense(5), Softmax]
public partial class SizesNet;

/// <summary>
/// What an instance tells about itself: <see cref="INetwork.ActiveKernelPath"/> is the path that runs (Auto resolved
/// as the hardware allows, judged here from <see cref="Vector512.IsHardwareAccelerated"/> and
/// <see cref="Vector256.IsHardwareAccelerated"/>, not from NetGen's own resolution), and the sizes are reachable from
/// an instance of the generated class (<c>net.Sizes</c>), not only through <see cref="INetwork"/>.
/// </summary>
public sealed class ActiveKernelPathTests
{
    private static KernelPath WidestAccelerated =>
        Vector512.IsHardwareAccelerated ? KernelPath.Vector512
        : Vector256.IsHardwareAccelerated ? KernelPath.Vector256
        : KernelPath.Scalar;

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void ForcedPath_IsTheActivePath(KernelPath path)
    {
        var net = new ActivePathNet(seed: 1) { KernelPath = path };
        Assert.Equal(path, net.KernelPath);
        Assert.Equal(path, net.ActiveKernelPath);
        Assert.Equal(path, ((INetwork)net).ActiveKernelPath);
    }

    [Fact]
    public void Auto_IsTheWidestPathTheHardwareAccelerates()
    {
        var net = new ActivePathNet(seed: 1);
        Assert.Equal(KernelPath.Auto, net.KernelPath);
        Assert.Equal(WidestAccelerated, net.ActiveKernelPath);
        Assert.Equal(WidestAccelerated, ((INetwork)net).ActiveKernelPath);
        Assert.NotEqual(KernelPath.Auto, net.ActiveKernelPath);
    }

    /// <summary>Auto's outputs are bit for bit those of the path it reports, and the paths are told apart by their rounding.</summary>
    [Fact]
    public void Auto_RunsThePathItReports()
    {
        var net = new ActivePathNet(seed: 2);
        var rng = new Rng(7);
        float[] input = Enumerable.Range(0, ActivePathNet.InputSize).Select(_ => (rng.NextFloat() * 2f) - 1f).ToArray();

        int[] auto = Bits(net, input);
        KernelPath reported = net.ActiveKernelPath;
        var byPath = new[] { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 }.ToDictionary(p => p, p =>
        {
            net.KernelPath = p;
            return Bits(net, input);
        });

        Assert.Equal(byPath[reported], auto);
        Assert.True(byPath.Values.Any(bits => !bits.SequenceEqual(auto)), "every path gave the same bits, so this network cannot tell them apart");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    [InlineData(int.MaxValue)]
    public void UndefinedPath_IsRejected_AndThePathKept(int value)
    {
        var net = new ActivePathNet(seed: 1) { KernelPath = KernelPath.Vector256 };
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => net.KernelPath = (KernelPath)value);
        Assert.Equal("value", e.ParamName);
        Assert.Contains("KernelPath must be Auto, Scalar, Vector256 or Vector512", e.Message, StringComparison.Ordinal);
        Assert.Equal(KernelPath.Vector256, net.KernelPath);
        Assert.Equal(KernelPath.Scalar, global::NetGen.Kernels.Resolve((KernelPath)value));
    }

    [Fact]
    public void Sizes_AreReachableFromAnInstance()
    {
        var net = new SizesNet(seed: 1);
        Assert.Equal(new NetworkSizes(InputSize: 192, OutputSize: 5, ParameterCount: 112 + 725, WorkspaceSize: SizesNet.WorkspaceSize), net.Sizes);
        Assert.Equal(net.Parameters.Length, net.Sizes.ParameterCount);
        Span<float> output = stackalloc float[net.Sizes.OutputSize];
        net.Predict(new float[net.Sizes.InputSize], output);
        Assert.Equal(1f, output.ToArray().Sum(), 5);
        Assert.True(net.EndsWithSoftmax);
        Assert.False(net.EndsWithSigmoid);
    }

    [Fact]
    public void Sizes_AgreeWithTheInterface()
    {
        INetwork net = new SizesNet(seed: 1);
        Assert.Equal(new NetworkSizes(net.InputSize, net.OutputSize, net.ParameterCount, net.WorkspaceSize), net.Sizes);
        Assert.Equal(SizesNet.InputSize, net.Sizes.InputSize);
        Assert.Equal(SizesNet.OutputSize, net.Sizes.OutputSize);
        Assert.Equal(SizesNet.ParameterCount, net.Sizes.ParameterCount);
    }

    private static int[] Bits(INetwork net, float[] input)
    {
        var output = new float[net.OutputSize];
        net.Predict(input, output);
        return output.Select(BitConverter.SingleToInt32Bits).ToArray();
    }
}
