// Trains LeNet-5 on MNIST-layout IDX data (by default the 10,000 real digits that ship in samples/data)
// and prints one line per epoch, then the test accuracy.
using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using LeNet;
using NetGen;

var epochs = new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => 20 };
var batch = new Option<int>("--batch") { Description = "Mini-batch size.", DefaultValueFactory = _ => 64 };
var seed = new Option<int>("--seed") { Description = "Seed of the initial weights and the shuffling.", DefaultValueFactory = _ => 42 };
var threads = new Option<int>("--threads") { Description = "Worker threads per batch (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
var lr = new Option<float>("--lr") { Description = "Learning rate of SGD.", DefaultValueFactory = _ => 0.02f };
var momentum = new Option<float>("--momentum") { Description = "Momentum of SGD.", DefaultValueFactory = _ => 0.9f };
var data = new Option<DirectoryInfo>("--data")
{
    Description = "A folder in MNIST's IDX layout (train-images-idx3-ubyte[.gz], …), e.g. /usr/share/datasets/fashion-mnist.",
    DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "data", "mnist-10k")),
};

var root = new RootCommand("Train LeNet-5, compiled by NetGen, on MNIST-layout data.") { epochs, batch, seed, threads, lr, momentum, data };
root.SetAction(parsed =>
{
    var (train, test) = Idx.LoadFolder(parsed.GetValue(data)!.FullName);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"data: {train.Count} training and {test.Count} test images of [{string.Join(", ", train.SampleShape)}]"));

    var net = new LeNet5(parsed.GetValue(seed));
    using var trainer = new Trainer(net, new Sgd(parsed.GetValue(lr), parsed.GetValue(momentum)), parsed.GetValue(threads));
    trainer.Fit(
        train,
        epochs: parsed.GetValue(epochs),
        batchSize: parsed.GetValue(batch),
        validation: test,
        seed: (ulong)parsed.GetValue(seed),
        onEpoch: e => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {e.Epoch}: loss {e.TrainingLoss:F4}, train images/s {e.ImagesPerSecond:F0}, test accuracy {e.ValidationAccuracy:F4}")));

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test accuracy: {trainer.Accuracy(test):F4}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch-1 latency: {InferenceTiming.Batch1MedianMicroseconds(net, test, calls: 5000):F1} us"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch-64 inference images/s: {InferenceTiming.Batch64ImagesPerSecond(trainer, test):F0}"));
    return 0;
});

return root.Parse(args).Invoke();
