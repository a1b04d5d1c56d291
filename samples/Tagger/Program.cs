// Trains a bidirectional LSTM part-of-speech tagger, compiled by NetGen, on the Brown corpus that ships in
// samples/data/brown: one line per epoch with the dev-set token accuracy, the best epoch's weights kept (early
// stopping on dev), then the per-tag report on the test split and its token accuracy.
using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NetGen;
using NetGen.Samples;
using Tagger;

var data = new Option<DirectoryInfo>("--data")
{
    Description = "Folder with brown-train.tsv.gz, brown-dev.tsv.gz and brown-test.tsv.gz (default: the copy next to the program).",
    DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(AppContext.BaseDirectory, "data", "brown")),
};
var column = SampleOptions.Choice("--tag-column", "Tags to learn: universal (12) or brown (232, the corpus's own).", "universal", "universal", "brown");
var epochs = SampleOptions.Int("--epochs", "Passes over the training split.", 3, Bounds.AtLeast(1));
var batch = SampleOptions.Int("--batch", "Sentences per step.", 32, Bounds.AtLeast(1));
var rate = SampleOptions.Float("--lr", "Adam's learning rate.", 2e-3f, Bounds.Above(0));
var patience = SampleOptions.Int("--patience", "Epochs without a better dev accuracy before stopping.", 2, Bounds.AtLeast(1));
var threads = SampleOptions.Int("--threads", "Worker threads (default: all cores).", Environment.ProcessorCount, Bounds.AtLeast(1));
var seed = SampleOptions.Int("--seed", "Seeds the weights and the order of the sentences.", 1, Bounds.AtLeast(0));
var sentences = SampleOptions.Int("--train-sentences", "Train on the first N training sentences (0: all).", 0, Bounds.AtLeast(0));
var root = new RootCommand("Train a bidirectional LSTM part-of-speech tagger, compiled by NetGen, on the Brown corpus.")
{
    data, column, epochs, batch, rate, patience, threads, seed, sentences,
};

return SampleMain.Run(root, args, parsed =>
{
    DirectoryInfo folder = parsed.GetValue(data)!;
    bool fine = parsed.GetValue(column) == "brown";
    int tagColumn = fine ? 1 : 2;
    string Split(string name) => Path.Combine(folder.FullName, "brown-" + name + ".tsv.gz");
    var train = Conll.Load(Split("train"), tagColumn);
    var dev = Conll.Load(Split("dev"), tagColumn);
    var test = Conll.Load(Split("test"), tagColumn);
    if (parsed.GetValue(sentences) is > 0 and var first && first < train.Count)
    {
        train = train.Take(first).ToArray();
    }

    // The tag inventory is the corpus's (a few fine tags occur only in dev or test); the words are the training split's.
    var tags = TaggingData.Tags(train.Concat(dev).Concat(test));
    var vocabulary = Vocabulary.Build(train.SelectMany(s => s.Words), minCount: 2, maxSize: TaggerShape.Vocabulary);
    INetwork net = fine ? new BrownTagger(parsed.GetValue(seed)) : new UniversalTagger(parsed.GetValue(seed));
    if (tags.Count * TaggerShape.Steps != net.OutputSize)
    {
        throw new InvalidDataException($"{folder.FullName}: the corpus has {tags.Count} {(fine ? "Brown" : "universal")} tags; the network was compiled for {net.OutputSize / TaggerShape.Steps}.");
    }

    Dataset trainSet = TaggingData.Create(train, vocabulary, tags, TaggerShape.Steps);
    Dataset devSet = TaggingData.Create(dev, vocabulary, tags, TaggerShape.Steps);
    Dataset testSet = TaggingData.Create(test, vocabulary, tags, TaggerShape.Steps);
    long trainTokens = trainSet.Targets!.Count(t => t >= 0);
    Console.WriteLine($"network: {net.GetType().Name}, {net.ParameterCount:N0} parameters; {train.Count:N0} training sentences ({trainTokens:N0} tokens), vocabulary {vocabulary.Count:N0}, {tags.Count} tags");

    var loss = new SequenceCrossEntropyLoss(tags.Count);
    float[] best = net.Parameters.ToArray();
    double bestAccuracy = -1;
    int bestEpoch = 0;
    using var trainer = new Trainer(net, new Adam(parsed.GetValue(rate)), parsed.GetValue(threads));
    for (int epoch = 0; epoch < parsed.GetValue(epochs); epoch++)
    {
        long start = Stopwatch.GetTimestamp();
        var history = trainer.Fit(trainSet, null, new TrainingOptions
        {
            StartEpoch = epoch, Epochs = epoch + 1, BatchSize = parsed.GetValue(batch), Seed = (ulong)parsed.GetValue(seed), Loss = loss,
        });
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        double accuracy = TaggingEvaluation.TokenConfusion(net, devSet).Accuracy;
        Console.WriteLine($"epoch {epoch + 1}: loss {history.Epochs[^1].TrainingLoss:F4}, train tokens/s {trainTokens / seconds:N0}, dev token accuracy {accuracy:F4}");
        if (accuracy > bestAccuracy)
        {
            (bestAccuracy, bestEpoch) = (accuracy, epoch + 1);
            net.Parameters.CopyTo(best);
        }
        else if (epoch + 1 - bestEpoch >= parsed.GetValue(patience))
        {
            Console.WriteLine($"early stop: no better dev accuracy for {parsed.GetValue(patience)} epochs");
            break;
        }
    }

    best.CopyTo(net.Parameters);
    Console.WriteLine($"best dev epoch: {bestEpoch} ({bestAccuracy:F4})");
    ClassificationReport report = TaggingEvaluation.Report(net, testSet);
    Console.Write(report.ToStringWithMicroAverage(3));
    Console.WriteLine($"test token accuracy: {report.Accuracy:F4}");

    // Batch-1 latency: one 20-token test sentence through Predict, the median of 500 calls after a warm-up.
    int sample = Enumerable.Range(0, testSet.Count).First(i => testSet.Target(i).ToArray().Count(t => t >= 0) == 20);
    var output = new float[net.OutputSize];
    var times = new double[500];
    for (int i = 0; i < 100; i++)
    {
        net.Predict(testSet.Sample(sample), output);
    }

    for (int i = 0; i < times.Length; i++)
    {
        long t0 = Stopwatch.GetTimestamp();
        net.Predict(testSet.Sample(sample), output);
        times[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
    }

    Array.Sort(times);
    Console.WriteLine($"batch-1 latency, a 20-token sentence: {times[times.Length / 2]:F1} us (median of {times.Length})");
    return ExitCodes.Success;
});
