using System;
using System.Globalization;
using System.Linq;
using NetGen.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Gpu.Tests.Reference;

/// <summary>
/// The generated ILGPU kernels against PyTorch: the reference files of tests/NetGen.Tests/Reference/Data (the
/// networks, catalog and loader are linked from there) through <see cref="GpuTrainer"/>, forward (the device's
/// Predict), the mean loss and every gradient of one training step, and, for optimizer cases, the weights and
/// BatchNorm's running statistics after two steps. Evaluation-mode cases compare Predict only: the device trains in
/// training mode.
/// </summary>
[Collection(GpuTests.Name)]
public sealed class GpuPyTorchReferenceTests(GpuFixture gpu, ITestOutputHelper output)
{
    /// <summary>
    /// The tolerance, as a multiple of <see cref="ReferenceData.Relative"/> and <see cref="ReferenceData.Absolute"/>:
    /// ILGPU's CPU accelerator sums in float in other orders than the CPU path (BatchNorm's statistics too, which the
    /// CPU gathers in double); a real GPU's exp and tanh are approximate instructions besides.
    /// </summary>
    private const double CpuAccelerator = 1, RealGpu = 1000;

    /// <summary>
    /// A subset, as ILGPU's CPU accelerator compiles every kernel of every network (about 0.5 s a case): four
    /// convolution cases that together still cover kernels 1–7, strides 1–3 and paddings 0–2; every other layer
    /// kind, loss and optimizer kind once; the graph cases (a projection residual with BatchNorm on both branches,
    /// Concat branches, a GlobalAvgPool2D head; ResNet-8 itself runs on the CPU paths only); the tiled Dense and Conv2D
    /// kernels on five cases.
    /// </summary>
    private static readonly string[] Simple =
    [
        "dense_wide", "conv_k3s1p0_k2s2p1", "conv_k5s1p2_k4s3p1", "conv_k6s3p2_k3s1p2", "conv_k1s1p1_k7s2p0",
        "pool_max", "pool_avg", "activations", "softmax_trailing", "softmax_middle", "dropout_eval", "leaky_relu", "gelu",
        "batchnorm_train", "no_bias", "batchnorm_eval", "loss_bce", "loss_mse", "sgd_nesterov", "adam", "adamw",
        "residual_projection", "concat_branches", "gap_head",
    ];

    private static readonly string[] Tiled = ["dense_wide", "conv_k3s1p0_k2s2p1", "conv_wide", "no_bias", "residual_projection"];

    public static TheoryData<string, GpuKernelVariant> Cases()
    {
        var data = new TheoryData<string, GpuKernelVariant>();
        foreach (string name in Simple)
        {
            data.Add(name, GpuKernelVariant.Simple);
        }

        foreach (string name in Tiled)
        {
            data.Add(name, GpuKernelVariant.Tiled);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_PyTorch_on_the_device(string name, GpuKernelVariant variant)
    {
        GpuDevice device = variant == GpuKernelVariant.Tiled ? gpu.Tiled : gpu.Simple;
        double looser = device.IsCpu ? CpuAccelerator : RealGpu;
        ReferenceEntry entry = ReferenceCatalog.Get(name);
        ReferenceData data = ReferenceData.Load(name);
        INetwork net = entry.Create();
        data.LoadWeights(net);
        IOptimizer? optimizer = entry.Optimizer?.Invoke();
        ReferenceCatalog.AssertSettingsMatch(data, entry, net, optimizer);
        Dataset batch = data.Dataset(net);
        int n = batch.Count, classes = net.OutputSize;
        void Note(string what, double worst) => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} ({variant}): {what}: worst error {worst:F3} of the tolerance ×{looser}"));

        using var trainer = new GpuTrainer(net, optimizer ?? new Sgd(0f), device);
        trainer.Fit(batch, null, new TrainingOptions { Epochs = 0, BatchSize = n, Loss = entry.Loss }); // selects the loss for TrainBatch
        var outputs = new float[n * classes];
        trainer.Predict(batch, 0, n, outputs);
        Note("eval_output", data.AssertClose("eval_output", outputs, "the device's Predict output", ReferenceData.SampleOutput(classes), looser));
        if (!data.Training)
        {
            output.WriteLine($"{name} ({variant}): evaluation mode; the device trains in training mode, so only Predict is compared.");
            return;
        }

        int[] all = Enumerable.Range(0, n).ToArray();
        Note("loss", data.AssertClose("loss", [trainer.TrainBatch(batch, all)], "the device's mean loss", looser: looser));
        var gradients = new float[net.ParameterCount];
        trainer.CopyGradients(gradients);
        Note("gradients", data.AssertTensorsClose(net, "grad.", gradients, buffers: false, "the device's gradient", looser));
        if (optimizer is null)
        {
            return;
        }

        for (int step = 1; step <= 2; step++)
        {
            if (step == 2)
            {
                Note("step 2 loss", data.AssertClose("step2.loss", [trainer.TrainBatch(batch, all)], "the device's mean loss at step 2", looser: looser));
            }

            string prefix = "step" + step.ToString(CultureInfo.InvariantCulture) + ".";
            Note("step " + step, Math.Max(
                data.AssertTensorsClose(net, prefix, net.Parameters, buffers: false, "the device's weights after step " + step, looser),
                data.AssertTensorsClose(net, prefix, net.Buffers, buffers: true, "the device's running statistics after step " + step, looser)));
        }
    }
}
