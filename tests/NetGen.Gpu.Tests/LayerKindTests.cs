using Xunit;

namespace NetGen.Gpu.Tests;

/// <summary>
/// Every layer kind's generated kernels, forward and backward, with the loss and the optimizer update, against
/// the CPU's scalar path on the same weights: a few training steps, then evaluation outputs.
/// </summary>
[Collection(GpuTests.Name)]
public sealed class LayerKindTests(GpuFixture gpu)
{
    [Fact]
    public void Dense_AndReLU_MatchTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuDenseNet(1), gpu.Simple, () => new Sgd(0.1f, momentum: 0.9f));

    [Fact]
    public void Dense_TiledKernels_MatchTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuWideDenseNet(2), gpu.Tiled, () => new Adam(1e-2f), batch: 5, count: 7);

    [Fact]
    public void Conv2D_WithPaddingAndStride_MatchesTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuConvNet(3), gpu.Simple, () => new Sgd(0.05f, momentum: 0.9f, nesterov: true));

    [Fact]
    public void Conv2D_TiledKernels_MatchTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuConvNet(3), gpu.Tiled, () => new Sgd(0.05f, momentum: 0.9f), steps: 1, batch: 3, count: 3);

    [Fact]
    public void Conv2D_StridesWiderThanKernels_AndLargePadding_MatchTheScalarPath()
    {
        DeviceOracle.AssertStepsAgree(() => new GpuStridedNet(31), gpu.Simple, () => new Sgd(0.05f, momentum: 0.9f));
        DeviceOracle.AssertStepsAgree(() => new GpuStridedNet(31), gpu.Tiled, () => new Sgd(0.05f, momentum: 0.9f), steps: 1);
    }

    [Fact]
    public void MaxAndAveragePooling_WithOverlappingWindows_MatchTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuPoolNet(4), gpu.Simple, () => new Sgd(0.05f));

    [Fact]
    public void SigmoidTanhAndTrailingSoftmax_MatchTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuActivationNet(5), gpu.Simple, () => new AdamW(1e-2f, weightDecay: 0.1f));

    [Fact]
    public void SoftmaxInTheMiddle_MatchesTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuSoftmaxNet(6), gpu.Simple, () => new Sgd(0.5f, weightDecay: 0.01f));

    [Fact]
    public void DropoutAtRateZero_MatchesTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuDropoutZeroNet(7), gpu.Simple, () => new Sgd(0.1f, momentum: 0.5f));

    [Fact]
    public void BatchNorm_BatchStatisticsAndRunningStatistics_MatchTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuBatchNormNet(8), gpu.Simple, () => new Sgd(0.1f, momentum: 0.9f), steps: 3, batch: 5, count: 7);

    [Fact]
    public void BatchNormFirst_AndFirstLayerFlatten_MatchTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuBatchNormFirstNet(9), gpu.Simple, () => new Adam(1e-2f, weightDecay: 0.01f));

    [Fact]
    public void FirstLayerFlatten_MatchesTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuFlattenNet(10), gpu.Simple, () => new Sgd(0.1f));
}
