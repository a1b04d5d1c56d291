using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen.Tests.BatchNorm;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>A small MLP for the trainer's options: three layers with parameters.</summary>
[Network, Input(6)]
[Dense(8), ReLU]
[Dense(8), ReLU]
[Dense(3)]
public partial class OptionsMlp;

[Collection(TrainingRunsAlone.Name)]
public class TrainerOptionsTests
{
    private static Dataset Clusters(int count = 96) => ToyData.Clusters(count, 3, 6, seed: 5);

    /// <summary>Images for <see cref="BnConv"/>: 4 classes, each a noisy pattern of its own.</summary>
    private static Dataset Images(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var features = new float[count * 72];
        var labels = new int[count];
        for (int s = 0; s < count; s++)
        {
            labels[s] = s % 4;
            for (int i = 0; i < 72; i++)
            {
                features[(s * 72) + i] = (i % 4 == labels[s] ? 1f : -0.5f) + (rng.NextFloat() - 0.5f);
            }
        }

        return new Dataset(features, labels, [2, 6, 6], 4);
    }

    private static float[] Tensor(INetwork net, string key)
    {
        TensorInfo t = net.Layers.SelectMany(l => l.Tensors).Single(t => t.Key == key);
        return (t.IsBuffer ? net.Buffers : net.Parameters).Slice(t.Offset, t.Length).ToArray();
    }

    [Fact]
    public void Frozen_layers_keep_their_weights_bit_for_bit_and_the_others_train()
    {
        var net = new OptionsMlp(1);
        float[] dense1 = Tensor(net, "dense1.weight"), dense2 = Tensor(net, "dense2.weight"), dense3 = Tensor(net, "dense3.weight");
        using var trainer = new Trainer(net, new AdamW(0.01f), 2);
        trainer.Fit(Clusters(), null, new TrainingOptions { Epochs = 2, BatchSize = 16, FrozenLayers = ["dense1", "dense2"] });
        Assert.Equal(dense1, Tensor(net, "dense1.weight"));
        Assert.Equal(dense2, Tensor(net, "dense2.weight"));
        Assert.NotEqual(dense3, Tensor(net, "dense3.weight"));

        // Backward stops below the lowest trainable layer (dense3, layer 4).
        Assert.Equal(4, net.TrainableFrom);
        Assert.All(trainer.Gradients.Slice(0, net.Layers[4].Tensors[0].Offset).ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void TrainLastLayers_freezes_all_but_the_last_N_layers_with_parameters()
    {
        var net = new OptionsMlp(1);
        float[] dense1 = Tensor(net, "dense1.weight"), dense2 = Tensor(net, "dense2.weight");
        using var trainer = new Trainer(net, new Sgd(0.1f), 1);
        trainer.Fit(Clusters(), null, new TrainingOptions { Epochs = 1, BatchSize = 16, TrainLastLayers = 2 });
        Assert.Equal(dense1, Tensor(net, "dense1.weight"));
        Assert.NotEqual(dense2, Tensor(net, "dense2.weight"));
        Assert.Equal(2, net.TrainableFrom);
    }

    [Fact]
    public void Unknown_layer_names_are_errors_that_list_the_layers()
    {
        using var trainer = new Trainer(new OptionsMlp(1), new Sgd(0.1f), 1);
        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(Clusters(), null, new TrainingOptions { Epochs = 1, FrozenLayers = ["conv1"] }));
        Assert.Contains("'conv1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("dense1, relu1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_learning_rate_multiplier_scales_that_layers_steps()
    {
        // Plain SGD: one step moves each weight by lr·scale·g, so a multiplier of 0.25 moves dense3 a quarter as far.
        float[] Delta(float scale)
        {
            var net = new OptionsMlp(1);
            float[] before = Tensor(net, "dense3.weight");
            using var trainer = new Trainer(net, new Sgd(0.5f), 1);
            Dataset data = Clusters(16);
            trainer.Fit(data, null, new TrainingOptions { Epochs = 1, BatchSize = 16, LearningRateMultipliers = new Dictionary<string, float> { ["dense3"] = scale } });
            return before.Zip(Tensor(net, "dense3.weight"), (a, b) => a - b).ToArray();
        }

        float[] full = Delta(1f), quarter = Delta(0.25f);
        Assert.Contains(full, d => d != 0f);
        for (int i = 0; i < full.Length; i++)
        {
            Assert.Equal(0.25 * full[i], quarter[i], 1e-6);
        }
    }

    [Fact]
    public void Early_stopping_stops_after_patience_epochs_without_improvement_and_restores_the_best_weights()
    {
        // The validation labels are the training labels rotated: the better the network fits the training set,
        // the worse its validation loss, so the first epoch is the best and training stops after 1 + patience.
        Dataset train = Clusters();
        var validation = new Dataset(train.Features, train.Labels.Select(l => (l + 1) % 3).ToArray(), train.SampleShape, 3);
        var net = new OptionsMlp(1);
        using var trainer = new Trainer(net, new Sgd(0.05f, 0.9f), 1);
        TrainingHistory history = trainer.Fit(train, validation, new TrainingOptions { Epochs = 20, BatchSize = 16, EarlyStopping = new EarlyStopping(patience: 2) });
        Assert.Equal(StopReason.EarlyStopped, history.StopReason);
        Assert.Equal(1, history.BestEpoch);
        Assert.Equal(3, history.Epochs.Count);
        Assert.True(history.Epochs[2].ValidationLoss > history.Epochs[0].ValidationLoss);

        // The weights are those after epoch 1: the same as a run of one epoch.
        var once = new OptionsMlp(1);
        using var reference = new Trainer(once, new Sgd(0.05f, 0.9f), 1);
        reference.Fit(train, null, new TrainingOptions { Epochs = 1, BatchSize = 16 });
        Assert.Equal(once.Parameters.ToArray(), net.Parameters.ToArray());
    }

    [Fact]
    public void A_NaN_loss_stops_training_with_a_message_and_the_step_is_not_applied()
    {
        // A NaN bias makes every logit NaN, as a diverged step would; ReLU would swallow a NaN input (NaN > 0 is false).
        Dataset data = Clusters(32);
        var net = new OptionsMlp(1);
        net.Dense3.Bias[0] = float.NaN;
        float[] before = net.Parameters.ToArray();
        using var trainer = new Trainer(net, new Adam(0.01f), 1);
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(data, null, new TrainingOptions { Epochs = 3, BatchSize = 32 }));
        Assert.Equal(1, error.Epoch);
        Assert.Equal(1, error.Batch);
        Assert.Contains("NaN", error.Message, StringComparison.Ordinal);
        Assert.Contains("learning rate", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void Progress_is_reported_after_every_batch_and_every_epoch()
    {
        var reports = new List<TrainingProgress>();
        using var trainer = new Trainer(new OptionsMlp(1), new Sgd(0.1f), 2);
        trainer.Fit(Clusters(100), Clusters(30), new TrainingOptions { Epochs = 2, BatchSize = 32, Progress = new Synchronous<TrainingProgress>(reports.Add) });

        // 100 samples in batches of 32: 4 batches, then the epoch's report.
        Assert.Equal(2 * (4 + 1), reports.Count);
        Assert.Equal([1, 2, 3, 4, 4], reports.Take(5).Select(r => r.Batch));
        Assert.All(reports.Take(4), r => Assert.Null(r.EpochResult));
        Assert.NotNull(reports[4].EpochResult);
        Assert.NotNull(reports[4].EpochResult!.ValidationAccuracy);
        Assert.All(reports, r => Assert.True(r.Loss > 0 && r.Accuracy is >= 0 and <= 1 && r.Batches == 4 && r.Epochs == 2));
        Assert.Equal(TimeSpan.Zero, reports[^1].Remaining);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_BatchNorm_step_applies_the_batch_gradient_of_an_independent_batch_pass(int threads)
    {
        // SGD with lr 1 and no momentum moves θ by exactly −g; compare g with the test's own single-threaded batch pass.
        Dataset data = Images(6, seed: 3);
        var reference = new BnConv(2);
        var pass = new BatchPass(reference, Enumerable.Range(0, 6).Select(i => data.Sample(i).ToArray()).ToArray(), data.Labels);
        float[] expected = pass.Gradient();

        var net = new BnConv(2);
        float[] before = net.Parameters.ToArray();
        using var trainer = new Trainer(net, new Sgd(1f), threads);
        trainer.TrainBatch(data, [0, 1, 2, 3, 4, 5], dropoutSeed: 0);
        float[] step = before.Zip(net.Parameters.ToArray(), (a, b) => a - b).ToArray();
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(step[i] - expected[i]) <= 1e-5 * scale, $"parameter {i}: step {step[i]}, batch gradient {expected[i]}");
        }

        // The running statistics moved as PyTorch moves them: momentum 0.1 from 0 and 1.
        Assert.Contains(Tensor(net, "bn1.running_mean"), v => v != 0f);
    }

    [Fact]
    public void Resuming_from_a_checkpoint_gives_the_same_weights_as_never_stopping()
    {
        Dataset data = Images(40, seed: 9);
        var options = new TrainingOptions { Epochs = 4, BatchSize = 8, Seed = 17, Schedule = LearningRateSchedule.Cosine(4).WithWarmUp(3) };

        var straight = new BnConv(4);
        using (var trainer = new Trainer(straight, new AdamW(0.01f, weightDecay: 0.05f), 2))
        {
            trainer.Fit(data, null, options);
        }

        string path = Path.Combine(Path.GetTempPath(), $"netgen-resume-{Guid.NewGuid():N}.safetensors");
        try
        {
            var first = new BnConv(4);
            using (var trainer = new Trainer(first, new AdamW(0.01f, weightDecay: 0.05f), 2))
            {
                trainer.Fit(data, null, options with { Epochs = 2, CheckpointPath = path });
            }

            // A fresh network (other initial weights) and a fresh optimizer pick up where the file left off.
            var resumed = new BnConv(99);
            using (var trainer = new Trainer(resumed, new AdamW(0.01f, weightDecay: 0.05f), 2))
            {
                int epoch = trainer.LoadCheckpoint(path).Epoch;
                Assert.Equal(2, epoch);
                trainer.Fit(data, null, options with { StartEpoch = epoch });
            }

            Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
            Assert.Equal(straight.Buffers.ToArray(), resumed.Buffers.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Resuming_a_run_with_early_stopping_stops_and_restores_as_never_stopping(int stopAfter)
    {
        // A minimum improvement no epoch reaches: epoch 1 stays the best, the run stops after epoch 1 + patience
        // and restores epoch 1's weights. Interrupted after epoch 2 or 3, the resumed run must still know that.
        Dataset data = Images(40, seed: 9), validation = Images(16, seed: 10);
        var options = new TrainingOptions
        {
            Epochs = 10, BatchSize = 8, Seed = 17,
            EarlyStopping = new EarlyStopping(patience: 3, minDelta: 1e6f),
        };

        var straight = new BnConv(4);
        float[] afterEpoch1;
        using (var trainer = new Trainer(straight, new AdamW(0.01f), 2))
        {
            trainer.Fit(data, validation, options with { Epochs = 1 });
            afterEpoch1 = straight.Parameters.ToArray();
        }

        TrainingHistory whole;
        straight = new BnConv(4);
        using (var trainer = new Trainer(straight, new AdamW(0.01f), 2))
        {
            whole = trainer.Fit(data, validation, options);
        }

        Assert.Equal(StopReason.EarlyStopped, whole.StopReason);
        Assert.Equal(1, whole.BestEpoch);
        Assert.Equal(4, whole.Epochs.Count);
        Assert.Equal(afterEpoch1, straight.Parameters.ToArray());

        string path = Path.Combine(Path.GetTempPath(), $"netgen-resume-stop-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (var trainer = new Trainer(new BnConv(4), new AdamW(0.01f), 2))
            {
                trainer.Fit(data, validation, options with { Epochs = stopAfter, CheckpointPath = path });
            }

            // The file still loads strictly into a network as a plain checkpoint: the extra tensors are ignored.
            Checkpoint.Load(new BnConv(5), path, strict: true);

            var resumed = new BnConv(99);
            TrainingHistory rest;
            using (var trainer = new Trainer(resumed, new AdamW(0.01f), 2))
            {
                int epoch = trainer.LoadCheckpoint(path).Epoch;
                rest = trainer.Fit(data, validation, options with { StartEpoch = epoch });
            }

            Assert.Equal(StopReason.EarlyStopped, rest.StopReason);
            Assert.Equal(1, rest.BestEpoch);
            Assert.Equal(4, rest.Epochs[^1].Epoch);
            Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
            Assert.Equal(straight.Buffers.ToArray(), resumed.Buffers.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_checkpoint_from_another_monitored_figure_starts_early_stopping_afresh()
    {
        Dataset data = Images(40, seed: 9), validation = Images(16, seed: 10);
        var byLoss = new TrainingOptions { Epochs = 10, BatchSize = 8, Seed = 17, EarlyStopping = new EarlyStopping(patience: 3, minDelta: 1e6f) };
        string path = Path.Combine(Path.GetTempPath(), $"netgen-resume-monitor-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (var trainer = new Trainer(new BnConv(4), new AdamW(0.01f), 2))
            {
                trainer.Fit(data, validation, byLoss with { Epochs = 2, CheckpointPath = path });
            }

            using var resumed = new Trainer(new BnConv(4), new AdamW(0.01f), 2);
            int epoch = resumed.LoadCheckpoint(path).Epoch;
            TrainingHistory rest = resumed.Fit(data, validation, byLoss with
            {
                StartEpoch = epoch,
                EarlyStopping = new EarlyStopping(patience: 3, minDelta: 1e6f, monitor: EarlyStoppingMonitor.ValidationAccuracy),
            });

            // Accuracy's bookkeeping starts at epoch 3: best epoch 3, stopped after epoch 6.
            Assert.Equal(3, rest.BestEpoch);
            Assert.Equal(6, rest.Epochs[^1].Epoch);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("netgen.early_stopping.best", "not hex", "netgen.early_stopping.best")]
    [InlineData("netgen.early_stopping.monitor", "Perplexity", "netgen.early_stopping.monitor")]
    [InlineData("netgen.early_stopping.since_best", "-1", "netgen.early_stopping.since_best")]
    public void Malformed_early_stopping_metadata_is_a_format_error_naming_the_key(string key, string value, string named)
    {
        var net = new BnConv(4);
        string path = Path.Combine(Path.GetTempPath(), $"netgen-bad-stop-{Guid.NewGuid():N}.safetensors");
        var metadata = new Dictionary<string, string>
        {
            ["netgen.epoch"] = "2",
            ["netgen.early_stopping.monitor"] = "ValidationLoss",
            ["netgen.early_stopping.best"] = "3F800000",
            ["netgen.early_stopping.best_epoch"] = "1",
            ["netgen.early_stopping.since_best"] = "1",
        };
        metadata[key] = value;
        try
        {
            Checkpoint.Save(net, path, metadata);
            using var trainer = new Trainer(new BnConv(5), new AdamW(0.01f), 1);
            var error = Assert.Throws<SafetensorsFormatException>(() => trainer.LoadCheckpoint(path));
            Assert.Contains(named, error.Message, StringComparison.Ordinal);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_loss_that_does_not_fit_the_output_layer_is_refused()
    {
        using var trainer = new Trainer(new Gradients.SoftmaxLastNet(1), new Sgd(0.1f), 1);
        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(
            ToyData.Clusters(8, 4, 5, seed: 1), null, new TrainingOptions { Epochs = 1, Loss = new MeanSquaredErrorLoss() }));
        Assert.Contains("softmax", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_confusion_matrix_counts_the_predictions_of_PredictClasses()
    {
        var net = new OptionsMlp(3);
        Dataset data = Clusters(50);
        using var trainer = new Trainer(net, new Sgd(0.1f), 2);
        var predicted = new int[50];
        trainer.PredictClasses(data, 0, 50, predicted);
        ConfusionMatrix matrix = trainer.ConfusionMatrix(data);
        for (int actual = 0; actual < 3; actual++)
        {
            for (int guess = 0; guess < 3; guess++)
            {
                Assert.Equal(Enumerable.Range(0, 50).Count(i => data.Labels[i] == actual && predicted[i] == guess), matrix[actual, guess]);
            }
        }

        // The single-threaded evaluation and the report built from it count the same.
        ConfusionMatrix serial = Evaluation.ConfusionMatrix(net, data);
        Assert.Equal(new ClassificationReport(matrix).ToString(), ClassificationReport.Of(net, data).ToString());
        Assert.Equal(matrix.Total, serial.Total);
    }

    private sealed class Synchronous<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
