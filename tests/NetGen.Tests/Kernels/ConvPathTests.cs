using System;
using Xunit;

namespace NetGen.Tests.Kernels;

// Convolution-specific networks for the path-agreement tests. Each one puts a parameter layer below the
// convolution under test, so the vector paths' dx reaches a parameter gradient that the oracle compares.
// Together they cover: a plain conv as the first layer, as a middle layer and as the last (logits) layer;
// each fused activation (ReLU, Sigmoid, Tanh); padding 0, 1 and 2 (and 2 with K = 1, larger than K − 1);
// K = 1, 3, 5 and 9 (kx as a loop); output widths 5, 7, 8, 10, 12, 16, 18, 20, 28 and 30 (below, equal to
// and above both vector widths); 1, 3, 4, 6, 7, 16 and 17 filters; 1, 2, 3, 6 and 16 input channels; stride 2
// with fused activations; and convolutions feeding convolutions. Strided forwards run the phase-split direct
// convolution (Conv2DLayer.PhaseSplit.cs: kernels wider and narrower than the stride, outputs below a vector);
// strided backwards run the lowered kernels (Conv2DLayer.Lowered.cs) where they have a vector of output positions: filters and taps that leave tails of the
// 4 × 2 register tiles, positions that are and are not a multiple of the vector, stride 3, bias with ReLU.

/// <summary>A plain first-layer conv (no activation) whose 8-wide rows equal one Vector256 and are narrower than a Vector512.</summary>
[Network, Input(3, 7, 10)]
[Conv2D(7, 3)]
[Flatten, Dense(3)]
public partial class ConvPathFirstPlain;

/// <summary>ReLU on a padded first layer, then a plain conv with 17 filters over 6 channels (dx of a plain conv).</summary>
[Network, Input(1, 9, 12)]
[Conv2D(6, 3, Padding = 1), ReLU]
[Conv2D(17, 3)]
[Flatten, Dense(4)]
public partial class ConvPathSecondPlain;

/// <summary>A 1×1 single-filter conv with tanh, then 16 filters of 3×3 and sigmoid on rows of exactly 16.</summary>
[Network, Input(3, 6, 18)]
[Conv2D(1, 1), Tanh]
[Conv2D(16, 3), Sigmoid]
[Flatten, Dense(5)]
public partial class ConvPathSigmoid16;

/// <summary>5×5 on 6 channels down to 5-wide rows with tanh, then a 1×1 conv padded by 2 (larger than K − 1) with ReLU.</summary>
[Network, Input(6, 9, 9)]
[Conv2D(7, 5), Tanh]
[Conv2D(6, 1, Padding = 2), ReLU]
[Flatten, Dense(3)]
public partial class ConvPathNarrow;

/// <summary>Stride 2 with fused sigmoid and ReLU: the vector paths run the scalar loops with the activation applied.</summary>
[Network, Input(3, 11, 11)]
[Conv2D(4, 3, Stride = 2, Padding = 1), Sigmoid]
[Conv2D(5, 3, Stride = 2), ReLU]
[Flatten, Dense(3)]
public partial class ConvPathStrided;

/// <summary>
/// Lowered kernels at their edges: 7 filters (a tail of 3 below the 4-filter tiles) over 3 taps of 3 channels
/// (27 taps: a tail of 1 below the 2-tap tiles of dw) with bias and fused ReLU on 9×9 = 81 positions (not a multiple of
/// either vector: the last vector overlaps), then stride 3 without padding or bias onto 17 filters over 5 × 5 = 25
/// positions (one whole Vector512, then the overlap), then a 1×1 stride-2 projection on 9 = 3 × 3 positions (below
/// both vectors: the scalar loops).
/// </summary>
[Network, Input(3, 18, 17)]
[Conv2D(7, 3, Stride = 2, Padding = 1), ReLU]
[Conv2D(17, 3, Stride = 2, Padding = 1, Bias = false), Tanh]
[Conv2D(6, 1, Stride = 2, Bias = false)]
[Flatten, Dense(4)]
public partial class ConvPathLoweredEdges;

/// <summary>Stride 3 onto 32 positions (two whole Vector256s, one Vector512 pair): a lowered convolution as the logits layer.</summary>
[Network, Input(2, 12, 24)]
[Conv2D(4, 3, Padding = 1), Sigmoid]
[Conv2D(3, 3, Stride = 3)]
public partial class ConvPathLoweredLast;

/// <summary>
/// The phase-split forward at its edges: 5×5 stride 2 padding 2 (phases of 3 and 2 taps a side) with bias and ReLU onto
/// 10-wide rows, then 2×2 stride 3 (K &lt; s: one phase of three is read, rows and columns of the others are left out)
/// with tanh onto 4 × 4 positions, fewer than either vector.
/// </summary>
[Network, Input(3, 19, 20)]
[Conv2D(9, 5, Stride = 2, Padding = 2), ReLU]
[Conv2D(5, 2, Stride = 3, Padding = 1, Bias = false), Tanh]
[Flatten, Dense(3)]
public partial class ConvPathPhaseSplit;

/// <summary>Wide rows: 28 with padding 2 and sigmoid, then 30 (padding 2, K = 3) with tanh, then pooling.</summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), Sigmoid]
[Conv2D(7, 3, Padding = 2), Tanh, MaxPool2D(3)]
[Dense(4)]
public partial class ConvPathWide;

/// <summary>16 filters of 5×5 with padding 1 and ReLU, then 16 channels into 6 filters with tanh on 8-wide rows.</summary>
[Network, Input(3, 12, 12)]
[Conv2D(16, 5, Padding = 1), ReLU]
[Conv2D(6, 5, Padding = 1), Tanh]
[Flatten, Dense(3)]
public partial class ConvPathSixteenChannels;

/// <summary>A conv as the last layer: its gradient is the caller's logits gradient, on 7-wide rows.</summary>
[Network, Input(2, 6, 7)]
[Conv2D(4, 3, Padding = 1), Sigmoid]
[Conv2D(3, 3, Padding = 1)]
public partial class ConvPathLast;

/// <summary>A 9×9 kernel (kx runs as a loop) on 20-wide rows, then a 3×3 with ReLU.</summary>
[Network, Input(2, 12, 26)]
[Conv2D(3, 9, Padding = 1), ReLU]
[Conv2D(4, 3, Padding = 1), ReLU]
[Flatten, Dense(2)]
public partial class ConvPathLargeKernel;

/// <summary>The vector convolution kernels agree with the scalar reference: outputs, and every parameter gradient below them.</summary>
public class ConvPathTests
{
    [Fact]
    public void PlainFirstLayer_AllPathsAgree() => PathOracle.AssertPathsAgree(new ConvPathFirstPlain(seed: 11), seed: 1);

    [Fact]
    public void PlainSecondLayer_InputGradientAgrees() => PathOracle.AssertPathsAgree(new ConvPathSecondPlain(seed: 12), seed: 2);

    [Fact]
    public void OneByOneTanh_ThenSigmoidOn16WideRows_AllPathsAgree() => PathOracle.AssertPathsAgree(new ConvPathSigmoid16(seed: 13), seed: 3);

    [Fact]
    public void NarrowRows_AndPaddingLargerThanKernel_AllPathsAgree() => PathOracle.AssertPathsAgree(new ConvPathNarrow(seed: 14), seed: 4);

    [Fact]
    public void StrideTwo_WithFusedActivations_AllPathsAgree() => PathOracle.AssertPathsAgree(new ConvPathStrided(seed: 15), seed: 5);

    [Fact]
    public void LoweredKernels_TilesTailsAndOverlaps_AllPathsAgree() => PathOracle.AssertPathsAgree(new ConvPathLoweredEdges(seed: 21), seed: 11);

    [Fact]
    public void LoweredKernel_AsLogitsLayer_AllPathsAgree() => PathOracle.AssertPathsAgree(new ConvPathLoweredLast(seed: 22), seed: 12);

    [Fact]
    public void PhaseSplitForward_KernelsWiderAndNarrowerThanTheStride_AllPathsAgree() => PathOracle.AssertPathsAgree(new ConvPathPhaseSplit(seed: 23), seed: 13);

    [Fact]
    public void WideRows_AllPathsAgree() => PathOracle.AssertPathsAgree(new ConvPathWide(seed: 16), seed: 6);

    [Fact]
    public void SixteenChannels_AllPathsAgree() => PathOracle.AssertPathsAgree(new ConvPathSixteenChannels(seed: 17), seed: 7);

    [Fact]
    public void ConvAsLogitsLayer_AllPathsAgree() => PathOracle.AssertPathsAgree(new ConvPathLast(seed: 18), seed: 8);

    [Fact]
    public void LargeKernel_AllPathsAgree() => PathOracle.AssertPathsAgree(new ConvPathLargeKernel(seed: 19), seed: 9);

    [Fact]
    public void LeNet5_InEvaluation_AllPathsAgree() => PathOracle.AssertPathsAgree(new PathLeNet5(seed: 20), seed: 10, training: false);

    /// <summary>
    /// Vector kernels may read past the end of workspace slots (into the slack) and use scratch; none of what
    /// they find there may reach a result. A workspace full of NaN on the vector paths must give exactly what a
    /// zeroed one gives, and match the scalar path.
    /// </summary>
    [Theory]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void GarbageInTheWorkspace_NeverReachesAResult(KernelPath path)
    {
        foreach (INetwork net in new INetwork[]
        {
            new ConvPathFirstPlain(seed: 1), new ConvPathSecondPlain(seed: 2), new ConvPathSigmoid16(seed: 3), new ConvPathNarrow(seed: 4),
            new ConvPathWide(seed: 5), new ConvPathSixteenChannels(seed: 6), new ConvPathLast(seed: 7), new ConvPathLargeKernel(seed: 8),
            new PathLeNet5(seed: 9),
        })
        {
            var rng = new Random(42);
            var input = new float[net.InputSize];
            var logitsGradient = new float[net.OutputSize];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = (float)((rng.NextDouble() * 2) - 1);
            }

            for (int i = 0; i < logitsGradient.Length; i++)
            {
                logitsGradient[i] = (float)((rng.NextDouble() * 2) - 1);
            }

            (float[] Logits, float[] Gradients) Run(float fill)
            {
                var workspace = new float[net.WorkspaceSize];
                workspace.AsSpan().Fill(fill);
                var gradients = new float[net.ParameterCount];
                net.Forward(input, workspace, training: true, dropoutSeed: 3);
                float[] logits = workspace.AsSpan(net.LogitsOffset, net.OutputSize).ToArray();
                net.Backward(input, workspace, logitsGradient, gradients);
                return (logits, gradients);
            }

            try
            {
                net.KernelPath = path;
                var clean = Run(0f);
                var dirty = Run(float.NaN);
                string name = net.GetType().Name;
                Assert.True(clean.Logits.AsSpan().SequenceEqual(dirty.Logits), $"{name} {path}: logits depend on workspace garbage");
                Assert.True(clean.Gradients.AsSpan().SequenceEqual(dirty.Gradients), $"{name} {path}: gradients depend on workspace garbage");
                Assert.All(dirty.Gradients, g => Assert.True(float.IsFinite(g), $"{name} {path}: non-finite gradient"));
            }
            finally
            {
                net.KernelPath = KernelPath.Auto;
            }
        }
    }

    /// <summary>Backward adds into the gradients it is given (a batch sums over samples) on every path.</summary>
    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void Backward_Accumulates(KernelPath path)
    {
        INetwork net = new ConvPathSecondPlain(seed: 21);
        net.KernelPath = path;
        var input = new float[net.InputSize];
        var logitsGradient = new float[net.OutputSize];
        var rng = new Random(5);
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (float)rng.NextDouble();
        }

        for (int i = 0; i < logitsGradient.Length; i++)
        {
            logitsGradient[i] = (float)(rng.NextDouble() - 0.5);
        }

        var workspace = new float[net.WorkspaceSize];
        var once = new float[net.ParameterCount];
        var twice = new float[net.ParameterCount];
        net.Forward(input, workspace, training: true, dropoutSeed: 0);
        net.Backward(input, workspace, logitsGradient, once);
        net.Backward(input, workspace, logitsGradient, twice);
        net.Backward(input, workspace, logitsGradient, twice);
        for (int i = 0; i < once.Length; i++)
        {
            Assert.True(Math.Abs((2 * once[i]) - twice[i]) <= 1e-5 * Math.Max(1, Math.Abs(twice[i])), $"{path}: gradient {i} is {twice[i]} after two calls, {once[i]} after one");
        }
    }
}
