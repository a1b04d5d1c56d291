using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace NetGen.Benchmarks;

/// <summary>
/// The parent process: measures the FMA peak, then runs every side as a child process of this same program in
/// each round, alternating their order so that the machine's slow and fast spells fall on both sides alike, and
/// prints the medians.
/// </summary>
internal static class Orchestrator
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(10);

    // Share of the CPUs that other processes may use during a child's measurements before its round is flagged.
    private const double BusyThreshold = 0.05;

    /// <summary>Runs the whole benchmark; returns the exit code (non-zero when no side could even be set up).</summary>
    public static int Run(BenchOptions options)
    {
        TextWriter o = Console.Out;
        o.WriteLine($"NetGen side-by-side benchmark: {options.Model.Title} on MNIST");
        o.WriteLine($"  machine  : {CpuModel()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}");
        o.WriteLine($"  runtime  : .NET {Environment.Version}, AVX2 {System.Runtime.Intrinsics.X86.Avx2.IsSupported}, FMA {System.Runtime.Intrinsics.X86.Fma.IsSupported}, AVX-512F {System.Runtime.Intrinsics.X86.Avx512F.IsSupported}");
        o.WriteLine($"  data     : {options.DataFolder}");
        o.WriteLine($"  settings : {options.Rounds} round(s), {options.Threads} thread(s), batch {BenchOptions.BatchSize}, {options.SideSettings.DescribeOptimizer()}, sides {string.Join(", ", options.Sides)}");
        o.WriteLine();

        // A shared machine makes every number below noise: say so up front (this process is idle for the second).
        SystemLoad.Sample? before = SystemLoad.Read();
        System.Threading.Thread.Sleep(1000);
        if (SystemLoad.OtherShare(before, SystemLoad.Read(), 0) is > BusyThreshold and var busy)
        {
            Console.Error.WriteLine($"note: other processes are using {busy:P0} of the CPUs right now; the results will be noisy (each round reports its own share).");
        }

        FmaPeaks peaks = FmaPeaks.Measure(options.Threads, o);
        o.WriteLine();

        var results = options.Sides.ToDictionary(s => s, _ => new List<ChildResult>());
        var descriptions = new Dictionary<string, string>();
        for (int round = 1; round <= options.Rounds; round++)
        {
            // Alternate the order: odd rounds as given, even rounds reversed.
            IEnumerable<string> order = round % 2 == 1 ? options.Sides : options.Sides.Reverse();
            foreach (string side in order)
            {
                ChildResult? r = RunChild(side, options);
                if (r is null)
                {
                    continue;
                }

                results[side].Add(r);
                if (r.Description is not null)
                {
                    descriptions.TryAdd(side, r.Description);
                }

                if (r.Description is null)
                {
                    o.WriteLine($"round {round} {Sides.Title(side),-10}: no measurements ({string.Join("; ", r.Errors)})");
                    continue;
                }

                CultureInfo c = CultureInfo.InvariantCulture;
                string training = r.TrainSeconds is null
                    ? "no training (inference only)"
                    : string.Create(c, $"train {Fmt(r.TrainImagesPerSecond, "N0")} img/s (loss {Fmt(r.FirstBatchLoss, "F3")} → mean {Fmt(r.MeanLoss, "F3")})");
                string accuracy = r.TestAccuracy is null ? "" : string.Create(c, $"accuracy {Fmt(r.TestAccuracy * 100, "F1")}%, ");
                o.WriteLine(string.Create(c,
                    $"round {round} {Sides.Title(side),-10}: {training}, " +
                    $"batch-1 {Fmt(r.Batch1MedianMicros, "N0")} µs (p10 {Fmt(r.Batch1P10Micros, "N0")}, p90 {Fmt(r.Batch1P90Micros, "N0")}), " +
                    $"batch-64 {Fmt(r.Batch64ImagesPerSecond, "N0")} img/s, {accuracy}" +
                    $"peak RSS {Fmt(r.PeakRssMiB, "N0")} MiB, other load {Fmt(r.OtherLoad * 100, "F0")}%, {r.ChildSeconds:F1} s"));
                if (r.OtherLoad > BusyThreshold)
                {
                    Console.Error.WriteLine($"note: other processes kept {r.OtherLoad:P0} of the CPUs busy during round {round}'s {Sides.Title(side)} measurements; its numbers are suspect.");
                }
            }
        }

        o.WriteLine();
        foreach ((string side, string description) in descriptions.OrderBy(d => options.Sides.ToList().IndexOf(d.Key)))
        {
            o.WriteLine($"  {Sides.Title(side),-10}: {description}");
        }

        o.WriteLine();
        ResultTable.Write(o, options, results, peaks);
        return results.Values.Any(list => list.Any(r => r.Description is not null)) ? 0 : 1;
    }

    /// <summary>Runs one child for <paramref name="side"/>; null (with a note on stderr) when it gave no result.</summary>
    private static ChildResult? RunChild(string side, BenchOptions options)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = false, // the child's notes go straight to our stderr
            UseShellExecute = false,
        };

        // Under `dotnet NetGen.Benchmarks.dll` the process is the dotnet host: hand it the assembly again.
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        foreach (string arg in options.ChildArguments(side))
        {
            start.ArgumentList.Add(arg);
        }

        ChildResult? result = null;
        try
        {
            using Process child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {self}.");
            child.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                if (e.Data.StartsWith(ChildResult.Marker, StringComparison.Ordinal))
                {
                    result = JsonSerializer.Deserialize(e.Data[ChildResult.Marker.Length..], ChildResultJson.Default.ChildResult);
                }
                else
                {
                    Console.Error.WriteLine($"[{side}] {e.Data}");
                }
            };
            child.BeginOutputReadLine();
            if (!child.WaitForExit(ChildTimeout))
            {
                child.Kill(entireProcessTree: true);
                Console.Error.WriteLine($"note: the {Sides.Title(side)} child ran past {ChildTimeout.TotalMinutes} minutes and was stopped; going on.");
                return null;
            }

            child.WaitForExit(); // drains the output
            if (result is null)
            {
                // (A result with failed measurements was already explained on stderr by the child itself.)
                Console.Error.WriteLine($"note: the {Sides.Title(side)} child exited with code {child.ExitCode} and no result; going on.");
            }
        }
#pragma warning disable CA1031 // One side failing must not stop the others.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine($"note: the {Sides.Title(side)} child failed: {e.Message}; going on.");
            return null;
        }

        return result;
    }

    /// <summary>The FMA peaks measured in the parent before the rounds.</summary>
    internal sealed record FmaPeaks(int Threads, double? Single256, double? Multi256, double? Single512, double? Multi512)
    {
        public static FmaPeaks Measure(int threads, TextWriter o)
        {
            o.Write("FMA peak (12 independent chains, best of 5) ... ");
            o.Flush();
            var peaks = new FmaPeaks(
                threads,
                FmaPeak.GigaflopsPerSecond(1, 256),
                FmaPeak.GigaflopsPerSecond(threads, 256),
                FmaPeak.GigaflopsPerSecond(1, 512),
                FmaPeak.GigaflopsPerSecond(threads, 512));
            o.WriteLine();
            o.WriteLine($"  Vector256: {Fmt(peaks.Single256, "N1")} GFLOP/s on 1 thread, {Fmt(peaks.Multi256, "N1")} on {threads}");
            o.WriteLine(FmaPeak.IsSupported(512)
                ? $"  Vector512: {Fmt(peaks.Single512, "N1")} GFLOP/s on 1 thread, {Fmt(peaks.Multi512, "N1")} on {threads}"
                : "  Vector512: not accelerated here");
            return peaks;
        }
    }

    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    /// <summary>Formats a value that may be missing.</summary>
    internal static string Fmt(double? value, string format) =>
        value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "—";
}
