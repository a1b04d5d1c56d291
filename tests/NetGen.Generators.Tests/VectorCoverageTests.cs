using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// No scalar cliffs: the network families NetGen serves run vector kernels in every layer on both vector paths,
/// and the generated header names every layer that does not. The oracle reads the generated code itself: a layer
/// falls back on a path when a method its Forward, Backward or Predict dispatch calls for it has no vector in it
/// (no V128/V256/V512 call, no Vec4f/Vec8f/Vec16f), whatever the generator believes.
/// </summary>
public sealed class VectorCoverageTests
{
    private const string Usings = "using NetGen;\nnamespace Models;\n";

    /// <summary>The families the issue names, each as a user writes it; none may fall back.</summary>
    public static TheoryData<string, string> Served => new()
    {
        {
            "LeNet-5",
            "[Network, Input(1, 28, 28)]\n[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]\n[Conv2D(16, 5), ReLU, MaxPool2D(2)]\n"
            + "[Dense(120), ReLU]\n[Dense(84), ReLU]\n[Dense(10)]\npublic partial class Net;"
        },
        {
            // samples/ResNet/ResNet8.cs, layer for layer.
            "ResNet-8",
            "[Network, Input(1, 28, 28)]\n[Conv2D(16, 3, Padding = 1, Bias = false, Name = \"conv1\"), BatchNorm(Name = \"bn1\"), ReLU(Name = \"stem\")]\n"
            + "[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm, ReLU]\n[Conv2D(16, 3, Padding = 1, Bias = false), BatchNorm]\n[Add(\"stem\"), ReLU(Name = \"block1\")]\n"
            + "[Conv2D(32, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm, ReLU]\n[Conv2D(32, 3, Padding = 1, Bias = false), BatchNorm(Name = \"b2_bn2\")]\n"
            + "[Conv2D(32, 1, Stride = 2, Bias = false, From = \"block1\"), BatchNorm]\n[Add(\"b2_bn2\"), ReLU(Name = \"block2\")]\n"
            + "[Conv2D(64, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm, ReLU]\n[Conv2D(64, 3, Padding = 1, Bias = false), BatchNorm(Name = \"b3_bn2\")]\n"
            + "[Conv2D(64, 1, Stride = 2, Bias = false, From = \"block2\"), BatchNorm]\n[Add(\"b3_bn2\"), ReLU]\n"
            + "[GlobalAvgPool2D, Dense(10)]\npublic partial class Net;"
        },
        {
            // tests/NetGen.Benchmarks' --model strided.
            "stride-2 CNN",
            "[Network, Input(1, 28, 28)]\n[Conv2D(16, 3, Stride = 2, Padding = 1), ReLU]\n[Conv2D(32, 3, Stride = 2, Padding = 1), ReLU]\n"
            + "[Dense(128), ReLU]\n[Dense(10)]\npublic partial class Net;"
        },
        {
            // Odd sizes everywhere: rows that are no multiple of a vector, odd channel counts, a 5-wide kernel, an odd-sized pool input.
            "odd sizes",
            "[Network, Input(3, 29, 23)]\n[Conv2D(5, 3, Padding = 1), Tanh, MaxPool2D(2)]\n[Conv2D(9, 5, Stride = 2, Padding = 2), BatchNorm, ReLU(Name = \"r\")]\n"
            + "[Conv2D(9, 3, Padding = 1), Sigmoid]\n[Add(\"r\"), Dropout(0.25)]\n[GlobalAvgPool2D, Dense(11), LeakyReLU, Dense(5)]\npublic partial class Net;"
        },
        {
            "VGG-style stack",
            "[Network, Input(3, 32, 32)]\n[Conv2D(16, 3, Padding = 1), ReLU, Conv2D(16, 3, Padding = 1), ReLU, MaxPool2D(2)]\n"
            + "[Conv2D(32, 3, Padding = 1), BatchNorm, ReLU, Conv2D(32, 3, Padding = 1), ReLU, MaxPool2D(2)]\n"
            + "[Flatten, Dense(64), ReLU, Dropout(0.5), Dense(10), Softmax]\npublic partial class Net;"
        },
    };

    [Theory]
    [MemberData(nameof(Served))]
    public void Served_families_run_vector_kernels_in_every_layer_and_the_header_says_so(string family, string declaration)
    {
        (string code, IReadOnlyList<string> names) = Generate(declaration);
        foreach (string path in new[] { "V256", "V512" })
        {
            HashSet<string> scalar = ScalarCalls(code, path, names);
            Assert.True(scalar.Count == 0, family + " on " + path + " calls kernels without vectors: " + string.Join(", ", scalar));
        }

        Assert.Contains("// Vector paths: every layer runs vector kernels on Vector256 and Vector512.", code, StringComparison.Ordinal);
    }

    /// <summary>Shapes that still have no vector kernel: the header must name exactly the layers the code shows falling back.</summary>
    public static TheoryData<string> Uncovered => new()
    {
        // Overlapping 3×3 stride-2 max pooling and an average pool on rows too narrow for a chunk.
        "[Network, Input(4, 15, 15)]\n[Conv2D(8, 3, Padding = 1), ReLU, MaxPool2D(3, Stride = 2)]\n[AvgPool2D(2)]\n[Dense(10), Softmax]\npublic partial class Net;",
        // A stride-2 convolution with fewer output positions than a vector has lanes, a 2×2 global pool (4 values a plane) a dense layer of 6 inputs and a softmax of 3 values.
        "[Network, Input(2, 8, 8)]\n[Conv2D(4, 3, Stride = 2, Padding = 1), ReLU]\n[Conv2D(6, 3, Stride = 2, Padding = 1), ReLU]\n[GlobalAvgPool2D, Dense(3), Softmax]\npublic partial class Net;",
    };

    [Theory]
    [MemberData(nameof(Uncovered))]
    public void The_header_lists_exactly_the_layers_whose_calls_have_no_vectors(string declaration)
    {
        (string code, IReadOnlyList<string> names) = Generate(declaration);
        string[] section = [.. code.Split('\n').SkipWhile(l => !l.StartsWith("// Vector paths:", StringComparison.Ordinal))];
        Assert.StartsWith("// Vector paths: these layers run the scalar loops", section[0], StringComparison.Ordinal);
        string[] header = [.. section.Skip(1).TakeWhile(l => l.StartsWith("//   ", StringComparison.Ordinal))];
        foreach ((string path, string title) in new[] { ("V256", "Vector256"), ("V512", "Vector512") })
        {
            HashSet<string> shown = ScalarCalls(code, path, names);
            HashSet<string> listed = names.Where(n => header.Any(h => h.StartsWith("//   " + n + " (", StringComparison.Ordinal)
                && (h.Contains(") on both vector paths, ", StringComparison.Ordinal) || h.Contains(") on " + title + ", ", StringComparison.Ordinal)))).ToHashSet();
            Assert.NotEmpty(shown);
            Assert.True(shown.SetEquals(listed), path + ": the code falls back in {" + string.Join(", ", shown) + "}, the header lists {" + string.Join(", ", listed) + "}");
        }
    }

    /// <summary>The generated source of <paramref name="declaration"/> and its layer names (from the header's table).</summary>
    private static (string Code, IReadOnlyList<string> Names) Generate(string declaration)
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + declaration);
        Assert.True(run.Crash is null, run.Crash);
        Assert.Empty(run.NetGenDiagnostics);
        string code = run.Sources.Single(s => s.Key.EndsWith("Net.g.cs", StringComparison.Ordinal)).Value;
        // The header's layer table: "// <auto-generated/>", "// NetGen network …", "//", the column titles, then one row per layer.
        string[] names = [.. code.Split('\n').Skip(4).TakeWhile(l => l.StartsWith("// ", StringComparison.Ordinal)).Select(l => l[3..].Split(' ', 2)[0])];
        return (code, names);
    }

    /// <summary>
    /// The layers whose kernels, as the <paramref name="path"/> dispatch methods (Forward, Backward, Predict) call
    /// them, have no vector in their body.
    /// </summary>
    private static HashSet<string> ScalarCalls(string code, string path, IReadOnlyList<string> layerNames)
    {
        var root = CSharpSyntaxTree.ParseText(code).GetRoot();
        Dictionary<string, MethodDeclarationSyntax> methods = root.DescendantNodes().OfType<MethodDeclarationSyntax>()
            .GroupBy(m => m.Identifier.Text).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        string[] vectorTokens = ["V128.", "V256.", "V512.", "Vec4f", "Vec8f", "Vec16f"];
        var scalar = new HashSet<string>(StringComparer.Ordinal);
        foreach (string dispatch in new[] { "Forward" + path, "Backward" + path, "Predict" + path })
        {
            if (!methods.TryGetValue(dispatch, out MethodDeclarationSyntax? body))
            {
                continue;
            }

            foreach (InvocationExpressionSyntax call in body.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (call.Expression is not IdentifierNameSyntax target || !methods.TryGetValue(target.Identifier.Text, out MethodDeclarationSyntax? kernel))
                {
                    continue; // a runtime call or a span method, not a layer kernel
                }

                string text = kernel.ToString();
                if (vectorTokens.Any(t => text.Contains(t, StringComparison.Ordinal)))
                {
                    continue;
                }

                string? layer = layerNames.Where(n => target.Identifier.Text.StartsWith(Pascal(n), StringComparison.Ordinal))
                    .OrderByDescending(n => n.Length).FirstOrDefault();
                Assert.True(layer is not null, "the " + dispatch + " call " + target.Identifier.Text + " belongs to no layer");
                scalar.Add(layer!);
            }
        }

        return scalar;
    }

    /// <summary>The generated methods' prefix for a layer name: b2_down → B2Down.</summary>
    private static string Pascal(string name) =>
        string.Concat(name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
}
