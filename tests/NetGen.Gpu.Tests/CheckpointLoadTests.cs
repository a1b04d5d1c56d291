using System;
using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Gpu.Tests;

/// <summary>The GPU trainer's loads: whole or nothing, and another optimizer's checkpoint continues with a fresh optimizer.</summary>
[Collection(GpuTests.Name)]
public sealed class CheckpointLoadTests(GpuFixture gpu)
{
    private static int[] Bits(ReadOnlySpan<float> values) => values.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

    [Fact]
    public void A_failed_load_changes_nothing_and_another_optimizers_checkpoint_starts_fresh()
    {
        string path = Path.Combine(Path.GetTempPath(), "netgen-gpu-load-" + Guid.NewGuid().ToString("N") + ".safetensors");
        string bad = path + ".bad.safetensors";
        try
        {
            var writer = new GpuBatchNormNet(18);
            Dataset data = DeviceOracle.RandomData(writer, 8, 11);
            using (var sgd = new GpuTrainer(writer, new Sgd(0.05f, momentum: 0.9f), gpu.Simple))
            {
                sgd.Fit(data, null, new TrainingOptions { Epochs = 1, BatchSize = 4, Seed = 12 });
                sgd.SaveCheckpoint(path, 1);
            }

            var network = new GpuBatchNormNet(5);
            using var trainer = new GpuTrainer(network, new Adam(1e-2f), gpu.Simple);
            trainer.Fit(data, null, new TrainingOptions { Epochs = 1, BatchSize = 4, Seed = 12 });
            int[] parameters = Bits(network.Parameters), buffers = Bits(network.Buffers);
            OptimizerState state = trainer.Optimizer.ExportState();

            // A truncated file and a bad epoch: nothing changes, on the host or (the next Fit uploads it) the device.
            byte[] bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(bad, bytes[..(bytes.Length - 7)]);
            Assert.Throws<SafetensorsFormatException>(() => trainer.LoadCheckpoint(bad));
            SafetensorsFile file = SafetensorsFile.Read(path);
            var metadata = file.Metadata.ToDictionary(m => m.Key, m => m.Value);
            metadata["netgen.epoch"] = "-1";
            SafetensorsFile.Write(bad, file.Tensors, metadata);
            Assert.Throws<SafetensorsFormatException>(() => trainer.LoadCheckpoint(bad));
            Assert.Equal(parameters, Bits(network.Parameters));
            Assert.Equal(buffers, Bits(network.Buffers));
            Assert.Equal(state.StepCount, trainer.Optimizer.StepCount);
            Assert.Equal(Bits(state.Buffers["exp_avg"]), Bits(trainer.Optimizer.ExportState().Buffers["exp_avg"]));

            TrainerCheckpointLoad loaded = trainer.LoadCheckpoint(path);
            Assert.Equal(1, loaded.Epoch);
            Assert.Equal(OptimizerStateLoad.StartedFresh, loaded.OptimizerState);
            Assert.Equal("the file's is of 'sgd', this optimizer is 'adam'", loaded.OptimizerStateReason);
            Assert.Equal(Bits(writer.Parameters), Bits(network.Parameters));
            Assert.Equal(Bits(writer.Buffers), Bits(network.Buffers));
            Assert.Equal(0, trainer.Optimizer.StepCount);

            // Its first epoch is a fresh Adam's from those weights.
            var fresh = new GpuBatchNormNet(6);
            Checkpoint.Load(fresh, path);
            using var reference = new GpuTrainer(fresh, new Adam(1e-2f), gpu.Simple);
            var next = new TrainingOptions { Epochs = 2, StartEpoch = 1, BatchSize = 4, Seed = 12 };
            trainer.Fit(data, null, next);
            reference.Fit(data, null, next);
            Assert.Equal(Bits(fresh.Parameters), Bits(network.Parameters));
        }
        finally
        {
            File.Delete(path);
            File.Delete(bad);
        }
    }

    [Fact]
    public void A_checkpoint_path_in_a_missing_folder_is_refused_before_the_first_epoch()
    {
        var network = new GpuBatchNormNet(5);
        Dataset data = DeviceOracle.RandomData(network, 8, 11);
        int[] parameters = Bits(network.Parameters);
        string path = Path.Combine(Path.GetTempPath(), "netgen-absent-" + Guid.NewGuid().ToString("N"), "run.safetensors");
        using var trainer = new GpuTrainer(network, new Adam(1e-2f), gpu.Simple);
        var error = Assert.Throws<OutputPathException>(() => trainer.Fit(data, null, new TrainingOptions { Epochs = 1, BatchSize = 4, CheckpointPath = path }));
        Assert.StartsWith($"TrainingOptions.CheckpointPath: cannot write '{path}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(parameters, Bits(network.Parameters));
        Assert.Equal(0, trainer.Optimizer.StepCount);
    }
}
