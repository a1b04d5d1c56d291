using System;
using System.IO;
using System.Linq;
using NetGen.Tests.EndToEnd;
using Xunit;

namespace NetGen.Tests.Checkpoints;

/// <summary>
/// README's "Saving, loading and resuming" example, step by step, on LeNet-5 and a slice of the real digits: each
/// printed line it shows and each promise it makes (a resumed run is bit for bit one run; another optimizer
/// starts fresh and says so).
/// </summary>
public sealed class ReadmeSaveLoadTests : IDisposable
{
    private static readonly Lazy<Dataset> s_train = new(() =>
        Idx.LoadFolder(Path.Combine(AppContext.BaseDirectory, "data", "mnist-10k")).Train.Slice(0, 512));

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "netgen-readme-" + Guid.NewGuid().ToString("N")[..12]);

    public ReadmeSaveLoadTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Weights_SaveAndLoad_RoundTrip_AndTheResultSaysWhatWasLoaded()
    {
        var net = new EndToEndLeNet5(seed: 42);
        string path = Path.Combine(_dir, "lenet5.safetensors");
        net.Save(path);

        var again = new EndToEndLeNet5(seed: 7);
        Assert.NotEqual(net.Parameters.ToArray(), again.Parameters.ToArray());
        CheckpointLoadResult weights = Checkpoint.Load(again, path);
        Assert.Equal("loaded 10 tensors; skipped 0; missing 0", weights.ToString());
        Assert.Equal(net.Parameters.ToArray(), again.Parameters.ToArray());
    }

    [Fact]
    public void Resuming_GivesTheWeightsOfOneRun_AndAnotherOptimizerStartsFresh()
    {
        Dataset train = s_train.Value;
        string path = Path.Combine(_dir, "run.safetensors");
        var options = new TrainingOptions { BatchSize = 64, Seed = 42 };

        var whole = new EndToEndLeNet5(seed: 42);
        using (var trainer = new Trainer(whole, new Sgd(0.02f, momentum: 0.9f), threadCount: 2))
        {
            trainer.Fit(train, null, options with { Epochs = 2 });
        }

        var first = new EndToEndLeNet5(seed: 42);
        using (var trainer = new Trainer(first, new Sgd(0.02f, momentum: 0.9f), threadCount: 2))
        {
            trainer.Fit(train, null, options with { Epochs = 1 });
            trainer.SaveCheckpoint(path, epoch: 1);
        }

        var resumedNet = new EndToEndLeNet5(seed: 3);
        using (var resumed = new Trainer(resumedNet, new Sgd(0.02f, momentum: 0.9f), threadCount: 2))
        {
            TrainerCheckpointLoad state = resumed.LoadCheckpoint(path);
            Assert.Equal(1, state.Epoch);
            Assert.Equal(OptimizerStateLoad.Restored, state.OptimizerState);
            TrainingHistory history = resumed.Fit(train, null, options with { StartEpoch = state.Epoch, Epochs = 2 });
            Assert.Equal([2], history.Epochs.Select(e => e.Epoch));
        }

        Assert.Equal(whole.Parameters.ToArray(), resumedNet.Parameters.ToArray());

        using var tuning = new Trainer(new EndToEndLeNet5(seed: 5), new AdamW(1e-3f), threadCount: 2);
        Assert.Equal(
            "epoch 1; weights: loaded 10 tensors; skipped 0; missing 0; optimizer state: started fresh (the file's is of 'sgd', this optimizer is 'adamw')",
            tuning.LoadCheckpoint(path).ToString());
    }
}
