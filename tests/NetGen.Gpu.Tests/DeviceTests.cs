using System;
using Xunit;

namespace NetGen.Gpu.Tests;

/// <summary>Opening devices: a kind that is asked for by name is that kind or an error, never a silent fallback.</summary>
[Collection(GpuTests.Name)]
public sealed class DeviceTests
{
    [Fact]
    public void Cpu_OpensIlgpusCpuAccelerator()
    {
        using GpuDevice device = GpuDevice.Create(GpuDeviceKind.Cpu);
        Assert.True(device.IsCpu);
        Assert.StartsWith("CPU", device.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Cuda_IsCudaOrAnError_NeverTheCpuAccelerator()
    {
        try
        {
            using GpuDevice device = GpuDevice.Create(GpuDeviceKind.Cuda);
            Assert.Equal(ILGPU.Runtime.AcceleratorType.Cuda, device.Accelerator.AcceleratorType);
        }
        catch (InvalidOperationException e)
        {
            Assert.Contains("No Cuda device", e.Message, StringComparison.Ordinal);
        }
    }
}
