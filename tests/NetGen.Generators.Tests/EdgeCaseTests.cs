using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// Declarations at the edges, found by fuzzing and by reading the generator. Each case states what should
/// happen, from the language and the network's meaning: it compiles cleanly (one generated file, no warnings),
/// or it is rejected with exactly the NG diagnostics named and nothing generated; never a generator exception,
/// a silent nothing, or generated code that does not build.
/// </summary>
public sealed class EdgeCaseTests
{
    /// <summary>The verdict of a case that compiles.</summary>
    private const string Compiles = "";

    /// <summary>
    /// Odd but meaningful networks, all of which compute something well defined and must compile: a softmax (or
    /// two) with no parameters, a flatten first or last, a 2-D input, a dropout rate just below 1, layer names
    /// that are short, unset, or a single non-ASCII letter (C# identifiers and checkpoint keys allow it). A layer
    /// named <c>_</c> is refused: a member named <c>_</c> would turn the generated code's discards
    /// (<c>_ = …</c>) into assignments to it.
    /// </summary>
    [Theory]
    [InlineData("[Network, Input(10), Softmax] public partial class OnlySoftmax;", Compiles)]
    [InlineData("[Network, Input(10), Softmax, Softmax] public partial class TwoSoftmax;", Compiles)]
    [InlineData("[Network, Input(10), ReLU] public partial class NoParameters;", Compiles)]
    [InlineData("[Network, Input(4), Flatten, Dense(2)] public partial class FlattenFirst;", Compiles)]
    [InlineData("[Network, Input(1, 4, 4), Conv2D(2, 3), Flatten] public partial class FlattenLast;", Compiles)]
    [InlineData("[Network, Input(3, 3), Dense(2)] public partial class TwoDimensional;", Compiles)]
    [InlineData("[Network, Input(4), Dropout(0.9999999f), Dense(2)] public partial class AlmostAllDropped;", Compiles)]
    [InlineData("[Network, Input(4), Dense(2, Name = \"_\")] public partial class Underscore;", "NG0012")]
    [InlineData("[Network, Input(4), Dense(2, Name = \"x\"), Tanh(Name = \"p\")] public partial class ShortNames;", Compiles)]
    [InlineData("[Network, Input(4), Dense(2, Name = null)] public partial class NullName;", Compiles)]
    // Layer names are ASCII: they are checkpoint keys (portable state-dict names) and generated member names.
    [InlineData("[Network, Input(4), Dense(2, Name = \"é\")] public partial class NonAsciiName;", "NG0012")]
    public void UnusualButMeaningfulTopologies_CompileOrAreRejected(string declaration, string verdict) =>
        AssertVerdict("using NetGen;\n\nnamespace Edge;\n\n" + declaration, verdict);

    /// <summary>A softmax as the only layer has no logits layer before it: the planner must not index layer −1, and the network compiles.</summary>
    [Fact]
    public void SoftmaxAsOnlyLayer_Compiles() =>
        AssertVerdict("using NetGen;\n\n[Network, Input(10), Softmax] public partial class OnlySoftmax;", Compiles);

    /// <summary>Input(null) binds params int[] in its normal form: an array-typed constant whose value is null, an invalid shape (NG0010) and nothing else.</summary>
    [Fact]
    public void NullInputShape_IsRejected() =>
        AssertVerdict("using NetGen;\n\n[Network, Input(null), Dense(2)] public partial class NullInput;", "NG0010");

    /// <summary>A layer's members named like the generated private fields would clash with them (CS0102): the name is refused.</summary>
    [Theory]
    [InlineData("_parameters")]
    [InlineData("_predictWorkspace")]
    public void LayerNamedLikeAGeneratedField_IsRejected(string name) =>
        AssertVerdict("using NetGen;\n\n[Network, Input(4), Dense(2, Name = \"" + name + "\")] public partial class FieldName;", "NG0012");

    /// <summary>A class named like a generated member cannot hold that member (CS0542): NG0013 says so instead.</summary>
    [Theory]
    [InlineData("Forward")]
    [InlineData("Predict")]
    [InlineData("Layers")]
    [InlineData("InputSize")]
    public void ClassNamedLikeAGeneratedMember_IsRejected(string className) =>
        AssertVerdict("using NetGen;\n\nnamespace Edge;\n\n[Network, Input(4), Dense(2)] public partial class " + className + ";", "NG0013");

    /// <summary>Keywords used as names with @ are ordinary names: they must stay escaped in the generated code, which compiles.</summary>
    [Theory]
    [InlineData("namespace Edge;\n\n[Network, Input(4), Dense(2)] public partial class @class;")]
    [InlineData("namespace @event.Models;\n\n[Network, Input(4), Dense(2)] public partial class Net;")]
    public void KeywordIdentifiers_Compile(string declaration) =>
        AssertVerdict("using NetGen;\n\n" + declaration, Compiles);

    /// <summary>
    /// Shapes a network class can have besides the plain one. Sealed, internal and a body of the user's own all
    /// compile. A primary constructor is refused (every other constructor, the generated one included, would
    /// have to call it with arguments NetGen cannot know: CS8862), and so is a record (its generated equality
    /// and the generated class part could not agree: CS0261).
    /// </summary>
    [Theory]
    [InlineData("[Network, Input(4), Dense(2)] public sealed partial class Sealed;", Compiles)]
    [InlineData("[Network, Input(4), Dense(2)] internal partial class Internal;", Compiles)]
    [InlineData("[Network, Input(4), Dense(2)] public partial class WithBody { public int Extra => 1; }", Compiles)]
    [InlineData("[Network, Input(4), Dense(2)] public partial class WithPrimaryConstructor(string label) { public string Label => label; }", "NG0013")]
    [InlineData("[Network, Input(4), Dense(2)] public partial record NetRecord;", "NG0013")]
    public void ClassShapes_CompileOrAreRejected(string declaration, string verdict) =>
        AssertVerdict("using NetGen;\n\nnamespace Edge;\n\n" + declaration, verdict);

    /// <summary>
    /// Types a user may well declare next to a network, named like what the generated code uses (the runtime's
    /// vector, span and memory types, the namespaces System and NetGen): both generated parts must still bind
    /// to the runtime's own types and compile cleanly.
    /// </summary>
    [Fact]
    public void UserTypesNamedLikeTheRuntimesTypes_DoNotChangeWhatTheGeneratedCodeBindsTo()
    {
        const string source = """
            using NetGen;

            namespace Edge
            {
                public class Vector128 { } public class Vector256 { } public class Vector512 { }
                public class Vector128<T> { } public class Vector256<T> { } public class Vector512<T> { }
                public class Fma { } public class Avx { } public class Avx2 { } public class Avx512F { } public class Sse { }
                public class Span<T> { } public class ReadOnlySpan<T> { } public class Span { } public class ReadOnlySpan { }
                public class System { } public class Runtime { } public class Intrinsics { } public class NetGen { }
                public class Unsafe { } public class MemoryMarshal { } public class MathF { } public class Math { }
                public class Array { } public class Action { } public class ILGPU { } public class Single { }

                [Network, Input(1, 8, 8)]
                [Conv2D(4, 3, Padding = 1), BatchNorm, ReLU, MaxPool2D(2)]
                [Conv2D(4, 3), Tanh, AvgPool2D(2, Stride = 1), Flatten]
                [Dense(6), Sigmoid, Dropout(0.25)]
                [Dense(3), Softmax]
                public partial class Shadowed;
            }
            """;
        MetadataReference[] gpu =
        [
            MetadataReference.CreateFromFile(typeof(ILGPU.Context).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(NetGen.Gpu.IGpuNetwork).Assembly.Location),
        ];
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(GeneratorHarness.Parse(source)).AddReferences(gpu));
        Assert.Null(run.Crash);
        Assert.Empty(run.NetGenDiagnostics);
        Assert.Equal(["Edge.Shadowed.Gpu.g.cs", "Edge.Shadowed.g.cs"], run.Sources.Keys.Order(System.StringComparer.Ordinal));
        // CS1701 (ILGPU was built against an older System.Runtime) comes from the test's references, not the code.
        var problems = run.OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1701").Take(5).ToList();
        Assert.True(problems.Count == 0, "generated code does not build: " + string.Join("; ", problems));
    }

    [Fact]
    public void TwoNetworksInOneFile_AreGeneratedIndependently()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using NetGen;

            namespace A { [Network, Input(4), Dense(2)] public partial class Net; }
            namespace B { [Network, Input(4), Dense(0)] public partial class Net; }
            [Network, Input(3), Dense(1)] public partial class Net;
            """);
        Assert.Null(run.Crash);
        Assert.Equal(["A.Net.g.cs", "Net.g.cs"], run.Sources.Keys.Order(System.StringComparer.Ordinal));
        Assert.Equal("NG0002", Assert.Single(run.NetGenDiagnostics).Id);
        Assert.Empty(run.OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    /// <summary>
    /// Asserts the case's verdict: <see cref="Compiles"/> (no NG diagnostics, one generated file, a build with no
    /// warnings or errors), or exactly the NG ids in <paramref name="verdict"/> (comma-separated, in any order)
    /// and nothing generated. Never a crash.
    /// </summary>
    private static void AssertVerdict(string source, string verdict)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Null(run.Crash);
        string[] expected = [.. verdict.Split(',', System.StringSplitOptions.RemoveEmptyEntries | System.StringSplitOptions.TrimEntries).Order(System.StringComparer.Ordinal)];
        string[] actual = [.. run.NetGenDiagnostics.Select(d => d.Id).Order(System.StringComparer.Ordinal)];
        Assert.True(expected.SequenceEqual(actual), "expected " + (expected.Length == 0 ? "a clean build" : string.Join(", ", expected)) + ", got " + run.Describe());
        if (expected.Length > 0)
        {
            Assert.Empty(run.Sources);
            return;
        }

        Assert.True(run.Sources.Count == 1, "no NG diagnostic but not one generated file; " + run.Describe());
        Assert.True(!run.OutputDiagnostics.Any(d => d.Severity >= DiagnosticSeverity.Warning), "generated code does not build: " + run.Describe() + "\n" + run.Sources.Values.Single());
    }
}
