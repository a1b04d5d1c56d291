using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace NetGen.Benchmarks;

/// <summary>
/// The child process's work: load the data, set one side up, and measure it the same way whichever side it is.
/// Every measurement warms up first (at least <see cref="BenchOptions.WarmupSeconds"/>, so the JIT has tiered up
/// and the caches are warm) and a failed measurement is reported and skipped, not fatal.
/// </summary>
internal static class Harness
{
    private const int MinWarmupBatches = 10;
    private const int MinWarmupCalls = 200;
    private const int MeasuredInferencePasses = 5;

    /// <summary>Measures side <paramref name="sideName"/> and returns what it found.</summary>
    public static ChildResult Run(string sideName, BenchOptions options)
    {
        long childStart = Stopwatch.GetTimestamp();
        var result = new ChildResult { Side = sideName, Threads = options.Threads };
        (Dataset train, Dataset test) = Idx.LoadFolder(options.DataFolder);
        SideSettings settings = options.SideSettings;

        using IBenchmarkSide side = Sides.Create(sideName);
        if (Try(result, "setup", () => result.Description = side.Setup(train, test, settings)))
        {
            using var self = Process.GetCurrentProcess();
            SystemLoad.Sample? before = SystemLoad.Read();
            TimeSpan ownBefore = self.TotalProcessorTime;
            if (side.Trains)
            {
                Try(result, "training", () => MeasureTraining(side, train, options, result));
            }

            Try(result, "batch-64 inference", () => MeasureBatchInference(side, test, options, result));
            Try(result, "batch-1 latency", () => MeasureLatency(side, test, options, result));
            self.Refresh();
            result.OtherLoad = SystemLoad.OtherShare(before, SystemLoad.Read(), (self.TotalProcessorTime - ownBefore).TotalSeconds);
        }

        // A side that could not even set up has no memory footprint worth comparing (only the bare runtime's).
        result.PeakRssMiB = result.Description is null ? null : ProcessMemory.PeakMiB();
        result.FileBackedMiB = ProcessMemory.FileBackedMiB();
        result.AnonymousMiB = ProcessMemory.AnonymousMiB();
        result.ManagedMiB = GC.GetTotalMemory(forceFullCollection: false) / (1024.0 * 1024.0);
        result.DataMiB = (train.Features.Length + test.Features.Length) * (double)sizeof(float) / (1024 * 1024);
        result.ChildSeconds = Stopwatch.GetElapsedTime(childStart).TotalSeconds;
        return result;
    }

    private static bool Try(ChildResult result, string what, Action action)
    {
        try
        {
            action();
            return true;
        }
#pragma warning disable CA1031 // A side that fails one measurement must not cost the others: report and go on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            string message = $"{what} failed: {e.GetType().Name}: {e.Message}";
            result.Errors.Add(message);
            Console.Error.WriteLine($"note: [{result.Side}] {message}; going on.");
            return false;
        }
    }

    private static int[] Shuffled(int count, int seed)
    {
        int[] order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }

    private static void MeasureTraining(IBenchmarkSide side, Dataset train, BenchOptions options, ChildResult result)
    {
        int batch = BenchOptions.BatchSize;

        // Warm-up: batches from their own shuffled order (they train the model too, as a real run's first batches would).
        int[] warmup = Shuffled(train.Count, options.Seed + 1);
        long start = Stopwatch.GetTimestamp();
        for (int b = 0, first = 0; b < MinWarmupBatches || Stopwatch.GetElapsedTime(start).TotalSeconds < options.WarmupSeconds; b++)
        {
            if (first + batch > warmup.Length)
            {
                first = 0;
            }

            CheckLoss(side.TrainBatch(warmup.AsSpan(first, batch)));
            first += batch;
        }

        // Measured: one shuffled pass over TrainImages images in batches of 64 (the last one may be smaller).
        int images = options.TrainImages > 0 ? Math.Min(options.TrainImages, train.Count) : train.Count;
        int[] order = Shuffled(train.Count, options.Seed + 2).AsSpan(0, images).ToArray();
        double lossSum = 0;
        float firstLoss = float.NaN;
        start = Stopwatch.GetTimestamp();
        for (int first = 0; first < images; first += batch)
        {
            int count = Math.Min(batch, images - first);
            float loss = side.TrainBatch(order.AsSpan(first, count));
            lossSum += loss * (double)count;
            if (first == 0)
            {
                firstLoss = loss;
            }
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        CheckLoss((float)(lossSum / images));
        result.TrainImages = images;
        result.TrainSeconds = seconds;
        result.TrainImagesPerSecond = images / seconds;
        result.FirstBatchLoss = firstLoss;
        result.MeanLoss = lossSum / images;
    }

    private static void CheckLoss(float loss)
    {
        if (!float.IsFinite(loss))
        {
            throw new InvalidOperationException($"The training loss is {loss.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    /// <summary>One pass over the test set in batches of 64; returns the number of correct predictions.</summary>
    private static int InferencePass(IBenchmarkSide side, Dataset test, int[] predictions)
    {
        int batch = BenchOptions.BatchSize;
        int correct = 0;
        for (int first = 0; first < test.Count; first += batch)
        {
            int count = Math.Min(batch, test.Count - first);
            side.PredictBatch(first, count, predictions.AsSpan(0, count));
            for (int i = 0; i < count; i++)
            {
                correct += predictions[i] == test.Labels[first + i] ? 1 : 0;
            }
        }

        return correct;
    }

    private static void MeasureBatchInference(IBenchmarkSide side, Dataset test, BenchOptions options, ChildResult result)
    {
        int[] predictions = new int[BenchOptions.BatchSize];

        // The first pass gives the accuracy after training (and starts the warm-up).
        long start = Stopwatch.GetTimestamp();
        double accuracy = InferencePass(side, test, predictions) / (double)test.Count;
        result.TestAccuracy = side.Trains ? accuracy : null; // an untrained side's accuracy is chance
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < options.WarmupSeconds / 2)
        {
            InferencePass(side, test, predictions);
        }

        var rates = new List<double>(MeasuredInferencePasses);
        for (int pass = 0; pass < MeasuredInferencePasses; pass++)
        {
            start = Stopwatch.GetTimestamp();
            InferencePass(side, test, predictions);
            rates.Add(test.Count / Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        result.Batch64ImagesPerSecond = Stats.Median(rates);
    }

    private static void MeasureLatency(IBenchmarkSide side, Dataset test, BenchOptions options, ChildResult result)
    {
        long start = Stopwatch.GetTimestamp();
        int sink = 0;
        for (int i = 0; i < MinWarmupCalls || Stopwatch.GetElapsedTime(start).TotalSeconds < options.WarmupSeconds / 2; i++)
        {
            sink += side.PredictOne(i % test.Count);
        }

        double[] micros = new double[options.LatencyCalls];
        for (int i = 0; i < micros.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            sink += side.PredictOne(i % test.Count);
            micros[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }

        GC.KeepAlive(sink);
        result.Batch1Calls = micros.Length;
        result.Batch1MedianMicros = Stats.Percentile(micros, 0.5);
        result.Batch1P10Micros = Stats.Percentile(micros, 0.1);
        result.Batch1P90Micros = Stats.Percentile(micros, 0.9);
    }
}

/// <summary>Order statistics.</summary>
internal static class Stats
{
    /// <summary>The median of the values; null when there are none.</summary>
    public static double? Median(IEnumerable<double> values)
    {
        double[] v = values.ToArray();
        return v.Length == 0 ? null : Percentile(v, 0.5);
    }

    /// <summary>The <paramref name="q"/>-quantile (0..1) of non-empty <paramref name="values"/>, linearly interpolated.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double q)
    {
        double[] sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("No values.", nameof(values));
        }

        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
