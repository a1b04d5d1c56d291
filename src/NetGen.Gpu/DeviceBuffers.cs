using System;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace NetGen.Gpu;

/// <summary>A growable device buffer of <typeparamref name="T"/> (never empty: unused buffers hold one element).</summary>
/// <typeparam name="T">float or int.</typeparam>
internal sealed class DeviceBuffer<T> : IDisposable
    where T : unmanaged
{
    private readonly Accelerator _accelerator;
    private MemoryBuffer1D<T, Stride1D.Dense> _buffer;

    public DeviceBuffer(Accelerator accelerator, long length)
    {
        _accelerator = accelerator;
        _buffer = accelerator.Allocate1D<T>(Math.Max(1, length));
        _buffer.MemSetToZero();
    }

    public long Length => _buffer.Length;

    public ArrayView<T> View => _buffer.View;

    /// <summary>Makes room for <paramref name="length"/> elements (contents are lost when it grows).</summary>
    public void Ensure(long length)
    {
        if (length <= _buffer.Length)
        {
            return;
        }

        _buffer.Dispose();
        _buffer = _accelerator.Allocate1D<T>(length);
        _buffer.MemSetToZero();
    }

    public void Upload(ReadOnlySpan<T> source, long offset = 0)
    {
        if (source.IsEmpty)
        {
            return;
        }

        _buffer.View.SubView(offset, source.Length).CopyFromCPU(ref MemoryMarshal.GetReference(source), source.Length);
    }

    public void Download(Span<T> target, long offset = 0)
    {
        if (target.IsEmpty)
        {
            return;
        }

        _buffer.View.SubView(offset, target.Length).CopyToCPU(ref MemoryMarshal.GetReference(target), target.Length);
    }

    public void Clear() => _buffer.MemSetToZero();

    public void Dispose() => _buffer.Dispose();
}

/// <summary>A data set's features, labels and targets on the device.</summary>
internal sealed class DeviceData : IDisposable
{
    public DeviceData(Accelerator accelerator, Dataset data)
    {
        Source = data;
        Features = new DeviceBuffer<float>(accelerator, data.Features.Length);
        Features.Upload(data.Features);
        Labels = new DeviceBuffer<int>(accelerator, data.Labels.Length);
        Labels.Upload(data.Labels);
        Targets = new DeviceBuffer<float>(accelerator, data.Targets?.Length ?? 1);
        if (data.Targets is not null)
        {
            Targets.Upload(data.Targets);
        }
    }

    public Dataset Source { get; }

    public DeviceBuffer<float> Features { get; }

    public DeviceBuffer<int> Labels { get; }

    public DeviceBuffer<float> Targets { get; }

    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
        Targets.Dispose();
    }
}
