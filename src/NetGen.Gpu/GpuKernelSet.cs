using System;
using ILGPU;
using ILGPU.Runtime;

namespace NetGen.Gpu;

/// <summary>Which launch shape a kernel runs with.</summary>
public enum GpuLaunch
{
    /// <summary>Grid-stride: every thread of <see cref="GpuDevice.GridConfig"/> takes every k-th work item.</summary>
    Grid,

    /// <summary>Tiled: groups of <see cref="GpuDevice.TiledConfig"/> take tiles, sharing them through shared memory.</summary>
    Tiled,

    /// <summary>One thread (<see cref="GpuDevice.SingleConfig"/>).</summary>
    OneThread,
}

/// <summary>
/// A network's generated ILGPU kernels bound to one device: the forward and backward pass of every layer, the
/// losses, the optimizer updates and the data movement, each a static method with every shape a literal. The
/// generated subclass (one per network, from <see cref="IGpuNetwork.CreateKernels"/>) loads each kernel on
/// first use and launches them in order; nothing here waits for the device.
/// </summary>
public abstract class GpuKernelSet
{
    /// <summary>Binds the kernel set to <paramref name="device"/>.</summary>
    /// <param name="device">The device the kernels load on.</param>
    protected GpuKernelSet(GpuDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        Device = device;
    }

    /// <summary>The device the kernels run on.</summary>
    public GpuDevice Device { get; }

    /// <summary>Workspace offset of the last layer's output (what <see cref="INetwork.Predict(ReadOnlySpan{float}, Span{float})"/> returns).</summary>
    public abstract int OutputOffset { get; }

    /// <summary>Copies the batch's inputs from the device data set (<see cref="GpuViews.Data"/> at <see cref="GpuViews.Indices"/>) into <see cref="GpuViews.Input"/>.</summary>
    /// <param name="views">The buffers.</param>
    /// <param name="batch">The batch.</param>
    public abstract void Gather(in GpuViews views, in GpuStep batch);

    /// <summary>
    /// The forward pass of the batch: training (<see cref="GpuStep.Training"/>: BatchNorm with the batch's
    /// statistics, gathered on the device between layers; dropout on) or evaluation (running statistics, no dropout).
    /// </summary>
    /// <param name="views">The buffers.</param>
    /// <param name="batch">The batch.</param>
    public abstract void Forward(in GpuViews views, in GpuStep batch);

    /// <summary>
    /// The loss of every sample from its logits, its correct flag, and <see cref="GpuStep.Scale"/> times the
    /// gradient with respect to the logits; then the batch's tally into <see cref="GpuViews.BatchLoss"/>.
    /// </summary>
    /// <param name="views">The buffers.</param>
    /// <param name="batch">The batch.</param>
    /// <param name="loss">Which loss.</param>
    public abstract void Loss(in GpuViews views, in GpuStep batch, GpuLoss loss);

    /// <summary>
    /// The backward pass of the batch after a training forward: overwrites the gradient of every trainable
    /// layer's parameters (the mean over the batch when the loss was scaled by 1 / batch size). Stops below
    /// <paramref name="trainableFrom"/>, as <see cref="INetwork.TrainableFrom"/> does on the CPU.
    /// </summary>
    /// <param name="views">The buffers; <see cref="GpuViews.Gradients"/> must be zero where tiled kernels add into it.</param>
    /// <param name="batch">The batch.</param>
    /// <param name="trainableFrom">The lowest layer whose parameters train.</param>
    public abstract void Backward(in GpuViews views, in GpuStep batch, int trainableFrom);

    /// <summary>SGD (momentum, Nesterov, L2) over one parameter group; skipped once <see cref="GpuViews.Status"/> says the loss diverged.</summary>
    /// <param name="views">The buffers.</param>
    /// <param name="update">The group and hyperparameters.</param>
    public abstract void Sgd(in GpuViews views, in GpuUpdate update);

    /// <summary>Adam or AdamW over one parameter group; skipped once the loss diverged.</summary>
    /// <param name="views">The buffers.</param>
    /// <param name="update">The group and hyperparameters.</param>
    public abstract void Adam(in GpuViews views, in GpuUpdate update);

    /// <summary>Adds the squares of one parameter group's gradient into <see cref="GpuViews.Partials"/>, one sum per thread group of <see cref="GpuDevice.GridConfig"/> (zero them before the first parameter group).</summary>
    /// <param name="views">The buffers.</param>
    /// <param name="update">The group.</param>
    public abstract void SumOfSquares(in GpuViews views, in GpuUpdate update);

    /// <summary>The global norm from the first <see cref="GpuUpdate.Length"/> partial sums, and the clipping factor into <see cref="GpuViews.Scalars"/>.</summary>
    /// <param name="views">The buffers.</param>
    /// <param name="update"><see cref="GpuUpdate.MaxNorm"/>, and the number of partial sums in <see cref="GpuUpdate.Length"/>.</param>
    public abstract void ClipFactor(in GpuViews views, in GpuUpdate update);

    /// <summary>Multiplies one group's gradient by the clipping factor.</summary>
    /// <param name="views">The buffers.</param>
    /// <param name="update">The group.</param>
    public abstract void ScaleGradients(in GpuViews views, in GpuUpdate update);

    /// <summary>Whether a Dense or Conv2D layer runs its tiled kernels.</summary>
    /// <param name="paysOff">The generator's judgement from the layer's shapes.</param>
    /// <returns>True for the tiled kernels.</returns>
    protected bool UseTiled(bool paysOff) => Device.Variant switch
    {
        GpuKernelVariant.Tiled => true,
        GpuKernelVariant.Simple => false,
        _ => paysOff && !Device.IsCpu,
    };

    /// <summary>Loads <paramref name="kernel"/> into <paramref name="slot"/> on first use, then launches it.</summary>
    /// <typeparam name="TArg">The kernel's second parameter.</typeparam>
    /// <param name="slot">Where the loaded kernel is kept.</param>
    /// <param name="kernel">The generated kernel.</param>
    /// <param name="views">The buffers.</param>
    /// <param name="argument">The launch's values.</param>
    /// <param name="launch">The launch shape.</param>
    protected void Launch<TArg>(ref Action<KernelConfig, GpuViews, TArg>? slot, Action<GpuViews, TArg> kernel, in GpuViews views, in TArg argument, GpuLaunch launch)
        where TArg : struct
    {
        slot ??= Device.Load(kernel);
        KernelConfig config = launch switch
        {
            GpuLaunch.Tiled => Device.TiledConfig,
            GpuLaunch.OneThread => Device.SingleConfig,
            _ => Device.GridConfig,
        };
        slot(config, views, argument);
    }
}

/// <summary>
/// A network whose generated code includes ILGPU kernels: NetGen emits them, in a second part of the network's
/// partial class, whenever the project references NetGen.Gpu.
/// </summary>
public interface IGpuNetwork : INetwork
{
    /// <summary>The network's kernels on <paramref name="device"/>; each loads on first use.</summary>
    /// <param name="device">The device.</param>
    /// <returns>A kernel set for this network's shapes (it holds no parameters: those live in the caller's buffers).</returns>
    GpuKernelSet CreateKernels(GpuDevice device);
}
