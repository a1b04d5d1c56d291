using System;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace NetGen.Gpu;

/// <summary>Which kind of accelerator <see cref="GpuDevice.Create"/> opens.</summary>
public enum GpuDeviceKind
{
    /// <summary>CUDA when a CUDA GPU is present, else OpenCL, else ILGPU's CPU accelerator.</summary>
    Auto,

    /// <summary>The first CUDA GPU.</summary>
    Cuda,

    /// <summary>The first OpenCL device.</summary>
    OpenCL,

    /// <summary>ILGPU's CPU accelerator: runs the kernels on the CPU, one .NET thread per lane (slow; for tests and machines without a GPU).</summary>
    Cpu,
}

/// <summary>Which variant of the Dense and Conv2D kernels runs.</summary>
public enum GpuKernelVariant
{
    /// <summary>Tiled shared-memory kernels on GPUs where a layer's shapes make them pay off; the simple kernels on the CPU accelerator, where every barrier costs a thread switch.</summary>
    Auto,

    /// <summary>The simple grid-stride kernels: one thread per output value.</summary>
    Simple,

    /// <summary>The tiled shared-memory kernels for every Dense and Conv2D layer (tests use this to check them on the CPU accelerator).</summary>
    Tiled,
}

/// <summary>
/// An ILGPU context and accelerator, with the launch shapes NetGen's kernels use: grid-stride kernels run with
/// one group per multiprocessor (times an occupancy factor on GPUs) of the largest group size, so one launch
/// covers a batch of any size.
/// </summary>
public sealed class GpuDevice : IDisposable
{
    private readonly Context _context;
    private bool _disposed;

    private GpuDevice(Context context, Accelerator accelerator, GpuKernelVariant variant)
    {
        _context = context;
        Accelerator = accelerator;
        Variant = variant;
        IsCpu = accelerator.AcceleratorType == AcceleratorType.CPU;
        int threads = Math.Min(accelerator.MaxNumThreadsPerGroup, IsCpu ? accelerator.MaxNumThreadsPerGroup : 256);
        int groups = Math.Max(1, accelerator.NumMultiprocessors) * (IsCpu ? 1 : 8);
        GridConfig = new KernelConfig(groups, threads);
        TiledConfig = new KernelConfig(Math.Max(1, accelerator.NumMultiprocessors) * (IsCpu ? 1 : 4), threads);
        SingleConfig = new KernelConfig(1, 1);
        GridThreads = groups * threads;
    }

    /// <summary>The accelerator kernels run on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>Which Dense and Conv2D kernels run.</summary>
    public GpuKernelVariant Variant { get; }

    /// <summary>Whether this is ILGPU's CPU accelerator.</summary>
    public bool IsCpu { get; }

    /// <summary>The accelerator's name and kind, e.g. <c>Cuda: NVIDIA H200</c>.</summary>
    public string Name => Accelerator.AcceleratorType + ": " + Accelerator.Name;

    /// <summary>The launch shape of grid-stride kernels.</summary>
    public KernelConfig GridConfig { get; }

    /// <summary>The launch shape of the tiled kernels (any group size works: each thread covers a strided share of a tile).</summary>
    public KernelConfig TiledConfig { get; }

    /// <summary>One thread: the small sequential reductions (a batch's loss, a gradient norm).</summary>
    public KernelConfig SingleConfig { get; }

    /// <summary>Threads of a grid-stride launch: the length of <see cref="GpuViews.Partials"/>.</summary>
    public int GridThreads { get; }

    /// <summary>Opens an accelerator.</summary>
    /// <param name="kind">Which kind; <see cref="GpuDeviceKind.Auto"/> prefers CUDA, then OpenCL, then the CPU accelerator.</param>
    /// <param name="variant">Which Dense and Conv2D kernels run.</param>
    /// <returns>The device; dispose it to release the accelerator.</returns>
    /// <exception cref="InvalidOperationException">No device of the requested kind is present.</exception>
    public static GpuDevice Create(GpuDeviceKind kind = GpuDeviceKind.Auto, GpuKernelVariant variant = GpuKernelVariant.Auto)
    {
        // One multiprocessor per core, 2 warps of 4 lanes each: the CPU accelerator runs one thread per lane,
        // and more lanes than that only add thread switches.
        var cpu = new CPUDevice(4, 2, Math.Max(1, Environment.ProcessorCount));
        Context context = Context.Create(builder =>
        {
            builder.Optimize(OptimizationLevel.O1);
            switch (kind)
            {
                case GpuDeviceKind.Cuda:
                    builder.Cuda();
                    break;
                case GpuDeviceKind.OpenCL:
                    builder.OpenCL();
                    break;
                case GpuDeviceKind.Cpu:
                    builder.CPU(cpu);
                    break;
                default:
                    builder.Cuda().OpenCL().CPU(cpu);
                    break;
            }
        });
        try
        {
            // ILGPU lists its CPU accelerator whatever was asked for: a request for CUDA or OpenCL takes only that kind.
            AcceleratorType? wanted = kind switch
            {
                GpuDeviceKind.Cuda => AcceleratorType.Cuda,
                GpuDeviceKind.OpenCL => AcceleratorType.OpenCL,
                GpuDeviceKind.Cpu => AcceleratorType.CPU,
                _ => null,
            };
            Device? device = context.Devices
                .Where(d => wanted is null || d.AcceleratorType == wanted)
                .OrderBy(d => d.AcceleratorType switch { AcceleratorType.Cuda => 0, AcceleratorType.OpenCL => 1, _ => 2 })
                .FirstOrDefault();
            if (device is null)
            {
                throw new InvalidOperationException($"No {kind} device is present (ILGPU found none); use GpuDeviceKind.Cpu for ILGPU's CPU accelerator.");
            }

            return new GpuDevice(context, device.CreateAccelerator(context), variant);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Compiles a kernel for this accelerator (17–50 ms each; the generated kernel sets load each on first use).</summary>
    /// <typeparam name="TArg">The kernel's second parameter.</typeparam>
    /// <param name="kernel">A generated kernel: a static method of (<see cref="GpuViews"/>, <typeparamref name="TArg"/>).</param>
    /// <returns>The launcher.</returns>
    public Action<KernelConfig, GpuViews, TArg> Load<TArg>(Action<GpuViews, TArg> kernel)
        where TArg : struct
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Accelerator.LoadStreamKernel(kernel);
    }

    /// <summary>Waits for every launched kernel and copy to finish.</summary>
    public void Synchronize() => Accelerator.Synchronize();

    /// <summary>Releases the accelerator and the context.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Accelerator.Dispose();
        _context.Dispose();
    }
}
