using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Generators.Tests;

/// <summary>
/// The generator never throws: a few hundred random and mutated topologies, and graphs (residuals, branches, joins,
/// with wrong references and shapes among them), each either compile cleanly or get
/// NG diagnostics (and no generated code), never a generator exception (CS8785) or a broken build; and the
/// generator's verdict agrees with <see cref="ReferenceModel"/>.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int RandomCases = 300;
    private const int LeNetMutations = 60;
    private const int Graphs = 120;

    [Fact]
    public void RandomAndMutatedTopologies_CompileOrGetDiagnostics_NeverCrash()
    {
        var generator = new TopologyGenerator(seed: 20_251_111);
        List<Topology> cases =
        [
            .. Enumerable.Range(0, RandomCases).Select(_ => generator.NextRandom()),
            .. Enumerable.Range(0, LeNetMutations).Select(_ => generator.NextLeNetMutation()),
            .. Enumerable.Range(0, Graphs).Select(_ => generator.NextGraph()),
        ];

        var clock = Stopwatch.StartNew();
        var failures = new ConcurrentBag<(int Index, string Message)>();
        int compiled = 0, rejected = 0, compiledWithBatchNorm = 0, compiledGraphs = 0, rejectedGraphs = 0;
        Parallel.For(0, cases.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            (bool ok, string? failure) = Check(cases[i]);
            Interlocked.Increment(ref ok ? ref compiled : ref rejected);
            if (ok && cases[i].Layers.Any(l => l.Kind == "BatchNorm"))
            {
                Interlocked.Increment(ref compiledWithBatchNorm);
            }

            if (i >= RandomCases + LeNetMutations)
            {
                Interlocked.Increment(ref ok ? ref compiledGraphs : ref rejectedGraphs);
            }

            if (failure is not null)
            {
                failures.Add((i, failure));
            }
        });
        clock.Stop();

        output.WriteLine($"{cases.Count} topologies in {clock.Elapsed.TotalSeconds:F1} s: {compiled} compiled ({compiledWithBatchNorm} with BatchNorm, {compiledGraphs} graphs), {rejected} rejected ({rejectedGraphs} graphs) with NG diagnostics, {failures.Count} failures.");
        string report = string.Join("\n\n", failures.OrderBy(f => f.Index).Take(12).Select(f => "#" + f.Index + " " + f.Message));
        Assert.True(failures.IsEmpty, failures.Count + " of " + cases.Count + " topologies failed:\n\n" + report);

        // Both outcomes must be well represented, or the fuzzer tests little.
        Assert.InRange(compiled, cases.Count / 5, cases.Count);
        Assert.InRange(rejected, cases.Count / 5, cases.Count);
        Assert.InRange(compiledWithBatchNorm, cases.Count / 20, compiled);
        Assert.InRange(compiledGraphs, Graphs / 2, Graphs);
        Assert.InRange(rejectedGraphs, Graphs / 8, Graphs);

        // The time is printed, not asserted: on a shared 2-core machine it measures the neighbours as much as
        // this test. Most of it is Roslyn binding the generated kernels, so it grows with the emitted code.
    }

    /// <summary>Runs one topology; returns whether it compiled, and what went wrong if anything did.</summary>
    internal static (bool Compiled, string? Failure) Check(Topology topology)
    {
        string source = topology.ToSource();
        GeneratorRun run;
        try
        {
            run = GeneratorHarness.Run(source);
        }
#pragma warning disable CA1031 // Anything the driver lets escape is a failure to report, with the source that caused it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (false, Describe(topology, "the driver threw " + e));
        }

        if (run.Crash is string crash)
        {
            // The exception and where it was thrown; the rest of the stack is Roslyn's.
            return (false, Describe(topology, "generator crash: " + string.Join("\n  ", crash.Split('\n').Take(2)).TrimEnd()));
        }

        Expectation expected = ReferenceModel.Evaluate(topology);
        List<Diagnostic> ng = run.NetGenDiagnostics.ToList();
        if (ng.Count > 0)
        {
            if (run.Sources.Count > 0)
            {
                return (false, Describe(topology, "NG diagnostics and generated code: " + string.Join("; ", ng)));
            }

            if (ng.FirstOrDefault(d => !d.Location.GetLineSpan().IsValid || d.Location.GetLineSpan().Path != GeneratorHarness.UserFilePath) is Diagnostic lost)
            {
                return (false, Describe(topology, "a diagnostic without a source location: " + lost));
            }

            return expected.Verdict == Verdict.Valid
                ? (false, Describe(topology, "rejected, but the reference model finds it valid: " + string.Join("; ", ng.Select(d => d.GetMessage()))))
                : (false, null);
        }

        if (run.Sources.Count != 1)
        {
            return (false, Describe(topology, "no NG diagnostic, but " + run.Sources.Count + " generated files"));
        }

        List<Diagnostic> problems = run.OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (problems.Count > 0)
        {
            return (false, Describe(topology, "the build is broken: " + string.Join("; ", problems.Take(2))));
        }

        if (expected.Verdict == Verdict.Invalid)
        {
            return (true, Describe(topology, "compiled, but the reference model rejects it (" + expected.Reason + ")"));
        }

        // The sizes the generated class declares, against the reference model's own arithmetic.
        string generated = run.Sources.Values.Single();
        foreach ((string constant, long value) in new[] { ("InputSize", expected.InputSize), ("OutputSize", expected.OutputSize), ("ParameterCount", expected.ParameterCount) })
        {
            string line = "public const int " + constant + " = " + value.ToString(CultureInfo.InvariantCulture) + ";";
            if (expected.Verdict == Verdict.Valid && !generated.Contains(line, StringComparison.Ordinal))
            {
                return (true, Describe(topology, "expected '" + line + "' in the generated code"));
            }
        }

        return (true, null);
    }

    private static string Describe(Topology topology, string what) => what + "\n  " + topology;
}
