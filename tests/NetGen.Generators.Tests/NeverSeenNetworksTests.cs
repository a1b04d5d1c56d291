using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Generators.Tests;

/// <summary>
/// Networks the tests have never seen (drawn at random, of varied shapes), declared with the attributes,
/// compile, report the ParameterCount that <see cref="ReferenceModel"/> works out on its own, predict
/// finite outputs that depend on the seed, and give the same results on every kernel path.
/// </summary>
public sealed class NeverSeenNetworksTests(ITestOutputHelper output)
{
    private const int Networks = 15;

    /// <summary>What the chosen networks must cover between them.</summary>
    private static readonly (string Name, Func<Topology, bool> Has)[] s_features =
    [
        ("1-D input", t => t.Attributes[0].Args.Length == 1),
        ("2-D input", t => t.Attributes[0].Args.Length == 2),
        ("3-D input", t => t.Attributes[0].Args.Length == 3),
        ("conv stride 2", t => t.Layers.Any(l => l.Kind == "Conv2D" && l.Stride == 2)),
        ("conv padding 1", t => t.Layers.Any(l => l.Kind == "Conv2D" && l.Padding == 1)),
        ("max pool", t => t.Layers.Any(l => l.Kind == "MaxPool2D")),
        ("avg pool", t => t.Layers.Any(l => l.Kind == "AvgPool2D")),
        ("pool stride", t => t.Layers.Any(l => l.Kind.EndsWith("Pool2D", StringComparison.Ordinal) && l.Stride is not null)),
        ("flatten", t => t.Layers.Any(l => l.Kind == "Flatten")),
        ("sigmoid", t => t.Layers.Any(l => l.Kind == "Sigmoid")),
        ("tanh", t => t.Layers.Any(l => l.Kind == "Tanh")),
        ("relu", t => t.Layers.Any(l => l.Kind == "ReLU")),
        ("dropout", t => t.Layers.Any(l => l.Kind == "Dropout")),
        ("softmax", t => t.Layers.Any(l => l.Kind == "Softmax")),
        ("dense first", t => t.Layers.First().Kind == "Dense"),
        ("dense straight after conv", t => t.Layers.Zip(t.Layers.Skip(1)).Any(p => p.First.Kind == "Conv2D" && p.Second.Kind == "Dense")),
        ("conv then activation", t => t.Layers.Zip(t.Layers.Skip(1)).Any(p => p.First.Kind == "Conv2D" && p.Second.Kind is "ReLU" or "Sigmoid" or "Tanh")),
        ("dense then activation", t => t.Layers.Zip(t.Layers.Skip(1)).Any(p => p.First.Kind == "Dense" && p.Second.Kind is "ReLU" or "Sigmoid" or "Tanh")),
        ("conv, pool, dense", t => t.Layers.SkipWhile(l => l.Kind != "Conv2D").SkipWhile(l => !l.Kind.EndsWith("Pool2D", StringComparison.Ordinal)).Any(l => l.Kind == "Dense")),
        ("softmax last", t => t.Layers.Last().Kind == "Softmax"),
        ("two convs", t => t.Layers.Count(l => l.Kind == "Conv2D") >= 2),
        ("batchnorm after conv", t => t.Layers.Zip(t.Layers.Skip(1)).Any(p => p.First.Kind == "Conv2D" && p.Second.Kind == "BatchNorm")),
        ("batchnorm after dense", t => t.Layers.Zip(t.Layers.Skip(1)).Any(p => p.First.Kind == "Dense" && p.Second.Kind == "BatchNorm")),
    ];

    [Fact]
    public void NeverSeenNetworks_CompileAndPredict()
    {
        List<(Topology Topology, Expectation Expected)> chosen = Choose();
        output.WriteLine(string.Join("\n", chosen.Select(c => c.Topology + "  → " + c.Expected.ParameterCount + " parameters")));
        foreach ((string name, Func<Topology, bool> has) in s_features)
        {
            Assert.True(chosen.Any(c => has(c.Topology)), "no chosen network has " + name);
        }

        // All in one assembly: one generator run, one emit.
        var source = new StringBuilder("using NetGen;\n\nnamespace Unseen;\n\n");
        foreach ((Topology t, _) in chosen)
        {
            t.AppendDeclaration(source);
            source.Append('\n');
        }

        GeneratorRun run = GeneratorHarness.Run(source.ToString());
        Assert.Null(run.Crash);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, run.Describe());
        Assert.Empty(run.OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Equal(chosen.Count, run.Sources.Count);

        using LoadedAssembly assembly = GeneratorHarness.EmitAndLoad(run.Output);
        var random = new Random(7);
        foreach ((Topology topology, Expectation expected) in chosen)
        {
            string type = "Unseen." + topology.ClassName;
            INetwork a = assembly.Create(type, seed: 1), b = assembly.Create(type, seed: 2), again = assembly.Create(type, seed: 1);
            string what = topology.ToString();

            Assert.True(expected.ParameterCount == a.ParameterCount, what + ": ParameterCount " + a.ParameterCount + ", expected " + expected.ParameterCount);
            Assert.Equal(expected.ParameterCount, a.Parameters.Length);
            Assert.Equal(expected.ParameterCount, a.Layers.Sum(l => l.ParameterCount));
            Assert.Equal(expected.InputSize, a.InputSize);
            Assert.Equal(expected.OutputSize, a.OutputSize);
            Assert.Equal(expected.LayerNames, a.Layers.Select(l => l.Name));
            Assert.Equal(a.Parameters.ToArray(), again.Parameters.ToArray());

            bool differs = false;
            for (int sample = 0; sample < 3; sample++)
            {
                float[] input = Enumerable.Range(0, a.InputSize).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
                float[] ya = Predict(a, input), yb = Predict(b, input), yAgain = Predict(again, input);
                Assert.True(ya.All(float.IsFinite), what + ": non-finite output " + string.Join(", ", ya));
                Assert.True(yb.All(float.IsFinite), what + ": non-finite output " + string.Join(", ", yb));
                Assert.Equal(ya, yAgain);
                differs |= !ya.SequenceEqual(yb);
                if (topology.Layers.Last().Kind == "Softmax")
                {
                    Assert.Equal(1.0, ya.Sum(), 4);
                }

                TrainingStepIsFinite(a, input, what);
                KernelPathsAgree(a, input, what, compareGradients: !topology.Layers.Any(l => l.Kind == "Dropout"));
            }

            if (expected.ParameterCount > 0)
            {
                Assert.True(differs, what + ": the same outputs for seeds 1 and 2");
            }
        }
    }

    private static float[] Predict(INetwork network, float[] input)
    {
        var y = new float[network.OutputSize];
        network.Predict(input, y);
        return y;
    }

    /// <summary>
    /// Forward in training mode and backward from a made-up logit gradient: everything stays finite and in bounds.
    /// A network with BatchNorm trains on batches only, so it gets a batch of the input and its negation.
    /// </summary>
    private static void TrainingStepIsFinite(INetwork network, float[] input, string what)
    {
        float[] logitsGradient = Enumerable.Range(0, network.OutputSize).Select(i => i % 2 == 0 ? 0.5f : -0.25f).ToArray();
        (float[][] logits, float[] gradients) = TrainingPass(network, Batch(network, input), dropoutSeed: 11, logitsGradient);
        Assert.True(logits.All(l => l.All(float.IsFinite)), what + ": non-finite logits");
        Assert.True(gradients.All(float.IsFinite), what + ": non-finite gradients");
    }

    /// <summary>The input alone, or with its negation when BatchNorm needs a batch with some spread.</summary>
    private static float[][] Batch(INetwork network, float[] input) =>
        network.SegmentCount == 1 ? [input] : [input, [.. input.Select(v => -v)]];

    /// <summary>
    /// One training pass over <paramref name="inputs"/> as the trainer runs it: per sample without BatchNorm; with
    /// it, segment by segment with the batch statistics gathered in between (running statistics left alone).
    /// Returns each sample's logits and the summed parameter gradients.
    /// </summary>
    private static (float[][] Logits, float[] Gradients) TrainingPass(INetwork network, float[][] inputs, ulong dropoutSeed, float[] logitsGradient)
    {
        AlignedBuffer[] workspaces = [.. inputs.Select(_ => new AlignedBuffer(network.WorkspaceSize))];
        var state = new float[network.BatchStateSize];
        float[] buffers = network.Buffers.ToArray();
        var gradients = new float[network.ParameterCount];
        int last = network.SegmentCount - 1;
        for (int segment = 0; segment <= last; segment++)
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                network.ForwardSegment(segment, inputs[i], workspaces[i].Span, state, training: true, dropoutSeed + (ulong)i);
            }

            foreach (BatchNormInfo norm in network.BatchNorms.Where(b => b.Segment == segment + 1))
            {
                BatchNormalization.GatherForward(norm, workspaces, state, buffers, updateRunningStatistics: false);
            }
        }

        float[][] logits = [.. workspaces.Select(w => w.Span.Slice(network.LogitsOffset, network.OutputSize).ToArray())];
        for (int segment = last; segment >= 0; segment--)
        {
            foreach (BatchNormInfo norm in network.BatchNorms.Where(b => b.Segment == segment + 1))
            {
                BatchNormalization.GatherBackward(norm, workspaces, state);
            }

            for (int i = 0; i < inputs.Length; i++)
            {
                network.BackwardSegment(segment, inputs[i], workspaces[i].Span, state, logitsGradient, gradients);
            }
        }

        return (logits, gradients);
    }

    /// <summary>
    /// The scalar kernels are the oracle: the Vector256 and Vector512 paths give the same outputs and (without
    /// dropout, whose masks each path may draw in its own order) the same gradients, up to float reassociation.
    /// </summary>
    private static void KernelPathsAgree(INetwork network, float[] input, string what, bool compareGradients)
    {
        KernelPath original = network.KernelPath;
        try
        {
            network.KernelPath = KernelPath.Scalar;
            (float[] y, float[] g) reference = Run(network, input);
            foreach (KernelPath path in new[] { KernelPath.Vector256, KernelPath.Vector512 })
            {
                network.KernelPath = path;
                (float[] y, float[] g) = Run(network, input);
                AssertClose(reference.y, y, what + ": " + path + " output");
                if (compareGradients)
                {
                    AssertClose(reference.g, g, what + ": " + path + " gradient");
                }
            }
        }
        finally
        {
            network.KernelPath = original;
        }

        static (float[] Output, float[] Gradients) Run(INetwork network, float[] input)
        {
            float[] output = Predict(network, input);
            float[] logitsGradient = [.. Enumerable.Range(0, network.OutputSize).Select(i => 1f / (i + 1))];
            return (output, TrainingPass(network, Batch(network, input), dropoutSeed: 3, logitsGradient).Gradients);
        }

        static void AssertClose(float[] expected, float[] actual, string what)
        {
            Assert.Equal(expected.Length, actual.Length);
            float scale = expected.Select(MathF.Abs).DefaultIfEmpty(0f).Max();
            for (int i = 0; i < expected.Length; i++)
            {
                float tolerance = 1e-4f + (1e-4f * scale) + (1e-3f * MathF.Abs(expected[i]));
                Assert.True(MathF.Abs(expected[i] - actual[i]) <= tolerance, $"{what} [{i}]: scalar {expected[i]}, vector {actual[i]}");
            }
        }
    }

    /// <summary>
    /// Valid random networks, small enough to run, whose output depends on the weights (not a bare ReLU or
    /// pool, not a softmax over one value): first a greedy cover of <see cref="s_features"/>, then the ones
    /// with the most features.
    /// </summary>
    private static List<(Topology, Expectation)> Choose()
    {
        var generator = new TopologyGenerator(seed: 4_242);
        var pool = new List<(Topology Topology, Expectation Expected, HashSet<string> Features)>();
        for (int i = 0; i < 3_000; i++)
        {
            Topology t = generator.NextRandom(allowMistakes: false);
            Expectation e = ReferenceModel.Evaluate(t);
            string last = t.Layers.Last().Kind;
            if (e.Verdict == Verdict.Valid && e.ParameterCount <= 100_000 && last is not ("ReLU" or "Flatten" or "MaxPool2D") && !(last == "Softmax" && e.OutputSize < 2))
            {
                pool.Add((t, e, s_features.Where(f => f.Has(t)).Select(f => f.Name).ToHashSet(StringComparer.Ordinal)));
            }
        }

        var chosen = new List<(Topology, Expectation)>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        while (chosen.Count < Networks && pool.Count > 0)
        {
            // Most new features first, then most features; ties go to the earliest drawn, so the choice is stable.
            var best = pool.OrderByDescending(p => p.Features.Count(f => !covered.Contains(f))).ThenByDescending(p => p.Features.Count).First();
            pool.Remove(best);
            covered.UnionWith(best.Features);
            chosen.Add((best.Topology, best.Expected));
        }

        return chosen;
    }
}
