// Transfer learning with NetGen: pretrain LeNet-5 on Fashion-MNIST, then learn digits from a few hundred
// examples twice — once on top of the pretrained, frozen convolutions with a new head, once from scratch — and
// compare test accuracy and time per epoch.
using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using FineTune;
using NetGen;
using NetGen.Samples;

const string DefaultFashion = "/usr/share/datasets/fashion-mnist";
const string FashionPackage = "dataset-fashion-mnist";

var fashionOption = new Option<DirectoryInfo>("--fashion")
{
    Description = "Fashion-MNIST in MNIST's IDX layout (from `apt-get install " + FashionPackage + "`).",
    DefaultValueFactory = _ => new DirectoryInfo(DefaultFashion),
};
var dataOption = new Option<DirectoryInfo>("--data")
{
    Description = "The digits, in MNIST's IDX layout (default: the 10,000 that ship with the sample).",
    DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "data", "mnist-10k")),
};
var pretrainEpochsOption = new Option<int>("--pretrain-epochs") { Description = "Epochs of pretraining on Fashion-MNIST.", DefaultValueFactory = _ => 3 };
var pretrainedOption = new Option<FileInfo?>("--pretrained") { Description = "Reuse this pretrained LeNet-5 checkpoint (.safetensors) when it exists, instead of pretraining." };
var saveOption = new Option<FileInfo>("--save")
{
    Description = "Where the pretrained checkpoint is written.",
    DefaultValueFactory = _ => new FileInfo("fashion-lenet5.safetensors"),
};
var digitsOption = new Option<int>("--digits") { Description = "Few-shot training set: the first N training digits.", DefaultValueFactory = _ => 300 };
var epochsOption = new Option<int>("--epochs") { Description = "Epochs of fine-tuning, and of training from scratch.", DefaultValueFactory = _ => 30 };
var batchOption = new Option<int>("--batch") { Description = "Mini-batch size on the digits.", DefaultValueFactory = _ => 32 };
var lrOption = new Option<float>("--lr") { Description = "AdamW learning rate (pretraining and digits).", DefaultValueFactory = _ => 1e-3f };
var weightDecayOption = new Option<float>("--weight-decay") { Description = "AdamW decoupled weight decay.", DefaultValueFactory = _ => 5e-4f };
var warmupOption = new Option<double>("--warmup-seconds") { Description = "Untimed training of throwaway networks, this long in each configuration, before the timed runs, so neither pays for JIT compilation.", DefaultValueFactory = _ => 0.5 };
var seedOption = new Option<int>("--seed") { Description = "Seed of the initial weights and the shuffling.", DefaultValueFactory = _ => 42 };
var threadsOption = new Option<int>("--threads") { Description = "Worker threads per batch (default: all cores); results are bit-identical for a seed and thread count.", DefaultValueFactory = _ => Environment.ProcessorCount };
var plotOption = new Option<FileInfo?>("--plot") { Description = "Write training curves of fine-tuning vs from scratch to this PNG (and of pretraining, when it runs, to NAME.pretrain.png)." };

var root = new RootCommand("Pretrain LeNet-5 on Fashion-MNIST, then fine-tune a new head on a few digits and compare with training from scratch.")
{
    fashionOption, dataOption, pretrainEpochsOption, pretrainedOption, saveOption, digitsOption, epochsOption, batchOption,
    lrOption, weightDecayOption, warmupOption, seedOption, threadsOption, plotOption,
};
root.SetAction(parsed => Run(
    parsed.GetValue(fashionOption)!,
    parsed.GetValue(dataOption)!,
    parsed.GetValue(pretrainEpochsOption),
    parsed.GetValue(pretrainedOption),
    parsed.GetValue(saveOption)!,
    parsed.GetValue(digitsOption),
    parsed.GetValue(epochsOption),
    parsed.GetValue(batchOption),
    parsed.GetValue(lrOption),
    parsed.GetValue(weightDecayOption),
    parsed.GetValue(warmupOption),
    parsed.GetValue(seedOption),
    parsed.GetValue(threadsOption),
    parsed.GetValue(plotOption)));

return root.Parse(args).Invoke();

static int Run(
    DirectoryInfo fashionFolder, DirectoryInfo digitsFolder, int pretrainEpochs, FileInfo? pretrained, FileInfo save,
    int digitCount, int epochs, int batch, float lr, float weightDecay, double warmupSeconds, int seed, int threads, FileInfo? plot)
{
    if (pretrainEpochs < 0 || !(warmupSeconds >= 0) || epochs < 1 || batch < 1 || threads < 1 || digitCount < 1)
    {
        Console.Error.WriteLine("--pretrain-epochs and --warmup-seconds must be ≥ 0; --epochs, --batch, --threads and --digits must be ≥ 1.");
        return 1;
    }

    // (a) Fashion-MNIST, installed from Debian.
    (Dataset Train, Dataset Test) fashion;
    try
    {
        fashion = Idx.LoadFolder(fashionFolder.FullName);
    }
    catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException)
    {
        Console.Error.WriteLine($"Fashion-MNIST was not found in {fashionFolder.FullName}: {ex.Message}");
        Console.Error.WriteLine("Install it (as root) with:");
        Console.Error.WriteLine($"    apt-get install {FashionPackage}");
        Console.Error.WriteLine($"which puts it in {DefaultFashion}, or pass --fashion DIR for a folder in MNIST's IDX layout.");
        return 2;
    }

    Console.WriteLine(Invariant($"fashion-mnist: {fashion.Train.Count} training and {fashion.Test.Count} test images, {threads} threads, seed {seed}"));

    // (b) Pretrain LeNet-5 on Fashion-MNIST, or reuse a checkpoint.
    string checkpoint;
    var fashionNet = new LeNet5(seed);
    using (var trainer = new Trainer(fashionNet, new AdamW(lr, weightDecay: weightDecay), threads))
    {
        if (pretrained is { Exists: true })
        {
            checkpoint = pretrained.FullName;
            try
            {
                CheckpointLoadResult loaded = Checkpoint.Load(fashionNet, checkpoint, strict: true);
                Console.WriteLine(Invariant($"pretrained: reusing {checkpoint} ({loaded.Loaded.Count} tensors)"));
            }
            catch (Exception ex) when (ex is CheckpointMismatchException or SafetensorsFormatException)
            {
                Console.Error.WriteLine($"{checkpoint} is not a LeNet-5 checkpoint: {ex.Message}");
                return 1;
            }
        }
        else
        {
            if (pretrained is not null)
            {
                Console.WriteLine($"pretrained: {pretrained.FullName} does not exist; pretraining");
            }

            TrainingHistory history = ProgressBar.Run("pretrain", progress => trainer.Fit(fashion.Train, fashion.Test, new TrainingOptions
            {
                Epochs = pretrainEpochs,
                BatchSize = 64,
                Seed = (ulong)seed,
                Progress = progress,
                OnEpoch = e => ProgressBar.WriteLine(Invariant(
                    $"pretrain epoch {e.Epoch}/{pretrainEpochs}: loss {e.TrainingLoss:F4}, train accuracy {e.TrainingAccuracy:F4}, test accuracy {e.ValidationAccuracy:F4}, {e.ImagesPerSecond:F0} images/s")),
            }));
            checkpoint = save.FullName;
            trainer.SaveCheckpoint(checkpoint, history.Last?.Epoch ?? 0);
            Console.WriteLine($"pretrained: saved {checkpoint}");
            if (plot is not null && history.Epochs.Count > 0)
            {
                string pretrainPlot = Path.ChangeExtension(plot.FullName, ".pretrain.png");
                TrainingCurves.WritePng(pretrainPlot, history.Epochs, "LeNet-5 pretraining on Fashion-MNIST");
                Console.WriteLine($"plot: {pretrainPlot}");
            }
        }

        Console.WriteLine(Invariant($"pretrained fashion-mnist test accuracy: {trainer.Accuracy(fashion.Test):F4}"));
    }

    // (c) A few digits to learn from, and the digits' test set.
    (Dataset Train, Dataset Test) digits = Idx.LoadFolder(digitsFolder.FullName);
    if (digitCount > digits.Train.Count)
    {
        Console.Error.WriteLine($"--digits {digitCount}: the training set has only {digits.Train.Count} digits.");
        return 1;
    }

    Dataset few = digits.Train.Take(digitCount);
    int[] perClass = new int[few.ClassCount];
    foreach (int label in few.Labels)
    {
        perClass[label]++;
    }

    Console.WriteLine(Invariant($"digits: the first {few.Count} of {digits.Train.Count} training digits (per class {string.Join(" ", perClass)}), {digits.Test.Count} test digits"));

    var options = new TrainingOptions { Epochs = epochs, BatchSize = batch, Seed = (ulong)seed };
    string[] frozen = ["conv1", "conv2"];

    // Both runs use LeNet5Digits' code: whichever ran first would pay for its JIT compilation (and for tiering
    // up, which takes a fraction of a second of calls) in its timed epochs. Train throwaway copies in both
    // configurations first, untimed, so neither does.
    foreach (string[]? layers in new[] { frozen, null })
    {
        using var warmup = new Trainer(new LeNet5Digits(seed), new AdamW(lr, weightDecay: weightDecay), threads);
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < warmupSeconds)
        {
            warmup.Fit(few, null, options with { Epochs = 1, FrozenLayers = layers });
        }
    }

    if (warmupSeconds > 0)
    {
        Console.WriteLine(Invariant($"warm-up: {warmupSeconds:0.##} s of untimed training in each configuration, on throwaway networks"));
    }

    // (d) Fine-tune: pretrained convolutions, frozen; a new head, trained.
    var fineTuned = new LeNet5Digits(seed);
    CheckpointLoadResult result = Checkpoint.Load(fineTuned, checkpoint, strict: false);
    Console.WriteLine($"fine-tune: loaded {string.Join(", ", result.Loaded)}");
    string[] reasons = [.. result.Skipped.Select(s => s.Reason).Distinct()];
    Console.WriteLine("fine-tune: skipped " + (result.Skipped.Count == 0 ? "nothing"
        : reasons.Length == 1 ? $"{string.Join(", ", result.Skipped.Select(s => s.Key))} ({reasons[0]})"
        : string.Join("; ", result.Skipped)));
    Console.WriteLine($"fine-tune: missing {(result.Missing.Count == 0 ? "nothing" : string.Join(", ", result.Missing))} (kept their initialization from the seed)");
    (TrainingHistory History, float Accuracy) tuned = TrainDigits("fine-tune", fineTuned, options with { FrozenLayers = frozen });

    // (e) From scratch: the same network, seed and options, nothing frozen.
    (TrainingHistory History, float Accuracy) scratch = TrainDigits("scratch", new LeNet5Digits(seed), options);

    // (f) The comparison.
    double tunedSeconds = MeanSeconds(tuned.History), scratchSeconds = MeanSeconds(scratch.History);
    Console.WriteLine();
    Console.WriteLine("method        test accuracy  mean s/epoch  median s/epoch");
    Console.WriteLine(Invariant($"fine-tuned    {tuned.Accuracy,13:F4}  {tunedSeconds,12:F5}  {MedianSeconds(tuned.History),14:F5}"));
    Console.WriteLine(Invariant($"from scratch  {scratch.Accuracy,13:F4}  {scratchSeconds,12:F5}  {MedianSeconds(scratch.History),14:F5}"));
    Console.WriteLine();
    Console.WriteLine(Invariant($"fine-tuned test accuracy: {tuned.Accuracy:F4}"));
    Console.WriteLine(Invariant($"from-scratch test accuracy: {scratch.Accuracy:F4}"));
    Console.WriteLine(Invariant($"fine-tune epoch seconds: {tunedSeconds:F5}"));
    Console.WriteLine(Invariant($"from-scratch epoch seconds: {scratchSeconds:F5}"));
    if (plot is not null)
    {
        TrainingCurves.WritePng(
            plot.FullName,
            [("fine-tune", tuned.History.Epochs), ("scratch", scratch.History.Epochs)],
            Invariant($"{few.Count} digits: fine-tuned (Fashion-MNIST convolutions, frozen) vs from scratch"));
        Console.WriteLine($"plot: {plot.FullName}");
    }

    return 0;

    (TrainingHistory History, float Accuracy) TrainDigits(string label, LeNet5Digits net, TrainingOptions settings)
    {
        using var trainer = new Trainer(net, new AdamW(lr, weightDecay: weightDecay), threads);
        Console.WriteLine(Invariant($"{label}: test accuracy before training {trainer.Accuracy(digits.Test):F4}"));
        TrainingHistory history = ProgressBar.Run(label, progress => trainer.Fit(few, digits.Test, settings with
        {
            Progress = progress,
            OnEpoch = e => ProgressBar.WriteLine(Invariant(
                $"{label} epoch {e.Epoch}/{epochs}: loss {e.TrainingLoss:F4}, train accuracy {e.TrainingAccuracy:F4}, test accuracy {e.ValidationAccuracy:F4}, {e.TrainingSeconds:F5} s")),
        }));
        float accuracy = trainer.Accuracy(digits.Test);
        Console.WriteLine(Invariant($"{label}: test accuracy {accuracy:F4}"));
        return (history, accuracy);
    }
}

static double MeanSeconds(TrainingHistory history) =>
    history.Epochs.Count == 0 ? 0 : history.Epochs.Average(e => e.TrainingSeconds);

static double MedianSeconds(TrainingHistory history)
{
    double[] seconds = [.. history.Epochs.Select(e => e.TrainingSeconds).Order()];
    return seconds.Length == 0 ? 0 : seconds.Length % 2 == 1 ? seconds[seconds.Length / 2] : (seconds[(seconds.Length / 2) - 1] + seconds[seconds.Length / 2]) / 2;
}

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
