using Xunit;

namespace NetGen.Gpu.Tests;

/// <summary>LeakyReLU after a convolution, after a pool and after a Dense, each with its own slope.</summary>
[Network, Input(2, 9, 9)]
[Conv2D(4, 3), LeakyReLU(0.2)]
[MaxPool2D(2), LeakyReLU]
[Dense(9), LeakyReLU(0.3)]
[Dense(3)]
public partial class GpuLeakyNet;

/// <summary>LeakyReLU's kernels, forward and backward, against the CPU's scalar path on the same weights.</summary>
[Collection(GpuTests.Name)]
public sealed class LeakyReLUTests(GpuFixture gpu)
{
    [Fact]
    public void LeakyReLU_MatchesTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuLeakyNet(12), gpu.Simple, () => new Sgd(0.1f, momentum: 0.9f), steps: 3);
}
