using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace NetGen.Benchmarks;

/// <summary>
/// What one child process measured for one side, printed as one JSON line after <see cref="Marker"/> and parsed
/// by the parent. A measurement that failed is null, with the reason in <see cref="Errors"/>.
/// </summary>
internal sealed record ChildResult
{
    /// <summary>Starts the one stdout line that carries the result; every other line is passed through.</summary>
    public const string Marker = "@@netgen-bench-result@@ ";

    /// <summary>The side's name (<c>torch</c>, <c>netgen</c>).</summary>
    public required string Side { get; init; }

    /// <summary>What the side said about itself (library, version, threads, optimizer).</summary>
    public string? Description { get; set; }

    /// <summary>Threads the side was told to use.</summary>
    public int Threads { get; init; }

    /// <summary>Training images in the measured pass.</summary>
    public int TrainImages { get; set; }

    /// <summary>Seconds the measured training pass took.</summary>
    public double? TrainSeconds { get; set; }

    /// <summary>Training throughput: <see cref="TrainImages"/> / <see cref="TrainSeconds"/>.</summary>
    public double? TrainImagesPerSecond { get; set; }

    /// <summary>Mean loss of the first batch of the measured pass.</summary>
    public double? FirstBatchLoss { get; set; }

    /// <summary>Mean loss over the measured pass.</summary>
    public double? MeanLoss { get; set; }

    /// <summary>Test accuracy after training (a sanity check that the side really learned).</summary>
    public double? TestAccuracy { get; set; }

    /// <summary>Median over passes of test images per second in batches of 64.</summary>
    public double? Batch64ImagesPerSecond { get; set; }

    /// <summary>Median batch-1 predict latency in microseconds.</summary>
    public double? Batch1MedianMicros { get; set; }

    /// <summary>10th percentile of the batch-1 latency in microseconds.</summary>
    public double? Batch1P10Micros { get; set; }

    /// <summary>90th percentile of the batch-1 latency in microseconds.</summary>
    public double? Batch1P90Micros { get; set; }

    /// <summary>Timed batch-1 calls.</summary>
    public int Batch1Calls { get; set; }

    /// <summary>Peak resident set size of the child (VmHWM) in MiB.</summary>
    public double? PeakRssMiB { get; set; }

    /// <summary>At the end: resident pages mapped from files (code of the runtime, the libraries, the program), MiB.</summary>
    public double? FileBackedMiB { get; set; }

    /// <summary>At the end: resident anonymous pages (heaps, stacks, JIT-compiled code), MiB.</summary>
    public double? AnonymousMiB { get; set; }

    /// <summary>At the end: bytes of managed objects (live, and garbage not yet collected), MiB (part of <see cref="AnonymousMiB"/>).</summary>
    public double? ManagedMiB { get; set; }

    /// <summary>The training and test images as the harness holds them (floats), MiB: the same on every side.</summary>
    public double? DataMiB { get; set; }

    /// <summary>
    /// Share (0..1) of all cores that other processes kept busy during the measurements (see <see cref="SystemLoad"/>);
    /// anything above a few percent means the machine was shared and the round is suspect.
    /// </summary>
    public double? OtherLoad { get; set; }

    /// <summary>Wall seconds of the whole child, loading included.</summary>
    public double ChildSeconds { get; set; }

    /// <summary>One line per failed measurement.</summary>
    public List<string> Errors { get; init; } = [];
}

/// <summary>Source-generated JSON for <see cref="ChildResult"/> (no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ChildResult))]
internal sealed partial class ChildResultJson : JsonSerializerContext;
