// Shared by the samples that train an image classifier on MNIST-layout data (samples/LeNet, samples/ResNet),
// compiled into each with <Compile Include="../Common/ImageTraining/*.cs" />.
using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using NetGen.Gpu;

namespace NetGen.Samples;

/// <summary>
/// The options and the run of an image-classifier sample: the optimizer, the schedule, early stopping,
/// augmentation, checkpoints, the device, the data, the plot and the report. A sample adds its own options
/// (which network to build) with <see cref="Create"/>'s command, then calls <see cref="Run"/> with the network
/// it built; one line per epoch (<c>epoch N: loss L, train images/s R, test accuracy A</c>), then
/// <c>test accuracy: A</c>.
/// </summary>
internal sealed class ImageClassifierSample
{
    private readonly Option<int> epochs;
    private readonly Option<int> batch;
    private readonly Option<int> seed;
    private readonly Option<int> threads;
    private readonly Option<string> optimizer;
    private readonly Option<float?> lr;
    private readonly Option<float> momentum;
    private readonly Option<float?> weightDecay;
    private readonly Option<string> schedule;
    private readonly Option<int> warmUp;
    private readonly Option<float?> clip;
    private readonly Option<int?> patience;
    private readonly Option<string> monitor;
    private readonly Option<int> validationCount;
    private readonly Option<bool> flip;
    private readonly Option<int> shifts;
    private readonly Option<FileInfo?> save;
    private readonly Option<FileInfo?> load;
    private readonly Option<string> device;
    private readonly Option<FileInfo?> plot;
    private readonly Option<bool> report;
    private readonly Option<bool> timing;
    private readonly Option<DirectoryInfo> data;
    private readonly Defaults defaults;

    private ImageClassifierSample(Defaults defaults)
    {
        this.defaults = defaults;
        epochs = SampleOptions.Int("--epochs", "Passes over the training set (0 with --load: only evaluate).", defaults.Epochs, Bounds.AtLeast(0));
        batch = SampleOptions.Int("--batch", "Mini-batch size.", defaults.Batch, Bounds.AtLeast(1));
        seed = SampleOptions.Int("--seed", "Seed of the initial weights, the shuffling and dropout.", 42, Bounds.Any);
        threads = SampleOptions.Int("--threads", "Worker threads per batch (default: all cores).", Environment.ProcessorCount, Bounds.AtLeast(1));
        optimizer = SampleOptions.Choice("--optimizer", "sgd, adam or adamw.", defaults.Optimizer, "sgd", "adam", "adamw");
        lr = SampleOptions.OptionalFloat("--lr", string.Create(CultureInfo.InvariantCulture, $"Learning rate (default {defaults.SgdRate} for sgd, {defaults.AdamRate} for adam and adamw)."), Bounds.Above(0));
        momentum = SampleOptions.Float("--momentum", "Momentum of SGD, in [0, 1).", 0.9f, Bounds.From(0, 1));
        weightDecay = SampleOptions.OptionalFloat("--weight-decay", "Weight decay: L2 for sgd and adam, decoupled for adamw (default 0; 0.01 for adamw).", Bounds.AtLeast(0));
        schedule = SampleOptions.Choice("--schedule", "Learning-rate schedule: constant, cosine (over --epochs) or step (×0.1 every third of --epochs).", defaults.Schedule, "constant", "cosine", "step");
        warmUp = SampleOptions.Int("--warmup", "Linear learning-rate warm-up over this many steps.", 0, Bounds.AtLeast(0));
        clip = SampleOptions.OptionalFloat("--clip", "Clip the gradient to this global L2 norm (> 0).", Bounds.Above(0));
        patience = SampleOptions.OptionalInt("--patience", "Early stopping: stop after this many epochs (≥ 1) without a better validation figure (--monitor), and keep the best weights. Holds out --validation training images.", Bounds.AtLeast(1));
        monitor = SampleOptions.Choice("--monitor", "What early stopping watches on the validation images: loss or accuracy.", "loss", "loss", "accuracy");
        validationCount = SampleOptions.Int("--validation", "Training images held out for early stopping (with --patience); fewer than the training images.", 5000, Bounds.AtLeast(1));
        flip = new Option<bool>("--flip") { Description = "Augment: add a left-right mirrored copy of every training image (for clothes, not digits)." };
        shifts = SampleOptions.Int("--shifts", "Augment: add this many copies of every training image, each moved by up to ±2 pixels.", 0, Bounds.AtLeast(0));
        save = new Option<FileInfo?>("--save") { Description = "Write the trained weights (and optimizer state) to this safetensors file." };
        load = new Option<FileInfo?>("--load") { Description = "Start from the weights in this safetensors file (PyTorch state-dict names)." };
        device = SampleOptions.Choice("--device", "Train on the cpu (generated SIMD kernels, all cores) or the gpu (generated ILGPU kernels: CUDA, else OpenCL, else ILGPU's slow CPU accelerator).", "cpu", "cpu", "gpu");
        plot = new Option<FileInfo?>("--plot") { Description = "Write the loss and accuracy curves to this PNG file." };
        report = new Option<bool>("--report") { Description = "Print a per-class precision / recall / F1 report on the test set." };
        timing = new Option<bool>("--no-timing") { Description = "Skip the inference figures (batch-1 latency, batch-64 images/s) at the end." };
        data = new Option<DirectoryInfo>("--data")
        {
            Description = "A folder in MNIST's IDX layout (train-images-idx3-ubyte[.gz], …), e.g. /usr/share/datasets/fashion-mnist.",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "data", "mnist-10k")),
        };
    }

    /// <summary>A sample's defaults for the options whose best value depends on the network.</summary>
    /// <param name="Epochs">Default of <c>--epochs</c>.</param>
    /// <param name="Batch">Default of <c>--batch</c>.</param>
    /// <param name="Optimizer">Default of <c>--optimizer</c>.</param>
    /// <param name="SgdRate">Learning rate of SGD without <c>--lr</c>.</param>
    /// <param name="AdamRate">Learning rate of Adam and AdamW without <c>--lr</c>.</param>
    /// <param name="Schedule">Default of <c>--schedule</c>.</param>
    internal sealed record Defaults(int Epochs, int Batch, string Optimizer, float SgdRate, float AdamRate, string Schedule);

    /// <summary>The shared options, added to a new root command with <paramref name="description"/>.</summary>
    public static (ImageClassifierSample Sample, RootCommand Root) Create(string description, Defaults defaults)
    {
        var sample = new ImageClassifierSample(defaults);
        var root = new RootCommand(description)
        {
            sample.epochs, sample.batch, sample.seed, sample.threads, sample.optimizer, sample.lr, sample.momentum, sample.weightDecay,
            sample.schedule, sample.warmUp, sample.clip, sample.patience, sample.monitor, sample.validationCount, sample.flip, sample.shifts,
            sample.save, sample.load, sample.report, sample.plot, sample.timing, sample.device, sample.data,
        };
        return (sample, root);
    }

    /// <summary>The seed of the initial weights (<c>--seed</c>), for the sample to build its network with.</summary>
    public int Seed(ParseResult parsed) => parsed.GetValue(seed);

    /// <summary>
    /// Checks the files to write, builds the optimizer and the trainer, loads <c>--load</c>, reads the data, trains
    /// <paramref name="net"/> and prints what the options ask for.
    /// </summary>
    /// <returns>The process exit code.</returns>
    public int Run(ParseResult parsed, INetwork net)
    {
        // Every option is checked before any work: the values by the parser (SampleOptions), the files to write here.
        int networkSeed = parsed.GetValue(seed);
        if (parsed.GetValue(save) is FileInfo saveTo)
        {
            OutputFile.CheckWritable(saveTo.ToString(), "--save");
        }

        if (parsed.GetValue(plot) is FileInfo plotTo)
        {
            OutputFile.CheckWritable(plotTo.ToString(), "--plot");
        }

        string optimizerName = parsed.GetValue(optimizer)!;
        float learningRate = parsed.GetValue(lr) ?? (optimizerName == "sgd" ? defaults.SgdRate : defaults.AdamRate);
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

        if (!parsed.GetValue(timing))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch-1 latency: {InferenceTiming.Batch1MedianMicroseconds(net, test, calls: 5000):F1} us"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch-64 inference images/s: {InferenceTiming.Batch64ImagesPerSecond(trainer, test):F0}"));
        }

        return ExitCodes.Success;
    }

    // "epoch N: loss L, train images/s R, test accuracy A", then the held-out validation figures when early stopping watches them.
    private static string EpochLine(EpochResult e, float testAccuracy, bool heldOut)
    {
        string line = string.Create(CultureInfo.InvariantCulture, $"epoch {e.Epoch}: loss {e.TrainingLoss:F4}, train images/s {e.ImagesPerSecond:F0}, test accuracy {testAccuracy:F4}");
        return heldOut
            ? line + string.Create(CultureInfo.InvariantCulture, $", validation accuracy {e.ValidationAccuracy:F4}, validation loss {e.ValidationLoss:F4}")
            : line;
    }
}
