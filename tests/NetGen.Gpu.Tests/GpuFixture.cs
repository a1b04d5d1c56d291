using System;
using Xunit;

namespace NetGen.Gpu.Tests;

/// <summary>
/// ILGPU's CPU accelerator, opened once for all GPU tests (one with the simple kernels, one forcing the tiled
/// ones). The tests share it one at a time: the collection runs its tests sequentially.
/// </summary>
public sealed class GpuFixture : IDisposable
{
    private readonly Lazy<GpuDevice> _simple = new(() => GpuDevice.Create(GpuDeviceKind.Cpu, GpuKernelVariant.Simple));
    private readonly Lazy<GpuDevice> _tiled = new(() => GpuDevice.Create(GpuDeviceKind.Cpu, GpuKernelVariant.Tiled));

    public GpuDevice Simple => _simple.Value;

    public GpuDevice Tiled => _tiled.Value;

    public void Dispose()
    {
        if (_simple.IsValueCreated)
        {
            _simple.Value.Dispose();
        }

        if (_tiled.IsValueCreated)
        {
            _tiled.Value.Dispose();
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GpuTests : ICollectionFixture<GpuFixture>
{
    public const string Name = "GPU (ILGPU CPU accelerator)";
}
