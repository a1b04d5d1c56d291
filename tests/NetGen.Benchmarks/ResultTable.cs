using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace NetGen.Benchmarks;

/// <summary>The final table: per-side medians over the rounds, and NetGen's standing against each peer.</summary>
internal static class ResultTable
{
    private const string NetGen = "netgen";

    private sealed record Row(string Label, Func<ChildResult, double?> Value, string Format, bool HigherIsBetter, bool HasRatio = true);

    /// <summary>Writes the table.</summary>
    /// <param name="o">Where to.</param>
    /// <param name="options">The settings the sides ran with.</param>
    /// <param name="results">Each side's results, one per round that produced one.</param>
    /// <param name="peaks">The FMA peaks measured by the parent.</param>
    public static void Write(TextWriter o, BenchOptions options, IReadOnlyDictionary<string, List<ChildResult>> results, Orchestrator.FmaPeaks peaks)
    {
        double trainMflop = options.Model.TrainingFlopsPerImage / 1e6;
        List<Row> rows =
        [
            new($"train images/s ({options.Threads} threads)", r => r.TrainImagesPerSecond, "N0", HigherIsBetter: true),
            new($"train GFLOP/s ({trainMflop:F2} MFLOP/image)", r => r.TrainImagesPerSecond * trainMflop / 1e3, "F2", HigherIsBetter: true),
            new($"  % of {options.Threads}-thread Vector256 FMA peak", r => r.TrainImagesPerSecond * trainMflop / 1e3 / peaks.Multi256 * 100, "F1", HigherIsBetter: true, HasRatio: false),
            .. (peaks.Multi512 is null ? Array.Empty<Row>() : [new($"  % of {options.Threads}-thread Vector512 FMA peak", r => r.TrainImagesPerSecond * trainMflop / 1e3 / peaks.Multi512 * 100, "F1", HigherIsBetter: true, HasRatio: false)]),
            new("batch-1 predict latency, median µs", r => r.Batch1MedianMicros, "N1", HigherIsBetter: false),
            new("batch-64 inference images/s", r => r.Batch64ImagesPerSecond, "N0", HigherIsBetter: true),
            new("peak RSS MiB", r => r.PeakRssMiB, "N0", HigherIsBetter: false),
            new("  at the end: code mapped from files", r => r.FileBackedMiB, "N0", HigherIsBetter: false, HasRatio: false),
            new("  at the end: anonymous (heaps, stacks, JIT)", r => r.AnonymousMiB, "N0", HigherIsBetter: false, HasRatio: false),
            new("    of which managed objects", r => r.ManagedMiB, "N0", HigherIsBetter: false, HasRatio: false),
            new("      of which the images (floats)", r => r.DataMiB, "N0", HigherIsBetter: false, HasRatio: false),
            new("test accuracy % after the pass", r => r.TestAccuracy * 100, "F1", HigherIsBetter: true, HasRatio: false),
        ];

        int rounds = results.Values.Select(l => l.Count).DefaultIfEmpty(0).Max();
        o.WriteLine($"Medians over {rounds} round(s); forward {options.Model.ForwardFlopsPerImage / 1e6:F3} MFLOP/image, training {trainMflop:F3} MFLOP/image.");
        // A column per side that ran, then NetGen's ratio against each peer.
        string[] sides = [.. options.Sides.Where(results.ContainsKey)];
        string[] peers = sides.Contains(NetGen) ? [.. sides.Where(side => side != NetGen)] : [];
        string[] header = ["", .. sides.Select(Sides.Title), .. peers.Select(p => "vs " + Sides.Title(p))];
        var table = new List<string[]> { header };
        foreach (Row row in rows)
        {
            double? netgen = Median(results, NetGen, row.Value);
            var cells = new List<string> { row.Label };
            cells.AddRange(sides.Select(side => Orchestrator.Fmt(Median(results, side, row.Value), row.Format)));
            foreach (string peer in peers)
            {
                double? other = Median(results, peer, row.Value);
                double? ratio = row.HasRatio && netgen is > 0 && other is > 0 ? (row.HigherIsBetter ? netgen / other : other / netgen) : null;
                cells.Add(ratio is null ? "" : Orchestrator.Fmt(ratio, "F2") + "×");
            }

            table.Add([.. cells]);
        }

        int[] widths = Enumerable.Range(0, header.Length).Select(c => table.Max(r => r[c].Length)).ToArray();
        string rule = string.Join("-+-", widths.Select(w => new string('-', w)));
        for (int i = 0; i < table.Count; i++)
        {
            string[] r = table[i];
            o.WriteLine(string.Join(" | ", r.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
            if (i == 0)
            {
                o.WriteLine(rule);
            }
        }

        o.WriteLine("vs X: how many times better NetGen is than X (throughput: NetGen ÷ X; latency and memory: X ÷ NetGen); above 1 = NetGen ahead.");
        if (sides.Contains("onnx"))
        {
            o.WriteLine("ONNX Runtime runs inference only (NetGen's initial weights, exported by the benchmark); its peak RSS has no training in it.");
        }
    }

    private static double? Median(IReadOnlyDictionary<string, List<ChildResult>> results, string side, Func<ChildResult, double?> value) =>
        results.TryGetValue(side, out List<ChildResult>? list)
            ? Stats.Median(list.Select(value).Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value))
            : null;
}
