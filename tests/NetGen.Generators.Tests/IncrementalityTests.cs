using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// The caching contract: edits that do not change a network leave the pipeline's steps Cached or Unchanged
/// and its source as it was; a layer change regenerates. The models that flow through the pipeline hold
/// nothing from the compilation.
/// </summary>
public sealed class IncrementalityTests
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

    private static readonly IncrementalStepRunReason[] s_kept = [IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged];

    [Fact]
    public void UnrelatedCodeChange_LeavesPipelineCached()
    {
        (GeneratorRun first, SyntaxTree tree) = RunOnce(LeNet5);

        // An unrelated class in another file, and a comment in the network's own file.
        Compilation edited = first.Input
            .AddSyntaxTrees(GeneratorHarness.Parse("namespace Other; public static class Helpers { public static int Twice(int x) => 2 * x; }", "/src/Helpers.cs"))
            .ReplaceSyntaxTree(tree, GeneratorHarness.Parse(LeNet5 + "\n// trained on MNIST\n"));
        GeneratorRun second = GeneratorHarness.Run(edited, first.Driver);

        AssertReasons(second, NetworkGenerator.Steps.Networks, s_kept);
        AssertReasons(second, NetworkGenerator.Steps.Plans, s_kept);
        AssertReasons(second, NetworkGenerator.Steps.Diagnostics, s_kept);
        AssertOutputsKept(second);
        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void UnrelatedFileAdded_LeavesNetworksStepCached()
    {
        (GeneratorRun first, _) = RunOnce(LeNet5);
        GeneratorRun second = GeneratorHarness.Run(first.Input.AddSyntaxTrees(GeneratorHarness.Parse("class Unrelated { }", "/src/Unrelated.cs")), first.Driver);

        // The transform reruns (the compilation changed) but yields an equal result, so the plan is cached.
        AssertReasons(second, NetworkGenerator.Steps.Networks, s_kept);
        AssertReasons(second, NetworkGenerator.Steps.Plans, [IncrementalStepRunReason.Cached]);
        AssertOutputsKept(second);
    }

    [Fact]
    public void MovingTheDeclaration_DoesNotRegenerate()
    {
        (GeneratorRun first, SyntaxTree tree) = RunOnce(LeNet5);
        string moved = LeNet5.Replace("namespace LeNet;", "namespace LeNet;\n\n\n\n// LeNet-5 (LeCun et al., 1998)\n", StringComparison.Ordinal);
        GeneratorRun second = GeneratorHarness.Run(first.Input.ReplaceSyntaxTree(tree, GeneratorHarness.Parse(moved)), first.Driver);

        AssertReasons(second, NetworkGenerator.Steps.Plans, s_kept);
        AssertOutputsKept(second);
        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void MovingAnInvalidDeclaration_MovesItsDiagnostic()
    {
        string invalid = LeNet5.Replace("[Dense(84), ReLU]", "[Dense(0), ReLU]", StringComparison.Ordinal);
        (GeneratorRun first, SyntaxTree tree) = RunOnce(invalid);
        GeneratorRun second = GeneratorHarness.Run(first.Input.ReplaceSyntaxTree(tree, GeneratorHarness.Parse("\n\n" + invalid)), first.Driver);

        int before = Assert.Single(first.NetGenDiagnostics).Location.GetLineSpan().StartLinePosition.Line;
        int after = Assert.Single(second.NetGenDiagnostics).Location.GetLineSpan().StartLinePosition.Line;
        Assert.Equal(before + 2, after);
        AssertReasons(second, NetworkGenerator.Steps.Diagnostics, [IncrementalStepRunReason.Modified]);
        Assert.Empty(second.Sources);
    }

    /// <summary>NG0022's per-attribute steps: cached on an unrelated edit, the diagnostic still reported once; gone once [Network] is added.</summary>
    [Fact]
    public void ClassWithoutNetwork_IsCachedOnUnrelatedEdits_AndClearedByAddingNetwork()
    {
        const string Forgotten = "using NetGen;\n\nnamespace Models;\n\n[Input(4), Dense(8), ReLU, Dense(2)]\npublic partial class Forgotten;\n";
        SyntaxTree tree = GeneratorHarness.Parse(Forgotten);
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.Compile(tree));
        Assert.Equal("NG0022", Assert.Single(first.GeneratorDiagnostics).Id);

        GeneratorRun second = GeneratorHarness.Run(first.Input.AddSyntaxTrees(GeneratorHarness.Parse("class Unrelated { }", "/src/Unrelated.cs")), first.Driver);
        AssertReasons(second, NetworkGenerator.Steps.WithoutNetwork, s_kept);
        AssertOutputsKept(second);
        Assert.Equal("NG0022", Assert.Single(second.GeneratorDiagnostics).Id);

        GeneratorRun third = GeneratorHarness.Run(second.Input.ReplaceSyntaxTree(tree, GeneratorHarness.Parse(Forgotten.Replace("[Input(4)", "[Network, Input(4)", StringComparison.Ordinal))), second.Driver);
        Assert.Empty(third.GeneratorDiagnostics);
        Assert.Single(third.Sources);
    }

    [Fact]
    public void LayerChange_Regenerates()
    {
        (GeneratorRun first, SyntaxTree tree) = RunOnce(LeNet5);
        string changed = LeNet5.Replace("[Dense(84), ReLU]", "[Dense(80), ReLU]", StringComparison.Ordinal);
        GeneratorRun second = GeneratorHarness.Run(first.Input.ReplaceSyntaxTree(tree, GeneratorHarness.Parse(changed)), first.Driver);

        AssertReasons(second, NetworkGenerator.Steps.Plans, [IncrementalStepRunReason.Modified]);
        string before = Assert.Single(first.Sources).Value, after = Assert.Single(second.Sources).Value;
        Assert.NotEqual(before, after);
        Assert.Contains("84", before, StringComparison.Ordinal);
        Assert.Contains("public const int ParameterCount = 61706;", before, StringComparison.Ordinal);
        Assert.Contains("public const int ParameterCount = " + (61706 - (4 * 120) - 4 - (4 * 10)) + ";", after, StringComparison.Ordinal);
    }

    private const string Baked = """
        using NetGen;

        namespace Models;

        [Network(Weights = "tiny.safetensors"), Input(3), Dense(2)]
        public partial class Tiny;
        """;

    [Fact]
    public void CodeEdit_DoesNotRereadTheWeightsFile()
    {
        using var folder = new TempFolder();
        SyntaxTree tree = GeneratorHarness.Parse(Baked);
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.Compile(tree), GeneratorHarness.CreateDriver().AddAdditionalTexts([folder.Write("tiny.safetensors", WeightsFiles.Tiny())]));
        Assert.Empty(first.GeneratorDiagnostics);

        GeneratorRun second = GeneratorHarness.Run(first.Input.ReplaceSyntaxTree(tree, GeneratorHarness.Parse("// a comment\n" + Baked)), first.Driver);
        AssertReasons(second, NetworkGenerator.Steps.WeightsFiles, [IncrementalStepRunReason.Cached]);
        AssertReasons(second, NetworkGenerator.Steps.Plans, s_kept);
        AssertOutputsKept(second);
        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void WeightsFileChange_Regenerates()
    {
        using var folder = new TempFolder();
        BinaryAdditionalFile before = folder.Write("v1/tiny.safetensors", WeightsFiles.Tiny());
        GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.Compile(GeneratorHarness.Parse(Baked)), GeneratorHarness.CreateDriver().AddAdditionalTexts([before]));

        // The IDE hands the generator a new AdditionalText when the file changes; here, another file with other weights.
        byte[] other = WeightsFiles.Build([WeightsFiles.F32("dense1.weight", [2, 3], 9f, 9f, 9f, 9f, 9f, 9f), WeightsFiles.F32("dense1.bias", [2], 0f, 0f)]);
        GeneratorDriver driver = first.Driver.ReplaceAdditionalText(before, folder.Write("v2/tiny.safetensors", other));
        GeneratorRun second = GeneratorHarness.Run(first.Input, driver);

        AssertReasons(second, NetworkGenerator.Steps.Plans, [IncrementalStepRunReason.Modified]);
        string was = Assert.Single(first.Sources).Value, now = Assert.Single(second.Sources).Value;
        Assert.Contains("1f, 2f, 3f, -4f, 0.5f, 0.25f,", was, StringComparison.Ordinal);
        Assert.Contains("9f, 9f, 9f, 9f, 9f, 9f,", now, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelTypes_HoldNothingFromTheCompilation()
    {
        Type[] forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(SemanticModel), typeof(Location), typeof(SyntaxTree), typeof(SyntaxReference), typeof(AttributeData), typeof(SyntaxToken)];
        Type[] models = typeof(NetworkGenerator).Assembly.GetTypes()
            .Where(t => t.Namespace == "NetGen.Generators.Model" && !t.Name.StartsWith('<'))
            .ToArray();
        Assert.Contains(models, t => t.Name == "NetworkPlan");
        Assert.Contains(models, t => t.Name == "NetworkResult");

        var problems = new List<string>();
        var seen = new HashSet<Type>();
        foreach (Type model in models)
        {
            Walk(model, model.Name);
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));

        void Walk(Type type, string path)
        {
            if (type.IsGenericParameter || !seen.Add(type))
            {
                return;
            }

            if (forbidden.Any(f => f.IsAssignableFrom(type)))
            {
                problems.Add(path + " is " + type);
                return;
            }

            foreach (Type inner in (type.HasElementType ? [type.GetElementType()!] : Array.Empty<Type>()).Concat(type.IsGenericType ? type.GetGenericArguments() : []))
            {
                Walk(inner, path + "<" + inner.Name + ">");
            }

            // Into the generator's own types; Roslyn and BCL types are judged by what they are.
            if (type.Assembly != typeof(NetworkGenerator).Assembly)
            {
                return;
            }

            const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
            foreach (FieldInfo field in type.GetFields(all))
            {
                Walk(field.FieldType, path + "." + field.Name);
            }

            foreach (PropertyInfo property in type.GetProperties(all))
            {
                Walk(property.PropertyType, path + "." + property.Name);
            }
        }
    }

    private static (GeneratorRun Run, SyntaxTree Tree) RunOnce(string source)
    {
        SyntaxTree tree = GeneratorHarness.Parse(source);
        return (GeneratorHarness.Run(GeneratorHarness.Compile(tree)), tree);
    }

    private static void AssertReasons(GeneratorRun run, string step, IncrementalStepRunReason[] allowed)
    {
        ImmutableArray<IncrementalGeneratorRunStep> steps = run.Single.TrackedSteps.TryGetValue(step, out var s) ? s : [];
        Assert.NotEmpty(steps);
        IncrementalStepRunReason[] reasons = steps.SelectMany(x => x.Outputs).Select(o => o.Reason).ToArray();
        Assert.NotEmpty(reasons);
        Assert.True(reasons.All(allowed.Contains), step + " step: " + string.Join(", ", reasons) + " (allowed: " + string.Join(", ", allowed) + ")");
    }

    private static void AssertOutputsKept(GeneratorRun run)
    {
        IncrementalStepRunReason[] reasons = run.Single.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(x => x.Outputs).Select(o => o.Reason).ToArray();
        Assert.True(reasons.All(s_kept.Contains), "output steps: " + string.Join(", ", reasons));
    }
}
