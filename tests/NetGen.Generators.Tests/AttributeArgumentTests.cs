using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// Dropout's rate and BatchNorm's Epsilon and Momentum take what C# users write: double literals (<c>0.2</c>,
/// <c>1e-3</c>), float literals (<c>0.2f</c>) and ints (<c>0</c>, <c>1</c>) all compile, and the generated code uses
/// the nearest float. The ranges are checked on the value written and on that float, so a double that rounds to an
/// invalid float (an epsilon of 1e-50 is 0 as a float) is the layer's one diagnostic, naming the value.
/// </summary>
public sealed class AttributeArgumentTests
{
    [Theory]
    [InlineData("Dropout(0.2)", 0.2f)]
    [InlineData("Dropout(0.2f)", 0.2f)]
    [InlineData("Dropout(2e-1)", 0.2f)]
    [InlineData("Dropout(rate: 0.3)", 0.3f)]
    [InlineData("Dropout(0)", 0f)]
    [InlineData("Dropout(0.999999)", 0.999999f)]
    [InlineData("Dropout(1e-50)", 0f)]
    public void DropoutRate_EverySpelling_CompilesToTheNearestFloat(string layer, float expected)
    {
        GeneratorRun run = Compiles("[Network, Input(8), Dense(8), " + layer + ", Dense(2)] public partial class Net;");
        string source = run.Sources["Models.Net.g.cs"];
        Match rate = Regex.Match(source, @"float keep = rng\.NextFloat\(\) < (\S+)f \? 0f : (\S+)f;");
        Assert.True(rate.Success, "no dropout kernel in the generated code");
        Assert.Equal(Bits(expected), Bits(float.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture)));
        Assert.Equal(Bits(1f / (1f - expected)), Bits(float.Parse(rate.Groups[2].Value, CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("BatchNorm(Epsilon = 1e-3)", 1e-3f, 0.1f)]
    [InlineData("BatchNorm(Epsilon = 1e-3f)", 1e-3f, 0.1f)]
    [InlineData("BatchNorm(Epsilon = 1)", 1f, 0.1f)]
    [InlineData("BatchNorm(Momentum = 0.2)", 1e-5f, 0.2f)]
    [InlineData("BatchNorm(Momentum = 0.2f, Epsilon = 0.001)", 1e-3f, 0.2f)]
    [InlineData("BatchNorm(Momentum = 1)", 1e-5f, 1f)]
    [InlineData("BatchNorm(Momentum = 0)", 1e-5f, 0f)]
    [InlineData("BatchNorm", 1e-5f, 0.1f)]
    public void BatchNormArguments_EverySpelling_CompileToTheNearestFloat(string layer, float epsilon, float momentum)
    {
        GeneratorRun run = Compiles("[Network, Input(4), Dense(3), " + layer + ", ReLU, Dense(2)] public partial class Net;");
        using LoadedAssembly loaded = GeneratorHarness.EmitAndLoad(run.Output);
        BatchNormInfo bn = Assert.Single(loaded.Create("Models.Net", 1).BatchNorms);
        Assert.Equal(Bits(epsilon), Bits(bn.Epsilon));
        Assert.Equal(Bits(momentum), Bits(bn.Momentum));
    }

    /// <summary>A network written with float literals generates exactly what it generated before the attributes took doubles; the double spellings generate the same.</summary>
    [Fact]
    public void DoubleAndFloatSpellings_GenerateTheSameCode()
    {
        const string Floats = "[Network, Input(1, 6, 6), Conv2D(2, 3), BatchNorm(Epsilon = 1e-3f, Momentum = 0.2f), ReLU, Dense(8), Dropout(0.2f), Dense(2)] public partial class Net;";
        string doubles = Floats.Replace("1e-3f", "1e-3").Replace("0.2f", "0.2");
        Assert.NotEqual(Floats, doubles);
        Assert.Equal(Compiles(Floats).Sources["Models.Net.g.cs"], Compiles(doubles).Sources["Models.Net.g.cs"]);
    }

    [Theory]
    [InlineData("Dropout(1)", "got 1")]
    [InlineData("Dropout(1.0)", "got 1")]
    [InlineData("Dropout(2)", "got 2")]
    [InlineData("Dropout(-0.1)", "got -0.1")]
    [InlineData("Dropout(-1e-50)", "got -1E-50")]
    [InlineData("Dropout(0.99999999999)", "got 0.99999999999 (1 as a float)")]
    [InlineData("Dropout(double.NaN)", "got NaN")]
    [InlineData("Dropout(double.PositiveInfinity)", "got Infinity")]
    [InlineData("Dropout(float.NegativeInfinity)", "got -Infinity")]
    [InlineData("Dropout(1.5f)", "got 1.5")]
    public void DropoutRate_OutOfRange_IsOneNG0004NamingTheValue(string layer, string got)
    {
        Diagnostic d = OnlyDiagnostic("[Network, Input(8), Dense(8), " + layer + ", Dense(2)] public partial class Net;", "NG0004", layer, out _);
        Assert.Equal("Dropout rate of layer 'dropout1' must be in [0, 1); " + got, d.GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("BatchNorm(Epsilon = 1e-50)", "Epsilon = 1E-50 (0 as a float); it must be finite and > 0")]
    [InlineData("BatchNorm(Epsilon = 1e39)", "Epsilon = 1E+39 (Infinity as a float); it must be finite and > 0")]
    [InlineData("BatchNorm(Epsilon = 0)", "Epsilon = 0; it must be finite and > 0")]
    [InlineData("BatchNorm(Epsilon = -1e-3)", "Epsilon = -0.001; it must be finite and > 0")]
    [InlineData("BatchNorm(Epsilon = double.NaN)", "Epsilon = NaN; it must be finite and > 0")]
    [InlineData("BatchNorm(Epsilon = double.PositiveInfinity)", "Epsilon = Infinity; it must be finite and > 0")]
    [InlineData("BatchNorm(Epsilon = 0f)", "Epsilon = 0; it must be finite and > 0")]
    [InlineData("BatchNorm(Momentum = 1.0000000001)", "Momentum = 1.0000000001; it must be in [0, 1]")]
    [InlineData("BatchNorm(Momentum = -1e-50)", "Momentum = -1E-50; it must be in [0, 1]")]
    [InlineData("BatchNorm(Momentum = 2)", "Momentum = 2; it must be in [0, 1]")]
    [InlineData("BatchNorm(Momentum = double.NaN)", "Momentum = NaN; it must be in [0, 1]")]
    [InlineData("BatchNorm(Momentum = 1.5f)", "Momentum = 1.5; it must be in [0, 1]")]
    public void BatchNormArgument_OutOfRange_IsOneNG0017NamingTheValue(string layer, string message)
    {
        Diagnostic d = OnlyDiagnostic("[Network, Input(4), Dense(3), " + layer + ", ReLU, Dense(2)] public partial class Net;", "NG0017", layer, out _);
        Assert.Equal("BatchNorm layer 'bn1' has " + message, d.GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("LeakyReLU(-0.01)", "NegativeSlope = -0.01; it must be finite and >= 0")]
    [InlineData("LeakyReLU(double.NaN)", "NegativeSlope = NaN; it must be finite and >= 0")]
    [InlineData("LeakyReLU(double.PositiveInfinity)", "NegativeSlope = Infinity; it must be finite and >= 0")]
    [InlineData("LeakyReLU(1e39)", "NegativeSlope = 1E+39 (Infinity as a float); it must be finite and >= 0")]
    [InlineData("LeakyReLU(-1f)", "NegativeSlope = -1; it must be finite and >= 0")]
    public void LeakyReLUSlope_OutOfRange_IsOneNG0017NamingTheValue(string layer, string message)
    {
        Diagnostic d = OnlyDiagnostic("[Network, Input(4), Dense(3), " + layer + ", Dense(2)] public partial class Net;", "NG0017", layer, out _);
        Assert.Equal("LeakyReLU layer 'leakyrelu1' has " + message, d.GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>The slope as written reaches the kernels, the default being PyTorch's 0.01; a slope of 0 (ReLU) is allowed.</summary>
    [Theory]
    [InlineData("LeakyReLU", "0.01f")]
    [InlineData("LeakyReLU(0.2)", "0.2f")]
    [InlineData("LeakyReLU(0.25f)", "0.25f")]
    [InlineData("LeakyReLU(0)", "0f")]
    public void LeakyReLUSlope_ReachesTheKernels(string layer, string literal)
    {
        GeneratorRun run = Run("[Network, Input(4), Dense(3), " + layer + ", Dense(2)] public partial class Net;");
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Contains(" : " + literal + " * ", string.Concat(run.Sources.Values));
    }

    /// <summary>Both arguments wrong: two mistakes, two diagnostics, each naming its own.</summary>
    [Fact]
    public void BatchNormWithBothArgumentsWrong_GetsOneDiagnosticForEach()
    {
        GeneratorRun run = Run("[Network, Input(4), Dense(3), BatchNorm(Epsilon = 1e-50, Momentum = 2.0), Dense(2)] public partial class Net;");
        Assert.Equal(
            ["BatchNorm layer 'bn1' has Epsilon = 1E-50 (0 as a float); it must be finite and > 0", "BatchNorm layer 'bn1' has Momentum = 2; it must be in [0, 1]"],
            run.GeneratorDiagnostics.Select(d => d.GetMessage(CultureInfo.InvariantCulture)));
        Assert.All(run.GeneratorDiagnostics, d => Assert.Equal("NG0017", d.Id));
    }

    private static int Bits(float value) => System.BitConverter.SingleToInt32Bits(value);

    /// <summary>The user's code compiles as written (no CS1503 for a double literal), the generator reports nothing, and the generated code compiles cleanly.</summary>
    private static GeneratorRun Compiles(string declarations)
    {
        GeneratorRun run = Run(declarations);
        Assert.Null(run.Crash);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        return run;
    }

    /// <summary>The user's code has no compiler error of its own, and the generator reports exactly one diagnostic: <paramref name="id"/>, on <paramref name="located"/>.</summary>
    private static Diagnostic OnlyDiagnostic(string declarations, string id, string located, out GeneratorRun run)
    {
        run = Run(declarations);
        Assert.Null(run.Crash);
        Assert.Empty(run.Input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Diagnostic d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, d.Id);
        Assert.Equal(located, run.LocatedText(d));
        Assert.Empty(run.Sources);
        return d;
    }

    private static GeneratorRun Run(string declarations) =>
        GeneratorHarness.Run("using NetGen;\n\nnamespace Models;\n\n" + declarations + "\n");
}
