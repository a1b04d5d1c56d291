using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// Each mistake gets exactly one diagnostic, and it names the mistake: no second diagnostic about a consequence of
/// the first (a late [Input] is not also "no [Input]", a misspelled layer is not also "no layers", a bad window size
/// is not also a bad stride), and no mistake goes unreported (layer attributes without [Network]). Every test
/// asserts the whole set of diagnostics: the generator's, and where the compiler reports the mistake itself, the
/// compiler's.
/// </summary>
public sealed class OneDiagnosticPerMistakeTests
{
    /// <summary>The compiler reports [Network] on a type that is no class (CS0592); the generator adds nothing.</summary>
    [Theory]
    [InlineData("public partial struct Kind;")]
    [InlineData("public partial record struct Kind;")]
    [InlineData("public partial interface Kind;")]
    public void NetworkOnATypeThatIsNoClass_IsOnlyTheCompilersError(string declaration)
    {
        GeneratorRun run = Run("[Network, Input(4), Dense(2)] " + declaration);
        Assert.Empty(run.GeneratorDiagnostics);
        Diagnostic[] errors = run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.Equal(["CS0592", "CS0592", "CS0592"], errors.Select(d => d.Id));
        Assert.Equal(["Network", "Input", "Dense"], errors.Select(run.LocatedText));
        Assert.Contains("'class'", errors[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        Assert.Empty(run.Sources);
    }

    /// <summary>A record is a class to the compiler, which accepts [Network] on it; NG0013 names it a record (and a plain struct is never called one).</summary>
    [Fact]
    public void NetworkOnARecord_IsOneNG0013NamingTheRecord()
    {
        GeneratorRun run = Run("[Network, Input(4), Dense(2)] public partial record Kind;");
        Assert.Empty(run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("NG0013", d.Id);
        Assert.Equal("Kind", run.LocatedText(d));
        Assert.Equal("Network class 'Models.Kind' must be a class, not a record", d.GetMessage());
        Assert.Empty(run.Sources);
    }

    [Theory]
    [InlineData("[Network, Dense(4), Input(3)]", "Input(3)")]
    [InlineData("[Network, Dense(4), ReLU, Input(3), Dense(2)]", "Input(3)")]
    public void InputAfterTheLayers_IsOnlyMisplaced_NotAlsoMissing(string attributes, string input)
    {
        GeneratorRun run = Run(attributes + " public partial class LateInput;");
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("NG0008", d.Id);
        Assert.Equal(input, run.LocatedText(d));
        Assert.Contains("'Models.LateInput'", d.GetMessage(), System.StringComparison.Ordinal);
    }

    /// <summary>A repeated [Input] after a good one is one mistake; the network is still checked with the first (and its own mistakes reported).</summary>
    [Fact]
    public void RepeatedInput_IsMisplaced_AndTheRestIsStillChecked()
    {
        GeneratorRun run = Run("[Network, Input(3), Input(5), Dense(0)] public partial class TwoInputs;");
        Assert.Equal(["NG0008", "NG0002"], run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Equal(["Input(5)", "Dense(0)"], run.GeneratorDiagnostics.Select(run.LocatedText));
    }

    [Theory]
    [InlineData("[Network, Input(4), Desne(10)]")]
    [InlineData("[Network, Input(1, 8, 8), Conv2D(2, 3), Desne(10), Conv2D(2, 3)]")]
    [InlineData("[Network, Input(4), Dense(8), Dropuot(0.5), Dense(2)]")]
    public void MisspelledAttribute_IsOnlyTheCompilersError(string attributes)
    {
        GeneratorRun run = Run(attributes + " public partial class Typo;");
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains(run.Input.GetDiagnostics(), d => d.Id == "CS0246");
        Assert.Empty(run.Sources);
    }

    /// <summary>A misspelled [Network] is the compiler's CS0246; "no [Network]" would be its consequence.</summary>
    [Theory]
    [InlineData("[Netwrok, Input(4), Dense(2)]")]
    [InlineData("[Input(4), Desne(10)]")]
    public void MisspelledAttribute_OnAClassWithoutNetwork_IsOnlyTheCompilersError(string attributes)
    {
        GeneratorRun run = Run(attributes + " public partial class Typo;");
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(["CS0246"], run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).Distinct());
    }

    [Theory]
    [InlineData("[Input(4), Dense(2)] public partial class Plain;", "Input(4)", "Input")]
    [InlineData("[Dense(2), ReLU] public class Plain;", "Dense(2)", "Dense")]
    [InlineData("[Serializable, Conv2D(2, 3), ReLU, Dense(2)] public sealed class Plain;", "Conv2D(2, 3)", "Conv2D")]
    [InlineData("[Input(4), Dense(2)] public partial record Plain;", "Input(4)", "Input")]
    public void LayerAttributesWithoutNetwork_AreOneNG0022OnTheFirst(string declaration, string located, string attribute)
    {
        GeneratorRun run = Run(declaration.Contains("Serializable", System.StringComparison.Ordinal) ? "using System;\n" + declaration : declaration);
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("NG0022", d.Id);
        Assert.Equal(located, run.LocatedText(d));
        Assert.Equal(
            "Class 'Models.Plain' has [" + attribute + "] but no [Network], so NetGen generates nothing for it: add [Network] before its [Input], or remove NetGen's attributes",
            d.GetMessage());
    }

    [Fact]
    public void LayerAttributesWithoutNetwork_OverPartialDeclarations_AreOneNG0022()
    {
        GeneratorRun run = Run("""
            [Dense(2)]
            public partial class Plain;

            [Input(4), ReLU]
            public partial class Plain;
            """);
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("NG0022", d.Id);
        Assert.Equal("Dense(2)", run.LocatedText(d));
    }

    [Fact]
    public void LayerAttributes_WithNetworkOnAnotherPartialDeclaration_AreOnlySplit()
    {
        GeneratorRun run = Run("""
            [Network]
            public partial class Split;

            [Input(4), Dense(2)]
            public partial class Split;
            """);
        Assert.Equal(["NG0006", "NG0006"], run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Equal(["Input(4)", "Dense(2)"], run.GeneratorDiagnostics.Select(run.LocatedText));
    }

    /// <summary>The layers on the other declaration are missing from the chain: "no layers" would be a consequence.</summary>
    [Fact]
    public void EveryLayerOnAnotherPartialDeclaration_IsOnlySplit_NotAlsoNoLayers()
    {
        GeneratorRun run = Run("""
            [Network, Input(4)]
            public partial class Split;

            [Dense(2)]
            public partial class Split;
            """);
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("NG0006", d.Id);
        Assert.Equal("Dense(2)", run.LocatedText(d));
    }

    [Fact]
    public void UnknownLayerKind_IsOnlyUnknown_NotAlsoNoLayers()
    {
        GeneratorRun run = Run("""
            public sealed class MyLayerAttribute : LayerAttribute;

            [Network, Input(4), MyLayer]
            public partial class Custom;
            """);
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("NG0015", d.Id);
        Assert.Equal("MyLayer", run.LocatedText(d));
    }

    /// <summary>Without the unknown layer, the chain would be checked as if the Conv2D fed the Softmax: a shape error that is a consequence.</summary>
    [Fact]
    public void UnknownLayerKind_DoesNotLeadToAShapeErrorDownstream()
    {
        GeneratorRun run = Run("""
            public sealed class GlobalPoolAttribute : LayerAttribute;

            [Network, Input(1, 8, 8), Conv2D(2, 3), GlobalPool, Softmax]
            public partial class Custom;
            """);
        Assert.Equal(["NG0015"], run.GeneratorDiagnostics.Select(d => d.Id));
    }

    [Theory]
    [InlineData("MaxPool2D(-2)")]
    [InlineData("AvgPool2D(0)")]
    public void PoolWindowNotPositive_IsOneDiagnosticOnSize_NotAlsoOnTheStrideItImplies(string pool)
    {
        GeneratorRun run = Run("[Network, Input(1, 8, 8), " + pool + ", Dense(2)] public partial class BadPool;");
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("NG0002", d.Id);
        Assert.StartsWith("Size of layer ", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void PoolWindowAndGivenStrideBothWrong_AreTwoMistakes()
    {
        GeneratorRun run = Run("[Network, Input(1, 8, 8), MaxPool2D(0, Stride = -1), Dense(2)] public partial class BadPool;");
        Assert.Equal(["Size of layer 'maxpool1' must be positive; got 0", "Stride of layer 'maxpool1' must be positive; got -1"], run.GeneratorDiagnostics.Select(d => d.GetMessage()));
    }

    /// <summary>A wrong layer stops the shape checks: the layers after it have no input shape to be wrong about.</summary>
    [Fact]
    public void InvalidLayer_IsNotFollowedByShapeErrorsDownstream()
    {
        GeneratorRun run = Run("[Network, Input(1, 8, 8), Conv2D(2, 9), Softmax, MaxPool2D(3)] public partial class Downstream;");
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("NG0003", d.Id);
        Assert.Equal("Conv2D(2, 9)", run.LocatedText(d));
    }

    private static GeneratorRun Run(string declarations)
    {
        GeneratorRun run = GeneratorHarness.Run("using NetGen;\n\nnamespace Models;\n\n" + declarations + "\n");
        Assert.Null(run.Crash);
        return run;
    }
}
