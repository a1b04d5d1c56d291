using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Gpu.Tests;

/// <summary>LeNet-5 on the device against the CPU's scalar path: single steps, the tiled kernels, and a short Fit on real digits.</summary>
[Collection(GpuTests.Name)]
public sealed class LeNetTests(GpuFixture gpu)
{
    [Fact]
    public void TrainingSteps_MatchTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuLeNet5(42), gpu.Simple, () => new Sgd(0.05f, momentum: 0.9f), steps: 3, batch: 4, count: 8);

    [Fact]
    public void TiledKernels_MatchTheScalarPath() =>
        DeviceOracle.AssertStepsAgree(() => new GpuLeNet5(42), gpu.Tiled, () => new AdamW(1e-3f), steps: 1, batch: 2, count: 2);

    [Fact]
    public void FitOnDigits_WithValidation_MatchesTheCpu()
    {
        (Dataset train, Dataset test) = Idx.LoadFolder(Path.Combine(System.AppContext.BaseDirectory, "data", "mnist-10k"));
        Dataset few = train.Split(96).First, check = test.Split(48).First;
        TrainingTests.AssertFitsAgree(() => new GpuLeNet5(7), () => new Sgd(0.05f, momentum: 0.9f), 0, new TrainingOptions { Epochs = 2, BatchSize = 32, Seed = 42 }, gpu.Simple, train: few, validation: check);
    }
}
