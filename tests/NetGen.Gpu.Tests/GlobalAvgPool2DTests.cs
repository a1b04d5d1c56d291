using Xunit;

namespace NetGen.Gpu.Tests;

/// <summary>GlobalAvgPool2D on 7×7 planes as a ResNet head, below a learning convolution (so its input gradient runs).</summary>
[Network, Input(2, 9, 9)]
[Conv2D(4, 3), ReLU]
[GlobalAvgPool2D, Dense(3)]
public partial class GpuGapNet;

/// <summary>GlobalAvgPool2D's kernels, forward and backward, against the CPU's scalar path on the same weights.</summary>
[Collection(GpuTests.Name)]
public sealed class GlobalAvgPool2DTests(GpuFixture gpu)
{
    [Fact]
    public void GlobalAvgPool2D_MatchesTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuGapNet(12), gpu.Simple, () => new Sgd(0.1f, momentum: 0.9f), steps: 3);
}
