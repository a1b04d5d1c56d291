using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Tests.BatchNorm;
using NetGen.Tests.Training;
using Xunit;

namespace NetGen.Tests.Checkpoints;

/// <summary>BnMlp with another output width: dense2 is [4, 10] here, [5, 10] in BnMlp's files.</summary>
[Network]
[Input(12)]
[Dense(10)]
[BatchNorm]
[Tanh]
[Dense(4)]
public partial class BnMlpNarrow;

/// <summary>
/// A load either happens whole or changes nothing: for each way a file can be wrong, every bit of the network's
/// parameters and buffers, the optimizer's state and the trainer's next run are as before the failed load. And a
/// checkpoint of another optimizer continues with the file's weights and a fresh optimizer, and says so.
/// </summary>
[Collection(TrainingRunsAlone.Name)]
public class AtomicLoadTests
{
    private static readonly Dataset Data = ToyData.Clusters(48, 5, 12, seed: 5);

    private static readonly TrainingOptions OneEpoch = new() { Epochs = 1, BatchSize = 8, Seed = 3 };

    public static TheoryData<string> Corruptions => new()
    {
        "misshaped tensor", "missing tensor", "unexpected tensor", "optimizer buffer of another kind",
        "optimizer buffer too short", "optimizer buffer as int64", "state without step", "epoch negative",
        "epoch not a number", "epoch too large", "early stopping best not hex", "early stopping weights short",
        "truncated", "not safetensors", "adam step not whole",
    };

    /// <summary>A trained SGD-with-momentum trainer's checkpoint, or an Adam one's for the Adam cases.</summary>
    private static string WriteSource(IOptimizer optimizer, int seed)
    {
        string path = CheckpointFiles.NewPath("atomic-source");
        using var trainer = new Trainer(new BnMlp(seed), optimizer, 1);
        trainer.Fit(Data, null, OneEpoch with { Epochs = 2 });
        trainer.SaveCheckpoint(path, 2);
        return path;
    }

    private static void Corrupt(string kind, string source, string target)
    {
        static SafetensorsTensor F32(string name, int length) => SafetensorsTensor.F32(name, [length], new float[length]);
        switch (kind)
        {
            case "misshaped tensor":
                CheckpointFiles.Edit(source, target, t => t.Select(x => x.Name == "dense2.weight" ? SafetensorsTensor.F32(x.Name, [10, 5], x.Data) : x).ToList());
                break;
            case "missing tensor":
                CheckpointFiles.Edit(source, target, t => t.Where(x => x.Name != "dense2.bias").ToList());
                break;
            case "unexpected tensor":
                CheckpointFiles.Edit(source, target, t => [.. t, F32("dense3.weight", 4)]);
                break;
            case "optimizer buffer of another kind":
                CheckpointFiles.Edit(source, target, t => [.. t, F32("optimizer.exp_avg", BnMlp.ParameterCount)]);
                break;
            case "optimizer buffer too short":
                CheckpointFiles.Edit(source, target, t => t.Select(x => x.Name.StartsWith("optimizer.", StringComparison.Ordinal) ? SafetensorsTensor.F32(x.Name, [x.Data.Length - 1], x.Data[1..]) : x).ToList());
                break;
            case "optimizer buffer as int64":
                CheckpointFiles.Edit(source, target, t => t.Select(x => x.Name.StartsWith("optimizer.", StringComparison.Ordinal) ? SafetensorsTensor.I64(x.Name, [x.Data.Length], new long[x.Data.Length]) : x).ToList());
                break;
            case "state without step":
                CheckpointFiles.Edit(source, target, metadata: m => m.Remove("netgen.optimizer.step"));
                break;
            case "epoch negative":
                CheckpointFiles.Edit(source, target, metadata: m => m["netgen.epoch"] = "-3");
                break;
            case "epoch not a number":
                CheckpointFiles.Edit(source, target, metadata: m => m["netgen.epoch"] = "two");
                break;
            case "epoch too large":
                CheckpointFiles.Edit(source, target, metadata: m => m["netgen.epoch"] = "99999999999");
                break;
            case "early stopping best not hex":
            case "early stopping weights short":
                CheckpointFiles.Edit(
                    source,
                    target,
                    t => kind.EndsWith("short", StringComparison.Ordinal) ? [.. t, F32("early_stopping.parameters", 3), F32("early_stopping.buffers", 3)] : t,
                    m =>
                    {
                        m["netgen.early_stopping.monitor"] = "ValidationLoss";
                        m["netgen.early_stopping.best"] = kind.EndsWith("hex", StringComparison.Ordinal) ? "zz" : "3F800000";
                        m["netgen.early_stopping.best_epoch"] = "1";
                        m["netgen.early_stopping.since_best"] = "1";
                    });
                break;
            case "truncated":
                byte[] bytes = File.ReadAllBytes(source);
                File.WriteAllBytes(target, bytes[..(bytes.Length / 2)]);
                break;
            case "not safetensors":
                File.WriteAllText(target, "this is not a checkpoint");
                break;
            case "adam step not whole":
                int n = BnMlp.ParameterCount;
                CheckpointFiles.Edit(source, target, t => [.. t, SafetensorsTensor.F32("optimizer.step", [n], Enumerable.Repeat(1.5f, n).ToArray())]);
                break;
            default:
                throw new ArgumentException(kind, nameof(kind));
        }
    }

    private static IOptimizer OptimizerFor(string kind) => kind.StartsWith("adam", StringComparison.Ordinal) ? new Adam(0.01f) : new Sgd(0.05f, momentum: 0.9f);

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void A_failed_trainer_load_changes_nothing(string kind)
    {
        string source = WriteSource(OptimizerFor(kind), seed: 11);
        string bad = CheckpointFiles.NewPath("atomic-bad");
        try
        {
            Corrupt(kind, source, bad);

            // Two identical trained trainers: one tries the bad file, the other does not; both then train on.
            var tried = new BnMlp(2);
            var untouched = new BnMlp(2);
            using var a = new Trainer(tried, OptimizerFor(kind), 1);
            using var b = new Trainer(untouched, OptimizerFor(kind), 1);
            a.Fit(Data, null, OneEpoch);
            b.Fit(Data, null, OneEpoch);
            string before = CheckpointFiles.Snapshot(tried, a.Optimizer);

            Exception error = Assert.ThrowsAny<IOException>(() => a.LoadCheckpoint(bad));
            Assert.Contains(bad, error.Message, StringComparison.Ordinal);
            Assert.Equal(before, CheckpointFiles.Snapshot(tried, a.Optimizer));

            a.Fit(Data, null, OneEpoch with { Epochs = 2, StartEpoch = 1 });
            b.Fit(Data, null, OneEpoch with { Epochs = 2, StartEpoch = 1 });
            Assert.Equal(CheckpointFiles.Snapshot(untouched, b.Optimizer), CheckpointFiles.Snapshot(tried, a.Optimizer));
        }
        finally
        {
            File.Delete(source);
            File.Delete(bad);
        }
    }

    [Theory]
    [InlineData("misshaped tensor", true)]
    [InlineData("missing tensor", true)]
    [InlineData("unexpected tensor", true)]
    [InlineData("truncated", true)]
    [InlineData("truncated", false)]
    [InlineData("not safetensors", false)]
    public void A_failed_network_load_changes_nothing(string kind, bool strict)
    {
        string source = WriteSource(new Sgd(0.05f, momentum: 0.9f), seed: 11);
        string bad = CheckpointFiles.NewPath("atomic-net");
        try
        {
            Corrupt(kind, source, bad);
            var network = new BnMlp(2);
            int[] parameters = CheckpointFiles.Bits(network.Parameters), buffers = CheckpointFiles.Bits(network.Buffers);
            Assert.ThrowsAny<IOException>(() => Checkpoint.Load(network, bad, strict));
            Assert.Equal(parameters, CheckpointFiles.Bits(network.Parameters));
            Assert.Equal(buffers, CheckpointFiles.Bits(network.Buffers));
        }
        finally
        {
            File.Delete(source);
            File.Delete(bad);
        }
    }

    public static TheoryData<string, string> Continuations => new()
    {
        { "sgd-momentum", "adam" },
        { "adam", "sgd-momentum" },
        { "adamw", "adam" },
        { "adam", "adamw" },
        { "sgd-momentum", "sgd" },
        { "sgd", "sgd-momentum" },
        { "none", "adam" },
    };

    private static IOptimizer Make(string name) => name switch
    {
        "adam" => new Adam(0.01f),
        "adamw" => new AdamW(0.01f, weightDecay: 0.1f),
        "sgd-momentum" => new Sgd(0.05f, momentum: 0.9f),
        _ => new Sgd(0.05f),
    };

    [Theory]
    [MemberData(nameof(Continuations))]
    public void Continuing_with_another_optimizer_loads_the_weights_and_starts_the_optimizer_fresh(string written, string loading)
    {
        string path = CheckpointFiles.NewPath("continue");
        try
        {
            var writer = new BnMlp(11);
            if (written == "none")
            {
                using var t = new Trainer(writer, new Sgd(0.05f), 1);
                t.Fit(Data, null, OneEpoch);
                writer.Save(path); // weights only, as PyTorch would write them
            }
            else
            {
                using var t = new Trainer(writer, Make(written), 1);
                t.Fit(Data, null, OneEpoch with { Epochs = 2 });
                t.SaveCheckpoint(path, 2);
            }

            // The loading trainer has trained with its own optimizer, so a state that is not reset would show.
            var network = new BnMlp(2);
            using var trainer = new Trainer(network, Make(loading), 1);
            trainer.Fit(Data, null, OneEpoch);
            TrainerCheckpointLoad loaded = trainer.LoadCheckpoint(path);

            Assert.Equal(written == "none" ? 0 : 2, loaded.Epoch);
            Assert.Equal(OptimizerStateLoad.StartedFresh, loaded.OptimizerState);
            Assert.Contains("fresh", loaded.ToString(), StringComparison.Ordinal);
            if (written == "none")
            {
                Assert.Equal("the file has no optimizer state", loaded.OptimizerStateReason);
            }
            else if (written.StartsWith("sgd", StringComparison.Ordinal) == loading.StartsWith("sgd", StringComparison.Ordinal) && written[..3] == loading[..3] && (written == "adam") == (loading == "adam"))
            {
                Assert.Contains("momentum", loaded.OptimizerStateReason, StringComparison.Ordinal);
            }
            else
            {
                string fileKind = written.StartsWith("sgd", StringComparison.Ordinal) ? "sgd" : written;
                string kind = loading.StartsWith("sgd", StringComparison.Ordinal) ? "sgd" : loading;
                Assert.Equal($"the file's is of '{fileKind}', this optimizer is '{kind}'", loaded.OptimizerStateReason);
            }

            Assert.Equal(CheckpointFiles.Bits(writer.Parameters), CheckpointFiles.Bits(network.Parameters));
            Assert.Equal(CheckpointFiles.Bits(writer.Buffers), CheckpointFiles.Bits(network.Buffers));
            Assert.Equal(0, trainer.Optimizer.StepCount);
            Assert.Empty(trainer.Optimizer.ExportState().Buffers);

            // Its first step is a fresh optimizer's first step from those weights.
            var fresh = new BnMlp(3);
            Checkpoint.Load(fresh, path);
            using var reference = new Trainer(fresh, Make(loading), 1);
            int[] batch = [0, 5, 9, 13, 20, 31, 40, 47];
            trainer.TrainBatch(Data, batch);
            reference.TrainBatch(Data, batch);
            Assert.Equal(CheckpointFiles.Bits(fresh.Parameters), CheckpointFiles.Bits(network.Parameters));
            Assert.Equal(CheckpointFiles.Snapshot(fresh, reference.Optimizer), CheckpointFiles.Snapshot(network, trainer.Optimizer));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_same_optimizer_restores_the_state_and_says_so()
    {
        string path = CheckpointFiles.NewPath("restore");
        try
        {
            var writer = new BnMlp(11);
            using (var t = new Trainer(writer, new Adam(0.01f), 1))
            {
                t.Fit(Data, null, OneEpoch with { Epochs = 2 });
                t.SaveCheckpoint(path, 2);
            }

            using var trainer = new Trainer(new BnMlp(2), new Adam(0.01f), 1);
            TrainerCheckpointLoad loaded = trainer.LoadCheckpoint(path);
            int epoch = loaded.Epoch;
            Assert.Equal(2, epoch);
            Assert.Equal(OptimizerStateLoad.Restored, loaded.OptimizerState);
            Assert.Equal("", loaded.OptimizerStateReason);
            Assert.Equal(12, trainer.Optimizer.StepCount); // 48 samples in batches of 8, two epochs
            Assert.Equal("epoch 2; weights: loaded 8 tensors; skipped 0; missing 0; optimizer state: restored", loaded.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_cross_optimizer_load_reads_as_one_line()
    {
        string path = CheckpointFiles.NewPath("line");
        try
        {
            using (var t = new Trainer(new BnMlp(11), new Sgd(0.05f, momentum: 0.9f), 1))
            {
                t.Fit(Data, null, OneEpoch);
                t.SaveCheckpoint(path, 1);
            }

            using var trainer = new Trainer(new BnMlp(2), new Adam(0.01f), 1);
            Assert.Equal(
                "epoch 1; weights: loaded 8 tensors; skipped 0; missing 0; optimizer state: started fresh (the file's is of 'sgd', this optimizer is 'adam')",
                trainer.LoadCheckpoint(path).ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_load_result_says_what_was_loaded_skipped_and_missing()
    {
        string path = CheckpointFiles.NewPath("tostring");
        string partial = CheckpointFiles.NewPath("tostring-partial");
        try
        {
            new BnMlp(1).Save(path);
            CheckpointLoadResult narrow = Checkpoint.Load(new BnMlpNarrow(1), path, strict: false);
            Assert.Equal(
                "loaded 6 tensors; skipped 2: dense2.weight (shape [4, 10] expected, file has [5, 10]), dense2.bias (shape [4] expected, file has [5]); missing 0",
                narrow.ToString());

            CheckpointFiles.Edit(path, partial, t => t.Where(x => x.Name == "dense1.weight").ToList());
            CheckpointLoadResult few = Checkpoint.Load(new BnMlp(1), partial, strict: false);
            Assert.Equal(
                "loaded 1 tensor; skipped 0; missing 7: dense1.bias, bn1.weight, bn1.bias, bn1.running_mean, bn1.running_var, … and 2 more",
                few.ToString());
        }
        finally
        {
            File.Delete(path);
            File.Delete(partial);
        }
    }
}
