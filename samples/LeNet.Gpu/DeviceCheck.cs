using System;
using System.Globalization;
using NetGen;
using NetGen.Gpu;

namespace LeNetGpu;

/// <summary>
/// <c>--check</c>: a few LeNet-5 training steps on the device against the CPU's scalar path (one thread) from the
/// same weights, with the simple and then the tiled kernels: the loss, the gradient and the updated weights of
/// every step, then evaluation outputs, each within a relative tolerance that allows for the device's math
/// (CUDA's approximate exp). The test project checks every layer kind this way; this check needs no SDK, so it
/// also runs from a self-contained build on a machine that has a GPU and no .NET SDK.
/// </summary>
internal static class DeviceCheck
{
    private const double Tolerance = 2e-3;

    public static int Run(Dataset train, Dataset test, GpuDeviceKind kind, int seed)
    {
        bool ok = true;
        foreach (GpuKernelVariant variant in new[] { GpuKernelVariant.Simple, GpuKernelVariant.Tiled })
        {
            using GpuDevice device = GpuDevice.Create(kind, variant);
            var cpuNet = new LeNet5(seed) { KernelPath = KernelPath.Scalar };
            var gpuNet = new LeNet5(seed);
            using var cpu = new Trainer(cpuNet, new Sgd(0.05f, momentum: 0.9f), threadCount: 1);
            using var gpu = new GpuTrainer(gpuNet, new Sgd(0.05f, momentum: 0.9f), device);
            var gradients = new float[LeNet5.ParameterCount];
            double worst = 0;
            for (int step = 0; step < 3; step++)
            {
                int[] batch = new int[32];
                for (int i = 0; i < batch.Length; i++)
                {
                    batch[i] = (step * batch.Length) + i;
                }

                float cpuLoss = cpu.TrainBatch(train, batch, 1);
                float gpuLoss = gpu.TrainBatch(train, batch, 1);
                gpu.CopyGradients(gradients);
                worst = Math.Max(worst, Error([cpuLoss], [gpuLoss]));
                worst = Math.Max(worst, Error(cpu.Gradients, gradients));
                worst = Math.Max(worst, Error(cpuNet.Parameters, gpuNet.Parameters));
            }

            int count = Math.Min(256, test.Count);
            var expected = new float[count * LeNet5.OutputSize];
            var actual = new float[expected.Length];
            for (int i = 0; i < count; i++)
            {
                cpuNet.Predict(test.Sample(i), expected.AsSpan(i * LeNet5.OutputSize, LeNet5.OutputSize));
            }

            gpu.Predict(test, 0, count, actual);
            worst = Math.Max(worst, Error(expected, actual));
            bool passed = worst <= 1;
            ok &= passed;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"check {variant} kernels on {device.Name}: worst error {worst:F3} of the tolerance (relative {Tolerance:G2}) over 3 steps' loss, gradient and weights and {count} outputs: {(passed ? "passed" : "FAILED")}"));
        }

        return ok ? 0 : 1;
    }

    /// <summary>The largest error as a fraction of its bound: relative, against at least 1 % of the tensor's largest value.</summary>
    private static double Error(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        double scale = 0, worst = 0;
        foreach (float v in expected)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        for (int i = 0; i < expected.Length; i++)
        {
            double bound = Tolerance * Math.Max(Math.Abs(expected[i]), 1e-2 * Math.Max(scale, 1e-3));
            double error = float.IsFinite(actual[i]) ? Math.Abs(expected[i] - actual[i]) / bound : double.PositiveInfinity;
            worst = Math.Max(worst, error);
        }

        return worst;
    }
}
