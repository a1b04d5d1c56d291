using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace NetGen.Benchmarks;

/// <summary>The benchmark's settings, shared by the parent and (through the command line) its children.</summary>
/// <param name="Rounds">Rounds; each runs every side once, in alternating order.</param>
/// <param name="Threads">Threads each side may use.</param>
/// <param name="Sides">The sides to run, in table order.</param>
/// <param name="Optimizer"><c>adamw</c> or <c>sgd</c>.</param>
/// <param name="DataFolder">The MNIST-layout IDX folder.</param>
/// <param name="Seed">Seed of the weight initialisation and the data order.</param>
/// <param name="TrainImages">Images in the measured training pass; 0 = the whole training set.</param>
/// <param name="LatencyCalls">Timed batch-1 calls.</param>
/// <param name="WarmupSeconds">Least time each measurement warms up for (the JIT tiers up, caches fill).</param>
/// <param name="Model">The network every side runs.</param>
internal sealed record BenchOptions(
    int Rounds,
    int Threads,
    IReadOnlyList<string> Sides,
    string Optimizer,
    string DataFolder,
    int Seed,
    int TrainImages,
    int LatencyCalls,
    double WarmupSeconds,
    BenchModel Model)
{
    /// <summary>The MNIST-layout folder searched for when <c>--data</c> is not given.</summary>
    public const string DefaultDataFolder = "samples/data/mnist-10k";

    /// <summary>Batch size of training and batched inference.</summary>
    public const int BatchSize = 64;

    /// <summary>What the sides are told.</summary>
    public SideSettings SideSettings => new(Threads, Optimizer, BatchSize, Seed, Model);

    /// <summary>The command line a child needs to measure <paramref name="side"/> with these settings.</summary>
    public IEnumerable<string> ChildArguments(string side)
    {
        yield return "--side";
        yield return side;
        yield return "--model";
        yield return Model.Name;
        yield return "--threads";
        yield return Threads.ToString(CultureInfo.InvariantCulture);
        yield return "--optimizer";
        yield return Optimizer;
        yield return "--data";
        yield return DataFolder;
        yield return "--seed";
        yield return Seed.ToString(CultureInfo.InvariantCulture);
        yield return "--train-images";
        yield return TrainImages.ToString(CultureInfo.InvariantCulture);
        yield return "--latency-calls";
        yield return LatencyCalls.ToString(CultureInfo.InvariantCulture);
        yield return "--warmup-seconds";
        yield return WarmupSeconds.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Finds <see cref="DefaultDataFolder"/> by walking up from the current directory, then from the program's
    /// own folder (so both <c>dotnet run</c> from anywhere in the repository and a copied binary work).
    /// </summary>
    /// <returns>The full path, or null when neither walk finds it.</returns>
    public static string? FindDefaultDataFolder()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, DefaultDataFolder);
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
