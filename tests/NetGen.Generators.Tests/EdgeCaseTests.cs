using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// Declarations at the edges, found by fuzzing and by reading the generator: each one either compiles
/// cleanly or is rejected with NG diagnostics, never a generator exception, a silent nothing, or generated
/// code that does not build.
/// </summary>
public sealed class EdgeCaseTests
{
    [Theory]
    [InlineData("[Network, Input(10), Softmax] public partial class OnlySoftmax;")]
    [InlineData("[Network, Input(10), Softmax, Softmax] public partial class TwoSoftmax;")]
    [InlineData("[Network, Input(10), ReLU] public partial class NoParameters;")]
    [InlineData("[Network, Input(4), Flatten, Dense(2)] public partial class FlattenFirst;")]
    [InlineData("[Network, Input(1, 4, 4), Conv2D(2, 3), Flatten] public partial class FlattenLast;")]
    [InlineData("[Network, Input(3, 3), Dense(2)] public partial class TwoDimensional;")]
    [InlineData("[Network, Input(4), Dropout(0.9999999f), Dense(2)] public partial class AlmostAllDropped;")]
    [InlineData("[Network, Input(4), Dense(2, Name = \"_\")] public partial class Underscore;")]
    [InlineData("[Network, Input(4), Dense(2, Name = \"x\"), Tanh(Name = \"p\")] public partial class ShortNames;")]
    [InlineData("[Network, Input(4), Dense(2, Name = null)] public partial class NullName;")]
    [InlineData("[Network, Input(4), Dense(2, Name = \"é\")] public partial class NonAsciiName;")]
    public void UnusualButMeaningfulTopologies_CompileOrAreRejected(string declaration) =>
        AssertCompilesOrIsRejected("using NetGen;\n\nnamespace Edge;\n\n" + declaration);

    /// <summary>A softmax as the only layer has no logits layer before it: the planner must not index layer −1.</summary>
    [Fact]
    public void SoftmaxAsOnlyLayer_DoesNotCrash()
    {
        GeneratorRun run = GeneratorHarness.Run("using NetGen;\n\n[Network, Input(10), Softmax] public partial class OnlySoftmax;");
        Assert.Null(run.Crash);
    }

    [Fact]
    public void NullInputShape_DoesNotCrash()
    {
        // Input(null) binds params int[] in its normal form: an array-typed constant whose value is null.
        GeneratorRun run = GeneratorHarness.Run("using NetGen;\n\n[Network, Input(null), Dense(2)] public partial class NullInput;");
        Assert.Null(run.Crash);
        Assert.Contains(run.NetGenDiagnostics, d => d.Id == "NG0010");
    }

    /// <summary>The generated class has private fields too; a layer named after one must be refused (or the fields renamed).</summary>
    [Theory]
    [InlineData("_parameters")]
    [InlineData("_predictWorkspace")]
    public void LayerNamedLikeAGeneratedField_CompilesOrIsRejected(string name) =>
        AssertCompilesOrIsRejected("using NetGen;\n\n[Network, Input(4), Dense(2, Name = \"" + name + "\")] public partial class FieldName;");

    /// <summary>A class named like a generated member cannot hold that member (CS0542).</summary>
    [Theory]
    [InlineData("Forward")]
    [InlineData("Predict")]
    [InlineData("Layers")]
    [InlineData("InputSize")]
    public void ClassNamedLikeAGeneratedMember_CompilesOrIsRejected(string className) =>
        AssertCompilesOrIsRejected("using NetGen;\n\nnamespace Edge;\n\n[Network, Input(4), Dense(2)] public partial class " + className + ";");

    /// <summary>Keywords used as names with @ must stay escaped in the generated code.</summary>
    [Theory]
    [InlineData("namespace Edge;\n\n[Network, Input(4), Dense(2)] public partial class @class;")]
    [InlineData("namespace @event.Models;\n\n[Network, Input(4), Dense(2)] public partial class Net;")]
    public void KeywordIdentifiers_CompileOrAreRejected(string declaration) =>
        AssertCompilesOrIsRejected("using NetGen;\n\n" + declaration);

    /// <summary>Shapes a network class can have besides the plain one.</summary>
    [Theory]
    [InlineData("[Network, Input(4), Dense(2)] public sealed partial class Sealed;")]
    [InlineData("[Network, Input(4), Dense(2)] internal partial class Internal;")]
    [InlineData("[Network, Input(4), Dense(2)] public partial class WithBody { public int Extra => 1; }")]
    [InlineData("[Network, Input(4), Dense(2)] public partial class WithPrimaryConstructor(string label) { public string Label => label; }")]
    [InlineData("[Network, Input(4), Dense(2)] public partial record NetRecord;")]
    public void ClassShapes_CompileOrAreRejected(string declaration) =>
        AssertCompilesOrIsRejected("using NetGen;\n\nnamespace Edge;\n\n" + declaration);

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
    /// Either no NG diagnostics and a build with no warnings or errors and one generated file, or NG diagnostics
    /// and nothing generated; never a crash, never nothing at all.
    /// </summary>
    private static void AssertCompilesOrIsRejected(string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        Assert.Null(run.Crash);
        if (run.NetGenDiagnostics.Any())
        {
            Assert.Empty(run.Sources);
            return;
        }

        Assert.True(run.Sources.Count == 1, "neither an NG diagnostic nor generated code; " + run.Describe());
        Assert.True(!run.OutputDiagnostics.Any(d => d.Severity >= DiagnosticSeverity.Warning), "generated code does not build: " + run.Describe() + "\n" + run.Sources.Values.Single());
    }
}
