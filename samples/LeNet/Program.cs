// Trains LeNet-5 on MNIST-layout IDX data (by default the 10,000 real digits that ship in samples/data)
// and prints one line per epoch, then the test accuracy. Options choose the optimizer, regularization,
// schedule and early stopping, save and load safetensors checkpoints, and print a classification report.
using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using LeNet;
using NetGen;
using NetGen.Gpu;
using NetGen.Samples;

var epochs = SampleOptions.Int("--epochs", "Passes over the training set (0 with --load: only evaluate).", 20, Bounds.AtLeast(0));
var batch = SampleOptions.Int("--batch", "Mini-batch size.", 64, Bounds.AtLeast(1));
var seed = SampleOptions.Int("--seed", "Seed of the initial weights, the shuffling and dropout.", 42, Bounds.Any);
var threads = SampleOptions.Int("--threads", "Worker threads per batch (default: all cores).", Environment.ProcessorCount, Bounds.AtLeast(1));
var optimizer = SampleOptions.Choice("--optimizer", "sgd, adam or adamw.", "sgd", "sgd", "adam", "adamw");
var lr = SampleOptions.OptionalFloat("--lr", "Learning rate (default 0.02 for sgd, 0.001 for adam and adamw).", Bounds.Above(0));
var momentum = SampleOptions.Float("--momentum", "Momentum of SGD, in [0, 1).", 0.9f, Bounds.From(0, 1));
var weightDecay = SampleOptions.OptionalFloat("--weight-decay", "Weight decay: L2 for sgd and adam, decoupled for adamw (default 0; 0.01 for adamw).", Bounds.AtLeast(0));
var dropout = SampleOptions.Float("--dropout", "Dropout before the last two dense layers: 0 or 0.5 (the rate is compiled into the network).", 0f, Bounds.From(0, 1));
var batchNorm = new Option<bool>("--batchnorm") { Description = "Batch normalization after every convolution and hidden dense layer." };
var schedule = SampleOptions.Choice("--schedule", "Learning-rate schedule: constant, cosine (over --epochs) or step (×0.1 every third of --epochs).", "constant", "constant", "cosine", "step");
var warmUp = SampleOptions.Int("--warmup", "Linear learning-rate warm-up over this many steps.", 0, Bounds.AtLeast(0));
var clip = SampleOptions.OptionalFloat("--clip", "Clip the gradient to this global L2 norm (> 0).", Bounds.Above(0));
var patience = SampleOptions.OptionalInt("--patience", "Early stopping: stop after this many epochs (≥ 1) without a better validation figure (--monitor), and keep the best weights. Holds out --validation training images.", Bounds.AtLeast(1));
var monitor = SampleOptions.Choice("--monitor", "What early stopping watches on the validation images: loss or accuracy.", "loss", "loss", "accuracy");
var validationCount = SampleOptions.Int("--validation", "Training images held out for early stopping (with --patience); fewer than the training images.", 5000, Bounds.AtLeast(1));
var flip = new Option<bool>("--flip") { Description = "Augment: add a left-right mirrored copy of every training image (for clothes, not digits)." };
var shifts = SampleOptions.Int("--shifts", "Augment: add this many copies of every training image, each moved by up to ±2 pixels.", 0, Bounds.AtLeast(0));
var save = new Option<FileInfo?>("--save") { Description = "Write the trained weights (and optimizer state) to this safetensors file." };
var load = new Option<FileInfo?>("--load") { Description = "Start from the weights in this safetensors file (PyTorch state-dict names)." };
var device = SampleOptions.Choice("--device", "Train on the cpu (generated SIMD kernels, all cores) or the gpu (generated ILGPU kernels: CUDA, else OpenCL, else ILGPU's slow CPU accelerator).", "cpu", "cpu", "gpu");
var plot = new Option<FileInfo?>("--plot") { Description = "Write the loss and accuracy curves to this PNG file." };
var report = new Option<bool>("--report") { Description = "Print a per-class precision / recall / F1 report on the test set." };
var data = new Option<DirectoryInfo>("--data")
{
    Description = "A folder in MNIST's IDX layout (train-images-idx3-ubyte[.gz], …), e.g. /usr/share/datasets/fashion-mnist.",
    DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "data", "mnist-10k")),
};

var root = new RootCommand("Train LeNet-5, compiled by NetGen, on MNIST-layout data.")
{
    epochs, batch, seed, threads, optimizer, lr, momentum, weightDecay, dropout, batchNorm, schedule, warmUp, clip, patience, monitor, validationCount, flip, shifts, save, load, report, plot, device, data,
};
return SampleMain.Run(root, args, parsed =>
{
    // Every option is checked before any work: the values by the parser (SampleOptions), the files to write here.
    int networkSeed = parsed.GetValue(seed);
    float rate = parsed.GetValue(dropout);
    if (rate != 0f && rate != 0.5f)
    {
        throw new OptionException("--dropout", string.Create(CultureInfo.InvariantCulture,
            $"expected 0 or 0.5, got '{rate}': the sample compiles LeNet-5 with Dropout(0.5); add a network with another rate to RegularizedLeNet5.cs"));
    }

    if (parsed.GetValue(save) is FileInfo saveTo)
    {
        OutputFile.CheckWritable(saveTo.ToString(), "--save");
    }

    if (parsed.GetValue(plot) is FileInfo plotTo)
    {
        OutputFile.CheckWritable(plotTo.ToString(), "--plot");
    }

    INetwork net = (parsed.GetValue(batchNorm), rate > 0f) switch
    {
        (false, false) => new LeNet5(networkSeed),
        (false, true) => new LeNet5Dropout(networkSeed),
        (true, false) => new LeNet5BatchNorm(networkSeed),
        (true, true) => new LeNet5BatchNormDropout(networkSeed),
    };

    string optimizerName = parsed.GetValue(optimizer)!;
    float learningRate = parsed.GetValue(lr) ?? (optimizerName == "sgd" ? 0.02f : 1e-3f);
    float decay = parsed.GetValue(weightDecay) ?? (optimizerName == "adamw" ? 0.01f : 0f);
    IOptimizer opt = optimizerName switch
    {
        "adam" => new Adam(learningRate, weightDecay: decay),
        "adamw" => new AdamW(learningRate, weightDecay: decay),
        _ => new Sgd(learningRate, parsed.GetValue(momentum), decay),
    };

    using var trainer = new Trainer(net, opt, parsed.GetValue(threads));

    // The checkpoint before the data: a bad file fails in a moment, not after the images are read.
    int startEpoch = 0;
    FileInfo? from = parsed.GetValue(load);
    TrainerCheckpointLoad? loaded = from is null ? null : trainer.LoadCheckpoint(from.FullName);
    if (loaded is not null)
    {
        startEpoch = loaded.Epoch;
    }

    var (train, test) = SampleData.Load(parsed.GetValue(data)!, "--data", net);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"data: {train.Count} training and {test.Count} test images of [{string.Join(", ", train.SampleShape)}]"));
    if (from is not null)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loaded {from.Name} (after epoch {startEpoch}): test accuracy {trainer.Accuracy(test):F4}"));
        if (loaded!.OptimizerState == OptimizerStateLoad.StartedFresh)
        {
            Console.WriteLine($"optimizer state: started fresh ({loaded.OptimizerStateReason})");
        }
    }

    int epochCount = parsed.GetValue(epochs);
    LearningRateSchedule? lrSchedule = parsed.GetValue(schedule) switch
    {
        "cosine" => LearningRateSchedule.Cosine(Math.Max(1, epochCount)),
        "step" => LearningRateSchedule.StepDecay(Math.Max(1, epochCount / 3), 0.1f),
        _ => null,
    };
    if (parsed.GetValue(warmUp) is int steps and > 0)
    {
        lrSchedule = (lrSchedule ?? LearningRateSchedule.Constant()).WithWarmUp(steps);
    }

    Dataset fitOn = train;
    Dataset? validation = null;
    EarlyStopping? stopping = null;
    if (parsed.GetValue(patience) is int wait)
    {
        int held = parsed.GetValue(validationCount);
        if (held >= train.Count)
        {
            throw new OptionException("--validation", string.Create(CultureInfo.InvariantCulture,
                $"expected 0 < N < {train.Count} (the training images), got {held}"));
        }

        (fitOn, validation) = train.Split(train.Count - held);
        EarlyStoppingMonitor watch = parsed.GetValue(monitor) == "accuracy" ? EarlyStoppingMonitor.ValidationAccuracy : EarlyStoppingMonitor.ValidationLoss;
        stopping = new EarlyStopping(wait, monitor: watch, restoreBestWeights: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"early stopping: patience {wait} on the validation {parsed.GetValue(monitor)}, {fitOn.Count} training and {validation.Count} validation images"));
    }

    // Augmentation after the split, so the held-out images stay unseen; the copies are made once, up front.
    if (parsed.GetValue(flip))
    {
        fitOn = ImageAugmentation.HorizontalFlips(fitOn);
    }

    if (parsed.GetValue(shifts) is int copies and > 0)
    {
        fitOn = ImageAugmentation.RandomTranslations(fitOn, copies, maxShift: 2, (ulong)networkSeed);
    }

    if (fitOn.Count != (validation is null ? train.Count : train.Count - validation.Count))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"augmented: {fitOn.Count} training images{(parsed.GetValue(flip) ? ", with mirror images" : "")}{(parsed.GetValue(shifts) > 0 ? $", with {parsed.GetValue(shifts)} shifted cop{(parsed.GetValue(shifts) == 1 ? "y" : "ies")} of each" : "")}"));
    }

    var options = new TrainingOptions
    {
        // Epochs count on from a loaded checkpoint's, so a resumed run continues its schedule and shuffling.
        Epochs = startEpoch + epochCount,
        StartEpoch = startEpoch,
        BatchSize = parsed.GetValue(batch),
        Seed = (ulong)networkSeed,
        Schedule = lrSchedule,
        MaxGradientNorm = parsed.GetValue(clip),
        EarlyStopping = stopping,
    };

    if (epochCount > 0)
    {
        // A diverged run throws TrainingDivergedException: SampleMain prints its message and exits with 4.
        TrainingHistory history;
        if (parsed.GetValue(device) == "gpu")
        {
            // The GPU trainer keeps the weights and optimizer state on the device and hands them back when Fit
            // returns; the CPU trainer then evaluates, reports and saves as usual.
            using GpuDevice gpu = GpuDevice.Create();
            Console.WriteLine("device: " + gpu.Name + (gpu.IsCpu ? " (ILGPU's CPU accelerator: the kernels run on the CPU, slowly)" : string.Empty));
            using var gpuTrainer = new GpuTrainer(net, opt, gpu);
            history = ProgressBar.Run("train", progress => gpuTrainer.Fit(fitOn, validation ?? test, options with
            {
                Progress = progress,
                OnEpoch = e => ProgressBar.WriteLine(EpochLine(e, stopping is null ? e.ValidationAccuracy!.Value : gpuTrainer.Accuracy(test), stopping is not null)),
            }));
        }
        else
        {
            history = ProgressBar.Run("train", progress => trainer.Fit(fitOn, validation ?? test, options with
            {
                Progress = progress,
                OnEpoch = e => ProgressBar.WriteLine(EpochLine(e, stopping is null ? e.ValidationAccuracy!.Value : trainer.Accuracy(test), stopping is not null)),
            }));
        }

        if (history.StopReason == StopReason.EarlyStopped)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"early stop after epoch {history.Last!.Epoch}; kept the weights of epoch {history.BestEpoch}"));
        }

        startEpoch = history.Last?.Epoch ?? startEpoch;
        if (parsed.GetValue(plot) is FileInfo picture && history.Epochs.Count > 0)
        {
            TrainingCurves.WritePng(picture.FullName, history.Epochs, $"{net.GetType().Name} on {parsed.GetValue(data)!.Name}");
            Console.WriteLine($"wrote {picture.FullName}");
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test accuracy: {trainer.Accuracy(test):F4}"));
    if (parsed.GetValue(report))
    {
        Console.WriteLine();
        Console.WriteLine(new ClassificationReport(trainer.ConfusionMatrix(test), test.ClassNames));
    }

    if (parsed.GetValue(save) is FileInfo to)
    {
        trainer.SaveCheckpoint(to.FullName, startEpoch);
        Console.WriteLine($"saved {to.FullName}");
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch-1 latency: {InferenceTiming.Batch1MedianMicroseconds(net, test, calls: 5000):F1} us"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch-64 inference images/s: {InferenceTiming.Batch64ImagesPerSecond(trainer, test):F0}"));
    return ExitCodes.Success;
});

// "epoch N: loss L, train images/s R, test accuracy A", then the held-out validation figures when early stopping watches them.
static string EpochLine(EpochResult e, float testAccuracy, bool heldOut)
{
    string line = string.Create(CultureInfo.InvariantCulture, $"epoch {e.Epoch}: loss {e.TrainingLoss:F4}, train images/s {e.ImagesPerSecond:F0}, test accuracy {testAccuracy:F4}");
    return heldOut
        ? line + string.Create(CultureInfo.InvariantCulture, $", validation accuracy {e.ValidationAccuracy:F4}, validation loss {e.ValidationLoss:F4}")
        : line;
}
