using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Gpu.Tests;

/// <summary>
/// Fit on the device against Fit on the CPU (one thread, scalar path) from the same weights and seed: the same
/// shuffling, losses, schedules, clipping, frozen layers, validation, early stopping and divergence handling.
/// </summary>
[Collection(GpuTests.Name)]
public sealed class TrainingTests(GpuFixture gpu)
{
    [Fact]
    public void BinaryCrossEntropy_WithTrailingSigmoid_FitsLikeTheCpu() =>
        AssertFitsAgree(() => new GpuBinaryNet(11), () => new Adam(1e-2f), count: 10, new TrainingOptions
        {
            Epochs = 2,
            BatchSize = 4,
            Seed = 3,
            Loss = new BinaryCrossEntropyWithLogitsLoss(),
        }, gpu.Simple);

    [Fact]
    public void MeanSquaredError_OnTargets_FitsLikeTheCpu() =>
        AssertFitsAgree(() => new GpuRegressionNet(12), () => new Sgd(0.1f, momentum: 0.9f), count: 10, new TrainingOptions
        {
            Epochs = 2,
            BatchSize = 3,
            Seed = 4,
            Loss = new MeanSquaredErrorLoss(),
        }, gpu.Simple, targets: true);

    [Fact]
    public void ScheduleClippingMultipliersAndValidation_FitLikeTheCpu() =>
        AssertFitsAgree(() => new GpuDenseNet(13), () => new AdamW(1e-2f), count: 12, new TrainingOptions
        {
            Epochs = 3,
            BatchSize = 5,
            Seed = 5,
            Schedule = LearningRateSchedule.Cosine(3).WithWarmUp(2),
            MaxGradientNorm = 0.05f,
            LearningRateMultipliers = new Dictionary<string, float> { ["dense2"] = 0.5f },
        }, gpu.Simple, validate: true);

    [Fact]
    public void FrozenLayers_StayFixed_AndTheRestFitsLikeTheCpu()
    {
        var options = new TrainingOptions { Epochs = 2, BatchSize = 4, Seed = 6, FrozenLayers = ["conv1"] };
        (INetwork cpuNet, INetwork gpuNet) = AssertFitsAgree(() => new GpuConvNet(14), () => new Sgd(0.05f, momentum: 0.9f), count: 8, options, gpu.Simple);
        Assert.Equal(new GpuConvNet(14).Conv1.Weights.ToArray(), ((GpuConvNet)gpuNet).Conv1.Weights.ToArray());
        Assert.NotEqual(new GpuConvNet(14).Conv2.Weights.ToArray(), ((GpuConvNet)gpuNet).Conv2.Weights.ToArray());
        Assert.Equal(2, cpuNet.TrainableFrom);
    }

    [Fact]
    public void EarlyStopping_RestoresTheBestEpoch_LikeTheCpu() =>
        AssertFitsAgree(() => new GpuBatchNormNet(15), () => new Sgd(0.2f, momentum: 0.9f), count: 12, new TrainingOptions
        {
            Epochs = 4,
            BatchSize = 6,
            Seed = 7,
            EarlyStopping = new EarlyStopping(patience: 1, monitor: EarlyStoppingMonitor.ValidationAccuracy),
        }, gpu.Simple, validate: true);

    [Fact]
    public void NonFiniteLoss_StopsAtTheSameBatch_WithTheStepNotApplied()
    {
        var cpuNet = new GpuSoftmaxNet(16);
        var gpuNet = new GpuSoftmaxNet(16);
        cpuNet.KernelPath = KernelPath.Scalar;
        Dataset data = DeviceOracle.RandomData(cpuNet, 12, 8);
        var options = new TrainingOptions { Epochs = 2, BatchSize = 3, Seed = 9 };
        // Find where sample 7 falls in epoch 2 (index 1), and poison it there.
        int[] order = Enumerable.Range(0, data.Count).ToArray();
        new Rng(Rng.Mix(options.Seed, 1)).Shuffle(order);
        data.Features[7 * GpuSoftmaxNet.InputSize] = float.NaN;
        int batch = (Array.IndexOf(order, 7) / options.BatchSize) + 1;

        using var cpu = new Trainer(cpuNet, new Sgd(0.1f, momentum: 0.9f), threadCount: 1);
        using var device = new GpuTrainer(gpuNet, new Sgd(0.1f, momentum: 0.9f), gpu.Simple);
        // In epoch 1 the NaN sample also diverges; train epoch 2 alone from the same start.
        var resumed = options with { StartEpoch = 1 };
        var cpuError = Assert.Throws<TrainingDivergedException>(() => cpu.Fit(data, null, resumed));
        var gpuError = Assert.Throws<TrainingDivergedException>(() => device.Fit(data, null, resumed));
        Assert.Equal((2, batch), (cpuError.Epoch, cpuError.Batch));
        Assert.Equal((cpuError.Epoch, cpuError.Batch), (gpuError.Epoch, gpuError.Batch));
        Assert.Equal(cpuError.Message, gpuError.Message);
        DeviceOracle.AssertClose(cpuNet.Parameters, gpuNet.Parameters, "weights after the divergence", i => DeviceOracle.TensorName(cpuNet, i), DeviceOracle.For(gpu.Simple));
        Assert.Equal(cpu.Optimizer.StepCount, device.Optimizer.StepCount);
    }

    [Fact]
    public void Progress_ReportsEveryBatch_WithTheCpusFigures()
    {
        var cpuReports = new List<TrainingProgress>();
        var gpuReports = new List<TrainingProgress>();
        AssertFitsAgree(() => new GpuDenseNet(17), () => new Sgd(0.1f), count: 10, new TrainingOptions { Epochs = 2, BatchSize = 4, Seed = 10, Progress = new Collect(cpuReports) }, gpu.Simple,
            gpuOptions: o => o with { Progress = new Collect(gpuReports) });
        Assert.Equal(cpuReports.Count, gpuReports.Count);
        Assert.Equal(2 * (3 + 1), gpuReports.Count);
        for (int i = 0; i < cpuReports.Count; i++)
        {
            Assert.Equal((cpuReports[i].Epoch, cpuReports[i].Batch, cpuReports[i].Batches), (gpuReports[i].Epoch, gpuReports[i].Batch, gpuReports[i].Batches));
            DeviceOracle.AssertClose([cpuReports[i].Loss], [gpuReports[i].Loss], "reported loss " + i, _ => "loss");
            Assert.Equal(cpuReports[i].Accuracy, gpuReports[i].Accuracy);
        }
    }

    [Fact]
    public void Checkpoint_WrittenFromTheDevice_ResumesOnTheCpu()
    {
        string path = Path.Combine(Path.GetTempPath(), "netgen-gpu-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            var net = new GpuBatchNormNet(18);
            Dataset data = DeviceOracle.RandomData(net, 8, 11);
            using (var trainer = new GpuTrainer(net, new AdamW(1e-2f), gpu.Simple))
            {
                trainer.Fit(data, null, new TrainingOptions { Epochs = 1, BatchSize = 4, Seed = 12, CheckpointPath = path });
            }

            var restored = new GpuBatchNormNet(99);
            using var cpu = new Trainer(restored, new AdamW(1e-2f), threadCount: 1);
            Assert.Equal(1, cpu.LoadCheckpoint(path).Epoch);
            Assert.Equal(net.Parameters.ToArray(), restored.Parameters.ToArray());
            Assert.Equal(net.Buffers.ToArray(), restored.Buffers.ToArray());
            Assert.Equal(2, cpu.Optimizer.StepCount);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Resuming_OnTheDevice_WithEarlyStopping_StopsAndRestoresAsNeverStopping()
    {
        // No epoch improves on epoch 1 by the minimum delta: stop after epoch 4, restore epoch 1.
        var options = new TrainingOptions { Epochs = 8, BatchSize = 4, Seed = 13, EarlyStopping = new EarlyStopping(patience: 3, minDelta: 1e6f) };
        var straight = new GpuBatchNormNet(19);
        Dataset data = DeviceOracle.RandomData(straight, 12, 14), validation = DeviceOracle.RandomData(straight, 6, 15);
        TrainingHistory whole;
        using (var trainer = new GpuTrainer(straight, new AdamW(1e-2f), gpu.Simple))
        {
            whole = trainer.Fit(data, validation, options);
        }

        Assert.Equal((StopReason.EarlyStopped, 1, 4), (whole.StopReason, whole.BestEpoch, whole.Epochs.Count));
        string path = Path.Combine(Path.GetTempPath(), "netgen-gpu-stop-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            using (var trainer = new GpuTrainer(new GpuBatchNormNet(19), new AdamW(1e-2f), gpu.Simple))
            {
                trainer.Fit(data, validation, options with { Epochs = 2, CheckpointPath = path });
            }

            var resumed = new GpuBatchNormNet(77);
            using var device = new GpuTrainer(resumed, new AdamW(1e-2f), gpu.Simple);
            int epoch = device.LoadCheckpoint(path).Epoch;
            TrainingHistory rest = device.Fit(data, validation, options with { StartEpoch = epoch });

            Assert.Equal((StopReason.EarlyStopped, 1, 4), (rest.StopReason, rest.BestEpoch, rest.Epochs[^1].Epoch));
            Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
            Assert.Equal(straight.Buffers.ToArray(), resumed.Buffers.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Adam_LayerUnfrozenLater_CountsItsOwnSteps_LikeTheCpu()
    {
        var cpuNet = new GpuConvNet(20);
        var gpuNet = new GpuConvNet(20);
        cpuNet.KernelPath = KernelPath.Scalar;
        Dataset data = DeviceOracle.RandomData(cpuNet, 8, 21);
        using var cpu = new Trainer(cpuNet, new AdamW(1e-2f, weightDecay: 0.1f), threadCount: 1);
        using var device = new GpuTrainer(gpuNet, new AdamW(1e-2f, weightDecay: 0.1f), gpu.Simple);

        // Two epochs of two batches with conv1 frozen, then one with everything: conv1 has taken 2 steps, the rest 6.
        var frozen = new TrainingOptions { Epochs = 2, BatchSize = 4, Seed = 22, FrozenLayers = ["conv1"] };
        var all = frozen with { FrozenLayers = null, StartEpoch = 2, Epochs = 3 };
        cpu.Fit(data, null, frozen);
        device.Fit(data, null, frozen);
        cpu.Fit(data, null, all);
        device.Fit(data, null, all);

        DeviceOracle.AssertClose(cpuNet.Parameters, gpuNet.Parameters, "weights after unfreezing conv1", i => DeviceOracle.TensorName(cpuNet, i), DeviceOracle.For(gpu.Simple));
        float[] cpuSteps = cpu.Optimizer.ExportState().Buffers["step"], gpuSteps = device.Optimizer.ExportState().Buffers["step"];
        Assert.Equal(cpuSteps, gpuSteps);
        int conv1 = cpuNet.Layers[0].ParameterCount;
        Assert.All(gpuSteps.AsSpan(0, conv1).ToArray(), c => Assert.Equal(2f, c));
        Assert.All(gpuSteps.AsSpan(conv1).ToArray(), c => Assert.Equal(6f, c));
    }

    [Fact]
    public void EvaluatingFromCallbacks_DuringFit_SeesTheDeviceWeights_AndChangesNothing()
    {
        var a = new GpuDenseNet(19);
        var b = new GpuDenseNet(19);
        Dataset train = DeviceOracle.RandomData(a, 12, 30), check = DeviceOracle.RandomData(a, 6, 31);
        using var plain = new GpuTrainer(a, new Sgd(0.1f, momentum: 0.9f), gpu.Simple);
        using var observed = new GpuTrainer(b, new Sgd(0.1f, momentum: 0.9f), gpu.Simple);
        var options = new TrainingOptions { Epochs = 2, BatchSize = 4, Seed = 13 };
        TrainingHistory expected = plain.Fit(train, check, options);
        var seen = new List<float>();
        var reports = new List<TrainingProgress>();
        TrainingHistory actual = observed.Fit(train, check, options with
        {
            OnEpoch = _ => seen.Add(observed.Accuracy(check)),
            Progress = new Collect(reports, () => observed.Evaluate(check)),
        });
        Assert.Equal(expected.Epochs.Select(e => e.ValidationAccuracy!.Value), seen);
        Assert.Equal(expected.Epochs.Select(e => e.TrainingLoss), actual.Epochs.Select(e => e.TrainingLoss));
        Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
        Assert.Throws<InvalidOperationException>(() => observed.Fit(train, check, options with { OnEpoch = _ => observed.TrainBatch(train, [0]) }));
    }

    /// <summary>Fits both and compares every epoch's figures, the weights, the buffers and the optimizer state.</summary>
    internal static (INetwork Cpu, INetwork Gpu) AssertFitsAgree(Func<INetwork> create, Func<IOptimizer> optimizer, int count, TrainingOptions options, GpuDevice device, bool targets = false, bool validate = false, Dataset? train = null, Dataset? validation = null, Func<TrainingOptions, TrainingOptions>? gpuOptions = null)
    {
        INetwork cpuNet = create(), gpuNet = create();
        cpuNet.KernelPath = KernelPath.Scalar;
        train ??= DeviceOracle.RandomData(cpuNet, count, 21, targets);
        validation ??= validate ? DeviceOracle.RandomData(cpuNet, count, 22, targets) : null;
        using var cpu = new Trainer(cpuNet, optimizer(), threadCount: 1);
        using var gpuTrainer = new GpuTrainer(gpuNet, optimizer(), device);
        TrainingHistory expected = cpu.Fit(train, validation, options);
        TrainingHistory actual = gpuTrainer.Fit(train, validation, gpuOptions is null ? options : gpuOptions(options));
        Assert.Equal(expected.Epochs.Count, actual.Epochs.Count);
        Assert.Equal(expected.StopReason, actual.StopReason);
        Assert.Equal(expected.BestEpoch, actual.BestEpoch);
        double tolerance = DeviceOracle.For(device);
        // On the CPU accelerator the predictions agree exactly; a real GPU's approximate math may flip a near tie.
        float slack = device.IsCpu ? 0f : 1.01f / Math.Min(train.Count, validation?.Count ?? train.Count);
        for (int e = 0; e < expected.Epochs.Count; e++)
        {
            EpochResult c = expected.Epochs[e], g = actual.Epochs[e];
            DeviceOracle.AssertClose([c.TrainingLoss], [g.TrainingLoss], "epoch " + c.Epoch + " training loss", _ => "loss", tolerance);
            Assert.InRange(g.TrainingAccuracy, c.TrainingAccuracy - slack, c.TrainingAccuracy + slack);
            Assert.Equal(c.ValidationAccuracy is null, g.ValidationAccuracy is null);
            if (c.ValidationAccuracy is float accuracy)
            {
                Assert.InRange(g.ValidationAccuracy!.Value, accuracy - slack, accuracy + slack);
            }

            Assert.Equal(c.LearningRate, g.LearningRate);
            if (c.ValidationLoss is float loss)
            {
                DeviceOracle.AssertClose([loss], [g.ValidationLoss!.Value], "epoch " + c.Epoch + " validation loss", _ => "loss", tolerance);
            }
        }

        DeviceOracle.AssertClose(cpuNet.Parameters, gpuNet.Parameters, "weights", i => DeviceOracle.TensorName(cpuNet, i), tolerance);
        DeviceOracle.AssertClose(cpuNet.Buffers, gpuNet.Buffers, "buffers", i => "buffer " + i, tolerance);
        OptimizerState cpuState = cpu.Optimizer.ExportState(), gpuState = gpuTrainer.Optimizer.ExportState();
        Assert.Equal(cpuState.StepCount, gpuState.StepCount);
        Assert.Equal(cpuState.Buffers.Keys.Order(), gpuState.Buffers.Keys.Order());
        foreach (string key in cpuState.Buffers.Keys)
        {
            DeviceOracle.AssertClose(cpuState.Buffers[key], gpuState.Buffers[key], "optimizer " + key, i => DeviceOracle.TensorName(cpuNet, i), tolerance);
        }

        return (cpuNet, gpuNet);
    }

    /// <summary>Collects progress reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class Collect(List<TrainingProgress> reports, Action? also = null) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            reports.Add(value);
            also?.Invoke();
        }
    }
}
