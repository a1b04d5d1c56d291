using System;
using Xunit;

namespace NetGen.Gpu.Tests;

/// <summary>
/// The accelerator the GPU tests run on, opened once for all of them (one with the simple kernels, one forcing the
/// tiled ones): ILGPU's CPU accelerator, unless the environment variable <c>NETGEN_GPU_TESTS_DEVICE</c> says
/// <c>cuda</c>, <c>opencl</c> or <c>auto</c> (the device check, .ci/gpu-check.sh, runs them on CUDA). The tests
/// share it one at a time: the collection runs its tests sequentially.
/// </summary>
public sealed class GpuFixture : IDisposable
{
    private static readonly GpuDeviceKind s_kind = Environment.GetEnvironmentVariable("NETGEN_GPU_TESTS_DEVICE")?.ToUpperInvariant() switch
    {
        "CUDA" => GpuDeviceKind.Cuda,
        "OPENCL" => GpuDeviceKind.OpenCL,
        "AUTO" => GpuDeviceKind.Auto,
        _ => GpuDeviceKind.Cpu,
    };

    private readonly Lazy<GpuDevice> _simple = new(() => GpuDevice.Create(s_kind, GpuKernelVariant.Simple));
    private readonly Lazy<GpuDevice> _tiled = new(() => GpuDevice.Create(s_kind, GpuKernelVariant.Tiled));

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
