using System;
using System.Diagnostics;
using NetGen;

namespace NetGen.Samples;

/// <summary>The sample's two inference figures: batch-1 latency and batch-64 throughput.</summary>
internal static class InferenceTiming
{
    /// <summary>Median wall time of one <c>Predict</c> call on one thread, over <paramref name="calls"/> calls after a warm-up.</summary>
    public static double Batch1MedianMicroseconds(INetwork net, Dataset test, int calls)
    {
        Span<float> output = stackalloc float[net.OutputSize];
        for (int i = 0; i < 1000; i++)
        {
            net.Predict(test.Sample(i % test.Count), output);
        }

        var times = new double[calls];
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            net.Predict(test.Sample(i % test.Count), output);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(times);
        return times[calls / 2];
    }

    /// <summary>Images per second classifying the test set in batches of 64 on all the trainer's workers (median of 5 passes).</summary>
    public static double Batch64ImagesPerSecond(Trainer trainer, Dataset test)
    {
        const int Batch = 64;
        Span<int> classes = stackalloc int[Batch];
        var rates = new double[5];
        for (int pass = -1; pass < rates.Length; pass++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int first = 0; first < test.Count; first += Batch)
            {
                int count = Math.Min(Batch, test.Count - first);
                trainer.PredictClasses(test, first, count, classes[..count]);
            }

            if (pass >= 0)
            {
                rates[pass] = test.Count / Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
        }

        Array.Sort(rates);
        return rates[rates.Length / 2];
    }
}
