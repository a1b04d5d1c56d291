using Xunit;

namespace NetGen.Gpu.Tests;

/// <summary>GELU after a convolution, a pool and a Dense, where its backward reads each one's output.</summary>
[Network, Input(2, 9, 9)]
[Conv2D(4, 3), GELU]
[MaxPool2D(2), GELU]
[Dense(9), GELU]
[Dense(3)]
public partial class GpuGeluNet;

/// <summary>GELU's kernels, forward and backward from the input, against the CPU's scalar path on the same weights.</summary>
[Collection(GpuTests.Name)]
public sealed class GELUTests(GpuFixture gpu)
{
    [Fact]
    public void GELU_MatchesTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuGeluNet(12), gpu.Simple, () => new Sgd(0.1f, momentum: 0.9f), steps: 3);
}
