using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generators.Layers;
using NetGen.Generators.Model;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// The reserved member names derive from the kinds and the emitters: every member the generated CPU and GPU
/// parts declare in the network class is either one NetGen reserves for every network or a layer's property name
/// plus one of its kind's <see cref="LayerKind.MemberSuffixes"/>. A kind that generates a member it does not list
/// fails here, so a layer name that would clash with it cannot slip past NG0012.
/// </summary>
public sealed class GeneratedMemberNamesTests
{
    private const string Marker = "namespace NetGen.Gpu { public interface IGpuNetwork { } }";

    private static readonly (string Name, string Kind)[] s_layers =
    {
        ("c", "Conv2D"), ("n", "BatchNorm"), ("r", "ReLU"), ("m", "MaxPool2D"),
        ("a", "AvgPool2D"), ("f", "Flatten"), ("d", "Dense"), ("o", "Dropout"),
        ("t", "Tanh"), ("s", "Sigmoid"), ("e", "Dense"), ("x", "Softmax"),
    };

    private const string Source = """
        using NetGen;

        namespace Members;

        [Network, Input(1, 12, 12)]
        [Conv2D(4, 3, Padding = 1, Name = "c"), BatchNorm(Name = "n"), ReLU(Name = "r"), MaxPool2D(2, Name = "m"), AvgPool2D(2, Name = "a")]
        [Flatten(Name = "f"), Dense(8, Name = "d"), Dropout(0.5, Name = "o"), Tanh(Name = "t"), Sigmoid(Name = "s"), Dense(3, Name = "e"), Softmax(Name = "x")]
        public partial class EveryKind;
        """;

    [Fact]
    public void Every_generated_member_is_reserved_or_a_layer_member_its_kind_lists()
    {
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(GeneratorHarness.Parse(Source), GeneratorHarness.Parse(Marker, "/src/Marker.cs")));
        Assert.Equal(["Members.EveryKind.Gpu.g.cs", "Members.EveryKind.g.cs"], run.Sources.Keys.Order(StringComparer.Ordinal));

        var layerMembers = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, string kind) in s_layers)
        {
            layerMembers.UnionWith(LayerKind.Named(kind).MemberSuffixes.Select(suffix => char.ToUpperInvariant(name[0]) + name.Substring(1) + suffix));
        }

        var declared = new List<string>();
        foreach (string text in run.Sources.Values)
        {
            ClassDeclarationSyntax network = CSharpSyntaxTree.ParseText(text).GetRoot().DescendantNodes()
                .OfType<ClassDeclarationSyntax>().Single(c => c.Identifier.Text == "EveryKind");
            declared.AddRange(network.Members.SelectMany(MemberNames));
        }

        Assert.Contains("NForwardEval", declared);
        Assert.Contains("CreateKernels", declared);
        string[] unlisted = declared.Where(m => !ShapeInference.IsGeneratedMemberName(m) && !layerMembers.Contains(m)).Distinct().ToArray();
        Assert.Empty(unlisted);
    }

    [Fact]
    public void A_kinds_own_members_are_reserved_only_for_layers_of_that_kind()
    {
        string[] batchNormOnly = LayerKind.Named("BatchNorm").MemberSuffixes.Except(LayerKind.Named("Dense").MemberSuffixes).ToArray();
        Assert.Contains("ForwardEval", batchNormOnly);
        Assert.True(ShapeInference.IsGeneratedMemberName("SegmentCount"));
        Assert.True(ShapeInference.IsGeneratedMemberName("NetGenGpuKernelSet"));
        Assert.False(ShapeInference.IsGeneratedMemberName("ForwardEval"));
    }

    /// <summary>
    /// A layer whose property would be a generated member that the old hand list missed (<c>ForwardCore</c>, written
    /// with BatchNorm) or a member another kind generates for its layer is refused as NG0012, not compiled into a clash.
    /// </summary>
    [Theory]
    [InlineData("[Network, Input(2, 4, 4), BatchNorm, Flatten, Dense(2, Name = \"forwardCore\")] public partial class CoreName;", "NG0012")]
    [InlineData("[Network, Input(2, 4, 4), BatchNorm(Name = \"b\"), Flatten, Dense(2, Name = \"bForwardEval\")] public partial class EvalName;", "NG0012")]
    [InlineData("[Network, Input(4), Dense(3, Name = \"d\"), Dense(2, Name = \"dStatistics\")] public partial class NoBatchNorm;", "")]
    public void A_layer_named_like_a_generated_member_is_refused(string declaration, string verdict)
    {
        GeneratorRun run = GeneratorHarness.Run("using NetGen;\n\nnamespace Clash;\n\n" + declaration);
        Assert.Null(run.Crash);
        Assert.Equal(verdict, string.Join(",", run.NetGenDiagnostics.Select(d => d.Id)));
        if (verdict.Length == 0)
        {
            Assert.Empty(run.OutputDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        }
    }

    /// <summary>The names a member declares in the class (none for constructors and explicit interface implementations).</summary>
    private static IEnumerable<string> MemberNames(MemberDeclarationSyntax member) => member switch
    {
        MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } m => [m.Identifier.Text],
        PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } p => [p.Identifier.Text],
        BaseFieldDeclarationSyntax f => f.Declaration.Variables.Select(v => v.Identifier.Text),
        BaseTypeDeclarationSyntax t => [t.Identifier.Text],
        _ => [],
    };
}
