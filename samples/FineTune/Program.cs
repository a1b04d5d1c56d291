// Transfer learning with NetGen: pretrain LeNet-5 (or, with --model resnet, ResNet-8) on Fashion-MNIST (with rotated, scaled and translated copies of
// the images, so the convolutions learn features that do not depend on pose), then learn digits from a few hundred examples
// twice — once on top of the pretrained, frozen convolutions with a new head, once from scratch — on several
// disjoint sets of digits, and compare test accuracy and time per epoch.
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
var pretrainEpochsOption = SampleOptions.Int("--pretrain-epochs", "Epochs of pretraining on Fashion-MNIST.", 10, Bounds.AtLeast(0));
var pretrainCopiesOption = SampleOptions.Int("--pretrain-copies", "Randomly rotated, scaled and translated copies of each Fashion-MNIST training image added for pretraining (0: the originals only).", 2, Bounds.AtLeast(0));
var rotateOption = SampleOptions.Float("--rotate", "Largest rotation of those copies, in degrees, either way, in [0, 180].", 15, Bounds.Between(0, 180));
var scaleOption = SampleOptions.Float("--scale", "Largest relative change of size of those copies: factors in [1 − s, 1 + s], s in [0, 1).", 0.1f, Bounds.From(0, 1));
var maxShiftOption = SampleOptions.Float("--max-shift", "Largest translation of those copies, in pixels, in each direction, in [0, 28).", 2, Bounds.From(0, 28));
var pretrainLrOption = SampleOptions.Float("--pretrain-lr", "AdamW learning rate of pretraining.", 1e-3f, Bounds.Above(0));
var pretrainedOption = new Option<FileInfo?>("--pretrained") { Description = "Reuse this pretrained LeNet-5 checkpoint (.safetensors) when it exists, instead of pretraining." };
var saveOption = new Option<FileInfo>("--save")
{
    Description = "Where the pretrained checkpoint is written.",
    DefaultValueFactory = _ => new FileInfo("fashion-pretrained.safetensors"),
};
var digitsOption = SampleOptions.Int("--digits", "Few-shot training set: this many training digits.", 300, Bounds.AtLeast(1));
var subsetsOption = SampleOptions.Int("--subsets", "Repeat the comparison on this many disjoint sets of --digits training digits (the first N, the next N, …) and average.", 5, Bounds.AtLeast(1));
var epochsOption = SampleOptions.Int("--epochs", "Epochs of fine-tuning, and of training from scratch.", 30, Bounds.AtLeast(1));
var batchOption = SampleOptions.Int("--batch", "Mini-batch size on the digits.", 32, Bounds.AtLeast(1));
var lrOption = SampleOptions.Float("--lr", "AdamW learning rate on the digits, for both methods.", 3e-3f, Bounds.Above(0));
var weightDecayOption = SampleOptions.Float("--weight-decay", "AdamW decoupled weight decay (pretraining and digits).", 5e-4f, Bounds.AtLeast(0));
var warmupOption = SampleOptions.Double("--warmup-seconds", "Untimed training of throwaway networks, this long in each configuration, before the timed runs, so neither pays for JIT compilation.", 0.5, Bounds.AtLeast(0));
var seedOption = SampleOptions.Int("--seed", "Seed of the initial weights, the translations and the shuffling.", 42, Bounds.Any);
var threadsOption = SampleOptions.Int("--threads", "Worker threads per batch (default: all cores); results are bit-identical for a seed and thread count.", Environment.ProcessorCount, Bounds.AtLeast(1));
var dropoutOption = new Option<bool>("--dropout") { Description = "Give the digits' network (both methods) dropout 0.5 after each hidden layer of the head." };
var verboseOption = new Option<bool>("--verbose") { Description = "Print every epoch of every run on the digits; with an error, also its stack trace (as does " + ExitCodes.VerboseVariable + "=1)." };
var modelOption = SampleOptions.Choice("--model", "The network: lenet (LeNet-5; the convolutions are frozen while the new head trains) or resnet (samples/ResNet's ResNet-8; everything below the new head is frozen). --train-all trains every layer instead.", "lenet", "lenet", "resnet");
var trainAllOption = new Option<bool>("--train-all") { Description = "Fine-tune every layer from the pretrained weights (the new head too) instead of freezing the pretrained layers." };
var plotOption = new Option<FileInfo?>("--plot") { Description = "Write training curves of fine-tuning vs from scratch on the first set of digits to this PNG (and of pretraining, when it runs, to NAME.pretrain.png)." };

var root = new RootCommand("Pretrain LeNet-5 on Fashion-MNIST, then fine-tune a new head on a few digits and compare with training from scratch.")
{
    fashionOption, dataOption, pretrainEpochsOption, pretrainCopiesOption, rotateOption, scaleOption, maxShiftOption, pretrainLrOption, pretrainedOption, saveOption,
    digitsOption, subsetsOption, epochsOption, batchOption, lrOption, weightDecayOption, warmupOption, seedOption, threadsOption, dropoutOption, modelOption, trainAllOption, verboseOption, plotOption,
};
return SampleMain.Run(root, args, parsed => Run(
    TransferModel.Named(parsed.GetValue(modelOption)!, parsed.GetValue(dropoutOption)),
    parsed.GetValue(fashionOption)!,
    parsed.GetValue(dataOption)!,
    new Pretraining(
        parsed.GetValue(pretrainEpochsOption), parsed.GetValue(pretrainCopiesOption), parsed.GetValue(rotateOption), parsed.GetValue(scaleOption),
        parsed.GetValue(maxShiftOption), parsed.GetValue(pretrainLrOption)),
    parsed.GetValue(pretrainedOption),
    parsed.GetValue(saveOption)!,
    parsed.GetValue(digitsOption),
    parsed.GetValue(subsetsOption),
    parsed.GetValue(epochsOption),
    parsed.GetValue(batchOption),
    parsed.GetValue(lrOption),
    parsed.GetValue(weightDecayOption),
    parsed.GetValue(warmupOption),
    parsed.GetValue(seedOption),
    parsed.GetValue(threadsOption),
    parsed.GetValue(dropoutOption),
    parsed.GetValue(trainAllOption),
    parsed.GetValue(verboseOption),
    parsed.GetValue(plotOption)), verboseOption);

static int Run(
    TransferModel model,
    DirectoryInfo fashionFolder, DirectoryInfo digitsFolder, Pretraining pretraining, FileInfo? pretrained, FileInfo save,
    int digitCount, int subsets, int epochs, int batch, float lr, float weightDecay, double warmupSeconds, int seed, int threads,
    bool dropout, bool trainAll, bool verbose, FileInfo? plot)
{
    // The option values were checked by the parser (SampleOptions); the files to write before any work.
    bool pretrain = pretrained is not { Exists: true };
    if (pretrain)
    {
        OutputFile.CheckWritable(save.ToString(), "--save");
    }

    if (plot is not null)
    {
        OutputFile.CheckWritable(plot.ToString(), "--plot");
    }

    // (a) Fashion-MNIST, installed from Debian; and the digits, here already, so that --digits × --subsets is
    // checked before pretraining.
    INetwork fashionNet = model.Pretrained(seed);
    (Dataset Train, Dataset Test) fashion;
    try
    {
        fashion = SampleData.Load(fashionFolder, "--fashion", fashionNet);
    }
    catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException)
    {
        throw new FileNotFoundException(
            $"{ex.Message} Fashion-MNIST: install it (as root) with 'apt-get install {FashionPackage}', " +
            $"which puts it in {DefaultFashion}, or pass --fashion DIR for a folder in MNIST's IDX layout.", ex);
    }

    (Dataset Train, Dataset Test) digits = SampleData.Load(digitsFolder, "--data", DigitsNetwork(seed));
    if ((long)digitCount * subsets > digits.Train.Count)
    {
        throw new OptionException("--digits", Invariant(
            $"{digitCount} × --subsets {subsets} = {(long)digitCount * subsets} training digits; '{digitsFolder}' has only {digits.Train.Count}"));
    }

    Console.WriteLine(Invariant($"fashion-mnist: {fashion.Train.Count} training and {fashion.Test.Count} test images, {threads} threads, seed {seed}"));

    // (b) Pretrain the model on Fashion-MNIST, or reuse a checkpoint.
    string checkpoint;
    using (var trainer = new Trainer(fashionNet, new AdamW(pretraining.LearningRate, weightDecay: weightDecay), threads))
    {
        if (!pretrain)
        {
            // A file that is not a checkpoint of the model throws SafetensorsFormatException or CheckpointMismatchException (exit 3).
            checkpoint = pretrained!.FullName;
            CheckpointLoadResult loaded = Checkpoint.Load(fashionNet, checkpoint, strict: true);
            Console.WriteLine(Invariant($"pretrained: reusing {checkpoint} ({loaded.Loaded.Count} tensors)"));
        }
        else
        {
            if (pretrained is not null)
            {
                Console.WriteLine($"pretrained: {pretrained.FullName} does not exist; pretraining");
            }

            // Warped copies: convolutions that have seen clothes turned, resized and moved learn features that carry
            // over to digits; on the originals alone, the frozen features do no better than training from scratch.
            Dataset pretrainSet = ImageAugmentation.RandomAffine(
                fashion.Train, pretraining.Copies, pretraining.Rotate, 1 - pretraining.Scale, 1 + pretraining.Scale, pretraining.MaxShift, (ulong)seed);
            Console.WriteLine(Invariant(
                $"pretrain: {pretrainSet.Count} images (the {fashion.Train.Count} originals and {pretraining.Copies} cop{(pretraining.Copies == 1 ? "y" : "ies")} of each rotated by up to ±{pretraining.Rotate:G3}°, scaled by {1 - pretraining.Scale:G3}–{1 + pretraining.Scale:G3} and moved by up to ±{pretraining.MaxShift:G3} pixels), {pretraining.Epochs} epochs, AdamW lr {pretraining.LearningRate:G3}"));
            TrainingHistory history = ProgressBar.Run("pretrain", progress => trainer.Fit(pretrainSet, fashion.Test, new TrainingOptions
            {
                Epochs = pretraining.Epochs,
                BatchSize = 64,
                Seed = (ulong)seed,
                Progress = progress,
                OnEpoch = e => ProgressBar.WriteLine(Invariant(
                    $"pretrain epoch {e.Epoch}/{pretraining.Epochs}: loss {e.TrainingLoss:F4}, train accuracy {e.TrainingAccuracy:F4}, test accuracy {e.ValidationAccuracy:F4}, {e.ImagesPerSecond:F0} images/s")),
            }));
            checkpoint = save.FullName;
            trainer.SaveCheckpoint(checkpoint, history.Last?.Epoch ?? 0);
            Console.WriteLine($"pretrained: saved {checkpoint}");
            if (plot is not null && history.Epochs.Count > 0)
            {
                string pretrainPlot = Path.ChangeExtension(plot.FullName, ".pretrain.png");
                TrainingCurves.WritePng(pretrainPlot, history.Epochs, model.DisplayName + " pretraining on Fashion-MNIST");
                Console.WriteLine($"plot: {pretrainPlot}");
            }
        }

        Console.WriteLine(Invariant($"pretrained fashion-mnist test accuracy: {trainer.Accuracy(fashion.Test):F4}"));
    }

    // (c) Disjoint sets of a few digits to learn from, and the digits' test set.
    Dataset[] sets = [.. Enumerable.Range(0, subsets).Select(k => digits.Train.Slice(k * digitCount, digitCount))];
    Console.WriteLine(Invariant(
        $"digits: {subsets} disjoint set{(subsets == 1 ? "" : "s")} of {digitCount} training digits (digits 0–{(subsets * digitCount) - 1} of {digits.Train.Count}), {digits.Test.Count} test digits; {epochs} epochs, batch {batch}, AdamW lr {lr:G3}{(dropout ? ", dropout 0.5 in the head" : "")} for both methods"));
    Console.WriteLine(Invariant($"digits: per class in the first set {string.Join(" ", PerClass(sets[0]))}"));

    var options = new TrainingOptions { Epochs = epochs, BatchSize = batch };
    string[] frozen = trainAll ? [] : model.Frozen(DigitsNetwork(seed));
    Console.WriteLine(trainAll
        ? $"model: {model.DisplayName}; fine-tuning trains every layer from the pretrained weights (--train-all)"
        : $"model: {model.DisplayName}; fine-tuning freezes {string.Join(", ", frozen)}");

    // Both methods use the same network's code: whichever ran first would pay for its JIT compilation (and for tiering
    // up, which takes a fraction of a second of calls) in its timed epochs. Train throwaway copies in both
    // configurations first, untimed, so neither does.
    foreach (string[]? layers in new[] { frozen, null })
    {
        using var warmup = new Trainer(DigitsNetwork(seed), new AdamW(lr, weightDecay: weightDecay), threads);
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < warmupSeconds)
        {
            warmup.Fit(sets[0], null, options with { Epochs = 1, FrozenLayers = layers });
        }
    }

    if (warmupSeconds > 0)
    {
        Console.WriteLine(Invariant($"warm-up: {warmupSeconds:0.##} s of untimed training in each configuration, on throwaway networks"));
    }

    // (d) On each set: fine-tune (pretrained convolutions, frozen; a new head, trained) and train from scratch
    // (the same network, seed and options, nothing frozen).
    var tuned = new List<Run>();
    var scratch = new List<Run>();
    for (int k = 0; k < subsets; k++)
    {
        int runSeed = seed + k;
        INetwork fineTuned = DigitsNetwork(runSeed);
        CheckpointLoadResult result = Checkpoint.Load(fineTuned, checkpoint, strict: false);
        string? replaced = model.ReplaceHead(fineTuned, runSeed);
        if (k == 0)
        {
            Console.WriteLine($"fine-tune: loaded {string.Join(", ", result.Loaded)}");
            string[] reasons = [.. result.Skipped.Select(s => s.Reason).Distinct()];
            Console.WriteLine("fine-tune: skipped " + (result.Skipped.Count == 0 ? "nothing"
                : reasons.Length == 1 ? $"{string.Join(", ", result.Skipped.Select(s => s.Key))} ({reasons[0]})"
                : string.Join("; ", result.Skipped)));
            Console.WriteLine($"fine-tune: missing {(result.Missing.Count == 0 ? "nothing" : string.Join(", ", result.Missing))} (kept their initialization from the seed)");
            if (replaced is not null)
            {
                Console.WriteLine("fine-tune: " + replaced);
            }
        }

        TrainingOptions settings = options with { Seed = (ulong)runSeed };
        tuned.Add(TrainDigits("fine-tune", k, fineTuned, sets[k], settings with { FrozenLayers = frozen }));
        scratch.Add(TrainDigits("scratch", k, DigitsNetwork(runSeed), sets[k], settings));
        Console.WriteLine(Invariant(
            $"set {k + 1}/{subsets} (digits {k * digitCount}–{((k + 1) * digitCount) - 1}): fine-tuned {tuned[k].Accuracy:F4}, from scratch {scratch[k].Accuracy:F4} (before training {tuned[k].Before:F4} and {scratch[k].Before:F4})"));
    }

    // (e) The comparison.
    int wins = tuned.Zip(scratch).Count(p => p.First.Accuracy > p.Second.Accuracy);
    double tunedMedian = Median(tuned.SelectMany(r => r.History.Epochs).Select(e => e.TrainingSeconds));
    double scratchMedian = Median(scratch.SelectMany(r => r.History.Epochs).Select(e => e.TrainingSeconds));
    double tunedMean = tuned.SelectMany(r => r.History.Epochs).Average(e => e.TrainingSeconds);
    double scratchMean = scratch.SelectMany(r => r.History.Epochs).Average(e => e.TrainingSeconds);
    Console.WriteLine();
    Console.WriteLine("method        mean test accuracy  std     min     max     mean s/epoch  median s/epoch");
    Console.WriteLine(Invariant($"fine-tuned    {Mean(tuned),18:F4}  {Std(tuned):F4}  {tuned.Min(r => r.Accuracy):F4}  {tuned.Max(r => r.Accuracy):F4}  {tunedMean,12:F5}  {tunedMedian,14:F5}"));
    Console.WriteLine(Invariant($"from scratch  {Mean(scratch),18:F4}  {Std(scratch):F4}  {scratch.Min(r => r.Accuracy):F4}  {scratch.Max(r => r.Accuracy):F4}  {scratchMean,12:F5}  {scratchMedian,14:F5}"));
    Console.WriteLine();
    Console.WriteLine(Invariant($"fine-tuned test accuracy: {Mean(tuned):F4} (mean of {subsets})"));
    Console.WriteLine(Invariant($"from-scratch test accuracy: {Mean(scratch):F4} (mean of {subsets})"));
    Console.WriteLine(Invariant($"fine-tuned better on {wins} of {subsets} sets of {digitCount} digits"));
    Console.WriteLine(Invariant($"fine-tune epoch seconds: {tunedMedian:F5} (median; from scratch {scratchMedian:F5}: {scratchMedian / tunedMedian:F2}x as long)"));
    if (plot is not null)
    {
        TrainingCurves.WritePng(
            plot.FullName,
            [("fine-tune", tuned[0].History.Epochs), ("scratch", scratch[0].History.Epochs)],
            Invariant($"{digitCount} digits: {model.DisplayName} fine-tuned (Fashion-MNIST features, {(trainAll ? "all layers trained" : "frozen")}) vs from scratch"));
        Console.WriteLine($"plot: {plot.FullName}");
    }

    return ExitCodes.Success;

    INetwork DigitsNetwork(int networkSeed) => model.Digits(networkSeed);

    Run TrainDigits(string label, int set, INetwork net, Dataset few, TrainingOptions settings)
    {
        using var trainer = new Trainer(net, new AdamW(lr, weightDecay: weightDecay), threads);
        float before = trainer.Accuracy(digits.Test);
        TrainingHistory history = ProgressBar.Run(Invariant($"{label} {set + 1}"), progress => trainer.Fit(few, digits.Test, settings with
        {
            Progress = progress,
            OnEpoch = verbose
                ? e => ProgressBar.WriteLine(Invariant(
                    $"{label} set {set + 1} epoch {e.Epoch}/{epochs}: loss {e.TrainingLoss:F4}, train accuracy {e.TrainingAccuracy:F4}, test accuracy {e.ValidationAccuracy:F4}, {e.TrainingSeconds:F5} s"))
                : null,
        }));
        return new Run(history, before, trainer.Accuracy(digits.Test));
    }
}

static int[] PerClass(Dataset data)
{
    int[] counts = new int[data.ClassCount];
    foreach (int label in data.Labels)
    {
        counts[label]++;
    }

    return counts;
}

static double Mean(List<Run> runs) => runs.Average(r => r.Accuracy);

static double Std(List<Run> runs)
{
    double mean = Mean(runs);
    return runs.Count < 2 ? 0 : Math.Sqrt(runs.Sum(r => (r.Accuracy - mean) * (r.Accuracy - mean)) / (runs.Count - 1));
}

static double Median(IEnumerable<double> values)
{
    double[] sorted = [.. values.Order()];
    return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

/// <summary>How the model is pretrained on Fashion-MNIST.</summary>
internal sealed record Pretraining(int Epochs, int Copies, float Rotate, float Scale, float MaxShift, float LearningRate);

/// <summary>One training run on a set of digits: its history and the test accuracy before and after.</summary>
internal sealed record Run(TrainingHistory History, float Before, float Accuracy);
