using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// The GPU part of a network (<c>Class.Gpu.g.cs</c>) is emitted only when the compilation references NetGen.Gpu
/// (seen through its <c>NetGen.Gpu.IGpuNetwork</c> type), holds its shapes as literals, and keeps the pipeline's
/// caching: an unrelated edit regenerates neither part.
/// </summary>
public sealed class GpuEmissionTests
{
    private const string LeNet5 = """
        using NetGen;

        namespace LeNet;

        [Network, Input(1, 28, 28)]
        [Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
        [Conv2D(16, 5), ReLU, MaxPool2D(2)]
        [Dense(120), ReLU]
        [Dense(84), ReLU]
        [Dense(10)]
        public partial class LeNet5;
        """;

    /// <summary>Stands in for the NetGen.Gpu reference: the generator looks for this type by name.</summary>
    private const string Marker = "namespace NetGen.Gpu { public interface IGpuNetwork { } }";

    [Fact]
    public void WithoutNetGenGpu_OnlyTheCpuPartIsEmitted()
    {
        GeneratorRun run = GeneratorHarness.Run(LeNet5);
        Assert.Equal(["LeNet.LeNet5.g.cs"], run.Sources.Keys);
        Assert.DoesNotContain("ILGPU", run.Sources["LeNet.LeNet5.g.cs"], StringComparison.Ordinal);
    }

    [Fact]
    public void WithNetGenGpu_TheKernelsAreASecondPartWithLiteralShapes()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(GeneratorHarness.Parse(LeNet5), GeneratorHarness.Parse(Marker, "/src/Marker.cs")));
        Assert.Null(run.Crash);
        Assert.Equal(["LeNet.LeNet5.Gpu.g.cs", "LeNet.LeNet5.g.cs"], run.Sources.Keys.Order(StringComparer.Ordinal));
        string gpu = run.Sources["LeNet.LeNet5.Gpu.g.cs"];
        Assert.Contains("partial class LeNet5 : global::NetGen.Gpu.IGpuNetwork", gpu, StringComparison.Ordinal);
        // conv1: one thread per output value of 6×28×28, its 1 × 5 × 5 window with the padding checks.
        Assert.Contains("public static void Conv1_Forward(global::NetGen.Gpu.GpuViews v, global::NetGen.Gpu.GpuStep a)", gpu, StringComparison.Ordinal);
        Assert.Contains("int total = a.Count * 4704;", gpu, StringComparison.Ordinal);
        Assert.Contains("if ((uint)iy >= 28u) continue;", gpu, StringComparison.Ordinal);
        // Tiled variants of Dense and Conv2D, and every pass of every layer that trains.
        foreach (string kernel in new[]
        {
            "Conv1_ForwardTiled", "Conv1_WeightGradTiled", "Conv2_InputGradTiled", "Dense1_ForwardTiled", "Dense3_Grad",
            "Maxpool2_Backward", "Relu4_Backward", "LossSoftmaxCrossEntropy", "Sgd", "Adam", "ClipFactor", "Gather",
        })
        {
            Assert.Contains("public static void " + kernel + "(", gpu, StringComparison.Ordinal);
        }

        // conv1 is the first layer: nothing below it learns, so it has no input gradient.
        Assert.DoesNotContain("Conv1_InputGrad", gpu, StringComparison.Ordinal);
        Assert.Contains("if (trainableFrom >= 3) return;", gpu, StringComparison.Ordinal);
    }

    [Fact]
    public void LayerNamesThatExtendEachOther_GiveDistinctKernels()
    {
        // "x" + "InputGrad" and "xInput" + "Grad" would be the same method without the separator.
        const string source = """
            using NetGen;

            [Network, Input(4)]
            [Dense(3, Name = "gather"), Dense(2, Name = "x"), Dense(2, Name = "xInput")]
            public partial class Tricky;
            """;
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(GeneratorHarness.Parse(source), GeneratorHarness.Parse(Marker, "/src/Marker.cs")));
        Assert.Null(run.Crash);
        string gpu = run.Sources["Tricky.Gpu.g.cs"];
        foreach (string kernel in new[] { "X_InputGrad", "XInput_Grad", "XInput_InputGrad", "Gather_Forward", "Gather" })
        {
            Assert.Contains("public static void " + kernel + "(", gpu, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RandomValidTopologies_GpuPartsCompileAgainstIlgpu()
    {
        var generator = new TopologyGenerator(seed: 20_261_129);
        MetadataReference[] gpu =
        [
            MetadataReference.CreateFromFile(typeof(ILGPU.Context).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(NetGen.Gpu.IGpuNetwork).Assembly.Location),
        ];
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        int compiled = 0;
        Topology[] cases = [.. Enumerable.Range(0, 30).Select(_ => generator.NextRandom(allowMistakes: false))];
        System.Threading.Tasks.Parallel.ForEach(cases, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, topology =>
        {
            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(GeneratorHarness.Parse(topology.ToSource())).AddReferences(gpu));
            if (run.Crash is string crash)
            {
                failures.Add("crash: " + crash.Split('\n')[0] + "\n  " + topology);
            }
            else if (!run.NetGenDiagnostics.Any())
            {
                var errors = run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(2).ToList();
                System.Threading.Interlocked.Increment(ref compiled);
                if (run.Sources.Count != 2 || errors.Count > 0)
                {
                    failures.Add(run.Sources.Count + " sources, " + string.Join("; ", errors) + "\n  " + topology);
                }
            }
        });
        Assert.True(failures.IsEmpty, string.Join("\n\n", failures.Take(5)));
        Assert.InRange(compiled, cases.Length / 2, cases.Length);
    }

    [Fact]
    public void WithNetGenGpu_AnUnrelatedEdit_LeavesBothPartsCached()
    {
        SyntaxTree tree = GeneratorHarness.Parse(LeNet5);
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.Compile(tree, GeneratorHarness.Parse(Marker, "/src/Marker.cs")));
        Compilation edited = first.Input.AddSyntaxTrees(GeneratorHarness.Parse("namespace Other; public static class Helpers { }", "/src/Helpers.cs"));
        GeneratorRun second = GeneratorHarness.Run(edited, first.Driver);

        IncrementalStepRunReason[] reasons = second.Single.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(x => x.Outputs).Select(o => o.Reason).ToArray();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, "output step: " + r));
        Assert.Equal(first.Sources, second.Sources);
    }
}
