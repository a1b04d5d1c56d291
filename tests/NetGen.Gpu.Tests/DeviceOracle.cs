using System;
using System.Linq;
using Xunit;

namespace NetGen.Gpu.Tests;

/// <summary>
/// Trains the same network from the same weights on the CPU's scalar path (one thread: the oracle) and with its
/// generated ILGPU kernels, and checks after every step that the loss, the gradient, the updated weights and the
/// BatchNorm buffers agree, and at the end that evaluation-mode outputs agree.
/// </summary>
internal static class DeviceOracle
{
    /// <summary>
    /// Relative tolerance on ILGPU's CPU accelerator: the devices sum in other orders (the tiled kernels along other
    /// axes, in float where the CPU gathers BatchNorm's statistics in double). Values far below the tensor's largest
    /// are compared against 1 % of it.
    /// </summary>
    public const double Tolerance = 1e-3;

    /// <summary>On a real GPU (NETGEN_GPU_TESTS_DEVICE), exp and tanh are approximate instructions: 1 %.</summary>
    public const double GpuTolerance = 1e-2;

    /// <summary>The tolerance for <paramref name="device"/>.</summary>
    public static double For(GpuDevice device) => device.IsCpu ? Tolerance : GpuTolerance;

    /// <summary>Uniform random inputs in [-1, 1), random labels and, when asked, random targets in [0, 1).</summary>
    public static Dataset RandomData(INetwork net, int count, ulong seed, bool targets = false)
    {
        var rng = new Rng(seed);
        int classes = net.OutputSize == 1 ? 2 : net.OutputSize;
        float[] features = Enumerable.Range(0, count * net.InputSize).Select(_ => (2f * rng.NextFloat()) - 1f).ToArray();
        int[] labels = Enumerable.Range(0, count).Select(_ => rng.NextInt(classes)).ToArray();
        float[]? values = targets ? Enumerable.Range(0, count * net.OutputSize).Select(_ => rng.NextFloat()).ToArray() : null;
        return new Dataset(features, labels, net.Layers[0].InputShape, classes, targets: values);
    }

    public static void AssertStepsAgree(Func<INetwork> create, GpuDevice device, Func<IOptimizer> optimizer, int steps = 2, int batch = 4, int count = 6, ulong seed = 1)
    {
        INetwork cpuNet = create(), gpuNet = create();
        cpuNet.KernelPath = KernelPath.Scalar;
        using var cpu = new Trainer(cpuNet, optimizer(), threadCount: 1);
        using var gpu = new GpuTrainer(gpuNet, optimizer(), device);
        Dataset data = RandomData(cpuNet, count, seed);
        var gradients = new float[gpuNet.ParameterCount];
        for (int step = 0; step < steps; step++)
        {
            int[] indices = Enumerable.Range(0, batch).Select(i => ((step * batch) + i) % count).ToArray();
            float cpuLoss = cpu.TrainBatch(data, indices, dropoutSeed: 5);
            float gpuLoss = gpu.TrainBatch(data, indices, dropoutSeed: 5);
            string at = "step " + (step + 1);
            double tolerance = For(device);
            AssertClose([cpuLoss], [gpuLoss], at + " loss", _ => "loss", tolerance);
            gpu.CopyGradients(gradients);
            AssertClose(cpu.Gradients.ToArray(), gradients, at + " gradient", i => TensorName(cpuNet, i), tolerance);
            AssertClose(cpuNet.Parameters.ToArray(), gpuNet.Parameters.ToArray(), at + " weights", i => TensorName(cpuNet, i), tolerance);
            AssertClose(cpuNet.Buffers.ToArray(), gpuNet.Buffers.ToArray(), at + " buffers", i => "buffer " + i, tolerance);
        }

        AssertOutputsAgree(cpuNet, gpu, data);
    }

    /// <summary>Evaluation-mode outputs of every sample: the CPU network's Predict against the device's.</summary>
    public static void AssertOutputsAgree(INetwork cpuNet, GpuTrainer gpu, Dataset data)
    {
        int classes = cpuNet.OutputSize;
        var expected = new float[data.Count * classes];
        for (int i = 0; i < data.Count; i++)
        {
            cpuNet.Predict(data.Sample(i), expected.AsSpan(i * classes, classes));
        }

        var actual = new float[expected.Length];
        gpu.Predict(data, 0, data.Count, actual);
        AssertClose(expected, actual, "Predict output", i => "sample " + (i / classes) + " output " + (i % classes), For(gpu.Device));
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, Func<int, string> name, double tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (float v in expected)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            double bound = tolerance * Math.Max(Math.Abs(expected[i]), 1e-2 * Math.Max(scale, 1e-3));
            Assert.True(
                error <= bound && float.IsFinite(actual[i]),
                $"{what} of {name(i)} at {i}: CPU {expected[i]:R}, GPU {actual[i]:R} (error {error:E2} > {bound:E2})");
        }
    }

    public static string TensorName(INetwork net, int index)
    {
        foreach (LayerInfo layer in net.Layers)
        {
            foreach (TensorInfo t in layer.Tensors.Where(t => !t.IsBuffer))
            {
                if (index >= t.Offset && index < t.Offset + t.Length)
                {
                    return $"{t.Key}[{index - t.Offset}]";
                }
            }
        }

        return "?";
    }
}
