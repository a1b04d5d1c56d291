using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// One test per NG diagnostic: the id, where it points (the offending attribute, or the class name for
/// class-level mistakes), that the message names what is wrong, that nothing is generated for the class,
/// and that the generator did not crash.
/// </summary>
public sealed class DiagnosticsTests
{
    [Fact]
    public void NG0001_MissingInput_PointsAtTheClass()
    {
        Diagnostic d = Expect("[Network, Dense(10)] public partial class NoInput;", "NG0001", out GeneratorRun run);
        Assert.Equal("NoInput", run.LocatedText(d));
        Assert.Contains("'Models.NoInput'", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0002_DenseWithZeroUnits_PointsAtTheDense()
    {
        Diagnostic d = Expect("[Network, Input(4), Dense(8), ReLU, Dense(0)] public partial class ZeroUnits;", "NG0002", out GeneratorRun run);
        Assert.Equal("Dense(0)", run.LocatedText(d));
        Assert.Equal("Units of layer 'dense2' must be positive; got 0", d.GetMessage());
    }

    [Theory]
    [InlineData("Conv2D(4, 3, Stride = 0)", "Stride")]
    [InlineData("Conv2D(4, 3, Padding = -1)", "Padding")]
    [InlineData("MaxPool2D(-2)", "Size")]
    public void NG0002_NonPositiveConvOrPoolArgument_PointsAtTheLayer(string layer, string argument)
    {
        Diagnostic d = Expect("[Network, Input(1, 8, 8), " + layer + ", Dense(2)] public partial class BadArgument;", "NG0002", out GeneratorRun run);
        Assert.Equal(layer, run.LocatedText(d));
        Assert.StartsWith(argument + " of layer ", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0002_InputDimensionZero_PointsAtTheInput()
    {
        Diagnostic d = Expect("[Network, Input(1, 0, 8), Dense(2)] public partial class ZeroInput;", "NG0002", out GeneratorRun run);
        Assert.Equal("Input(1, 0, 8)", run.LocatedText(d));
    }

    [Fact]
    public void NG0003_KernelLargerThanPaddedInput_PointsAtTheConv()
    {
        Diagnostic d = Expect("[Network, Input(1, 4, 4), Conv2D(2, 7, Padding = 1), Dense(2)] public partial class BigKernel;", "NG0003", out GeneratorRun run);
        Assert.Equal("Conv2D(2, 7, Padding = 1)", run.LocatedText(d));
        Assert.Contains("'conv1'", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("7×7", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("6×6", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0003_PoolWindowLargerThanInput_PointsAtThePool()
    {
        Diagnostic d = Expect("[Network, Input(2, 3, 5), MaxPool2D(4), Dense(2)] public partial class BigWindow;", "NG0003", out GeneratorRun run);
        Assert.Equal("MaxPool2D(4)", run.LocatedText(d));
        Assert.Contains("'maxpool1'", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dropout(1f)", "got 1")]
    [InlineData("Dropout(-0.1f)", "got -0.1")]
    [InlineData("Dropout(float.NaN)", "got NaN")]
    public void NG0004_DropoutRateOutsideUnitInterval_PointsAtTheDropout(string layer, string got)
    {
        Diagnostic d = Expect("[Network, Input(4), Dense(8), " + layer + ", Dense(2)] public partial class BadRate;", "NG0004", out GeneratorRun run);
        Assert.Equal(layer, run.LocatedText(d));
        Assert.Equal("Dropout rate of layer 'dropout1' must be in [0, 1); " + got, d.GetMessage());
    }

    [Fact]
    public void NG0005_NotPartial_PointsAtTheClass()
    {
        Diagnostic d = Expect("[Network, Input(4), Dense(2)] public class Whole;", "NG0005", out GeneratorRun run);
        Assert.Equal("Whole", run.LocatedText(d));
        Assert.Contains("partial", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0006_LayersSplitOverTwoPartialDeclarations_PointsAtEachStrayLayer()
    {
        GeneratorRun run = Run("""
            [Network, Input(4), Dense(3)]
            public partial class Split;

            [ReLU, Dense(2)]
            public partial class Split;
            """);
        List<Diagnostic> found = run.NetGenDiagnostics.Where(d => d.Id == "NG0006").ToList();
        Assert.Equal(["ReLU", "Dense(2)"], found.Select(run.LocatedText));
        Assert.StartsWith("[ReLU] is on another partial declaration of 'Models.Split'", found[0].GetMessage(), System.StringComparison.Ordinal);
        AssertNothingGenerated(run);
    }

    [Fact]
    public void NG0007_DuplicateName_PointsAtTheSecondUse()
    {
        Diagnostic d = Expect("[Network, Input(4), Dense(8, Name = \"hidden\"), ReLU, Dense(2, Name = \"hidden\")] public partial class Twice;", "NG0007", out GeneratorRun run);
        Assert.Equal("Dense(2, Name = \"hidden\")", run.LocatedText(d));
        Assert.Contains("'hidden'", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0008_InputAfterALayer_PointsAtTheInput()
    {
        Diagnostic d = Expect("[Network, Dense(4), Input(3)] public partial class LateInput;", "NG0008", out GeneratorRun run);
        Assert.Equal("Input(3)", run.LocatedText(d));
    }

    [Fact]
    public void NG0009_ConvAfterDense_PointsAtTheConv()
    {
        Diagnostic d = Expect("[Network, Input(1, 8, 8), Dense(16), Conv2D(2, 3)] public partial class FlatConv;", "NG0009", out GeneratorRun run);
        Assert.Equal("Conv2D(2, 3)", run.LocatedText(d));
        Assert.Equal("Layer 'conv1' (Conv2D) needs a [channels, height, width] input, but gets [16]; move it before the first Dense or Flatten", d.GetMessage());
    }

    [Fact]
    public void NG0009_GlobalAvgPoolOnAFlatShape_PointsAtThePool()
    {
        Diagnostic d = Expect("[Network, Input(12), Dense(8), GlobalAvgPool2D] public partial class FlatPool;", "NG0009", out GeneratorRun run);
        Assert.Equal("GlobalAvgPool2D", run.LocatedText(d));
        Assert.Equal("Layer 'gap1' (GlobalAvgPool2D) needs a [channels, height, width] input, but gets [8]; move it before the first Dense or Flatten", d.GetMessage());
    }

    [Fact]
    public void NG0026_LstmOnAnImage_PointsAtTheLstm()
    {
        Diagnostic d = Expect("[Network, Input(1, 8, 8), Conv2D(2, 3), LSTM(4), Dense(2)] public partial class ImageLstm;", "NG0026", out GeneratorRun run);
        Assert.Equal("LSTM(4)", run.LocatedText(d));
        Assert.Equal("Layer 'lstm1' (LSTM) needs a sequence [steps, features] input, but gets [2×6×6]; put an [Embedding] first", d.GetMessage());
    }

    [Theory]
    [InlineData("Conv2D(2, 3)", "conv1", "Conv2D")]
    [InlineData("MaxPool2D(2)", "maxpool1", "MaxPool2D")]
    [InlineData("BatchNorm", "bn1", "BatchNorm")]
    public void NG0027_ImageLayersOnASequence_PointAtTheLayer(string layer, string name, string kind)
    {
        Diagnostic d = Expect("[Network, Input(8), Embedding(20, 4), " + layer + ", Dense(2)] public partial class SequenceImage;", kind == "BatchNorm" ? "NG0027" : "NG0009", out GeneratorRun run);
        Assert.Equal(layer, run.LocatedText(d));
        Assert.Contains("'" + name + "' (" + kind + ")", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("8 steps × 4", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Network, Input(8), Dense(4), Embedding(20, 4), Dense(2)] public partial class LateEmbedding;", "the output of 'dense1'")]
    [InlineData("[Network, Input(2, 8), Embedding(20, 4), Dense(2)] public partial class ImageIds;", "[1×2×8]")]
    public void NG0028_EmbeddingNotFirstOrOnAShapeNotOneDimensional_PointsAtTheEmbedding(string declarations, string reads)
    {
        Diagnostic d = Expect(declarations, "NG0028", out GeneratorRun run);
        Assert.Equal("Embedding(20, 4)", run.LocatedText(d));
        Assert.EndsWith("it reads " + reads, d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Embedding(0, 4), LSTM(3)", "Vocabulary of layer 'embedding1' must be positive; got 0")]
    [InlineData("Embedding(10, -1), LSTM(3)", "Dimensions of layer 'embedding1' must be positive; got -1")]
    [InlineData("Embedding(10, 4), LSTM(0)", "Units of layer 'lstm1' must be positive; got 0")]
    public void NG0002_SequenceSizesNotPositive_NameTheSize(string layers, string message)
    {
        Diagnostic d = Expect("[Network, Input(8), " + layers + ", Dense(2)] public partial class BadSizes;", "NG0002", out _);
        Assert.Equal(message, d.GetMessage());
    }

    [Theory]
    [InlineData("Input()", "got 0")]
    [InlineData("Input(1, 2, 3, 4)", "got 4")]
    public void NG0010_InputRankOutsideOneToThree_PointsAtTheInput(string input, string got)
    {
        Diagnostic d = Expect("[Network, " + input + ", Dense(2)] public partial class BadRank;", "NG0010", out GeneratorRun run);
        Assert.Equal(input, run.LocatedText(d));
        Assert.EndsWith(got, d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[Network, Input(4)]")]
    [InlineData("[Network, Input(1, 4, 4), Flatten]")]
    public void NG0011_NoLayers_PointsAtTheClass(string attributes)
    {
        Diagnostic d = Expect(attributes + " public partial class Empty;", "NG0011", out GeneratorRun run);
        Assert.Equal("Empty", run.LocatedText(d));
    }

    [Theory]
    [InlineData("1abc", "use ASCII letters, digits and '_'")]
    [InlineData("a b", "use ASCII letters, digits and '_'")]
    [InlineData("", "use ASCII letters, digits and '_'")]
    [InlineData("predict", "'Predict'")]
    [InlineData("layers", "'Layers'")]
    [InlineData("Clash", "'Clash'")]
    public void NG0012_BadOrClashingName_PointsAtTheLayer(string name, string reason)
    {
        string layer = "Dense(2, Name = \"" + name + "\")";
        Diagnostic d = Expect("[Network, Input(4), " + layer + "] public partial class Clash;", "NG0012", out GeneratorRun run);
        Assert.Equal(layer, run.LocatedText(d));
        Assert.Contains("'" + name + "'", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains(reason, d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0012_DefaultNameClashingWithAGivenOne_PointsAtTheLayer()
    {
        // "Conv1" is not "conv1", but both would be the property Conv1.
        Diagnostic d = Expect("[Network, Input(1, 6, 6), Conv2D(2, 3), Conv2D(2, 3, Name = \"Conv1\")] public partial class SameProperty;", "NG0012", out GeneratorRun run);
        Assert.Equal("Conv2D(2, 3, Name = \"Conv1\")", run.LocatedText(d));
        Assert.Contains("'Conv1'", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public partial class Generic<T>;", "Generic", "non-generic")]
    [InlineData("public static partial class Static;", "Static", "non-static")]
    [InlineData("public partial class Outer { [Network, Input(4), Dense(2)] public partial class Nested; }", "Nested", "namespace level")]
    public void NG0013_GenericStaticOrNestedClass_PointsAtTheClass(string declaration, string className, string requirement)
    {
        string source = declaration.StartsWith("public partial class Outer", System.StringComparison.Ordinal) ? declaration : "[Network, Input(4), Dense(2)] " + declaration;
        Diagnostic d = Expect(source, "NG0013", out GeneratorRun run);
        Assert.Equal(className, run.LocatedText(d));
        Assert.Contains(requirement, d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0014_TooManyParameters_PointsAtTheLayer()
    {
        Diagnostic d = Expect("[Network, Input(100000), Dense(100000)] public partial class Huge;", "NG0014", out GeneratorRun run);
        Assert.Equal("Dense(100000)", run.LocatedText(d));
        Assert.Contains("dense1.weight needs 10000000000 floats", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0014_TooLargeInput_PointsAtTheInput()
    {
        Diagnostic d = Expect("[Network, Input(100000, 100000), Dense(2)] public partial class HugeInput;", "NG0014", out GeneratorRun run);
        Assert.Equal("Input(100000, 100000)", run.LocatedText(d));
    }

    /// <summary>
    /// An output of 2^27 × 32 = 2^32 floats: far too large, but a product taken in 32-bit ints wraps it to a
    /// small or negative number that passes the size check (Conv2D's output 134217727×4×8 wraps to −32).
    /// </summary>
    [Theory]
    [InlineData("Conv2D(134217727, 1)")]
    [InlineData("Conv2D(1, 1, Padding = 1073741824)")]
    public void NG0014_ConvOutputBeyond32Bits_IsTooLarge(string conv)
    {
        Diagnostic d = Expect("[Network, Input(1, 4, 8), " + conv + ", Dense(2)] public partial class Wrapped;", "NG0014", out GeneratorRun run);
        Assert.Equal(conv, run.LocatedText(d));
    }

    [Fact]
    public void NG0015_UserDefinedLayerAttribute_PointsAtIt()
    {
        Diagnostic d = Expect("""
            public sealed class MyLayerAttribute : LayerAttribute;

            [Network, Input(4), MyLayer, Dense(2)]
            public partial class Custom;
            """, "NG0015", out GeneratorRun run);
        Assert.Equal("MyLayer", run.LocatedText(d));
        Assert.Contains("MyLayer", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0016_SoftmaxAfterConv_PointsAtTheSoftmax()
    {
        Diagnostic d = Expect("[Network, Input(1, 8, 8), Conv2D(2, 3), Softmax] public partial class SpatialSoftmax;", "NG0016", out GeneratorRun run);
        Assert.Equal("Softmax", run.LocatedText(d));
        Assert.Equal("Softmax layer 'softmax1' needs a 1-D input, but gets [2×6×6]; add [Flatten] or a Dense before it", d.GetMessage());
    }

    [Fact]
    public void NG0017_BatchNormArguments_PointAtTheBatchNorm()
    {
        Diagnostic d = Expect("[Network, Input(4), Dense(3), BatchNorm(Epsilon = 0f), ReLU, Dense(2)] public partial class BadEpsilon;", "NG0017", out GeneratorRun run);
        Assert.Equal("BatchNorm(Epsilon = 0f)", run.LocatedText(d));
        Assert.Equal("BatchNorm layer 'bn1' has Epsilon = 0; it must be finite and > 0", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Diagnostic m = Expect("[Network, Input(4), Dense(3), BatchNorm(Momentum = 1.5f)] public partial class BadMomentum;", "NG0017", out _);
        Assert.Equal("BatchNorm layer 'bn1' has Momentum = 1.5; it must be in [0, 1]", m.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void NG0023_AReferenceToNoEarlierLayer_NamesWhy()
    {
        static string Message(Diagnostic d) => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Diagnostic unknown = Expect("[Network, Input(4), Dense(3), Add(\"nope\"), Dense(2)] public partial class Unknown;", "NG0023", out GeneratorRun run);
        Assert.Equal("Add(\"nope\")", run.LocatedText(unknown));
        Assert.StartsWith("Layer 'add1' reads 'nope', which no layer of 'Models.Unknown' is called", Message(unknown));
        Diagnostic later = Expect("[Network, Input(4), Dense(3, From = \"d2\"), Dense(3, Name = \"d2\"), Dense(2)] public partial class Later;", "NG0023", out _);
        Assert.StartsWith("Layer 'dense1' reads 'd2', which is a later layer", Message(later));
        Diagnostic self = Expect("[Network, Input(4), Dense(3), Dense(3, Name = \"me\", From = \"me\"), Dense(2)] public partial class Self;", "NG0023", out _);
        Assert.StartsWith("Layer 'me' reads 'me', which is this layer itself", Message(self));
    }

    [Fact]
    public void NG0024_OperandsThatDoNotFit_GiveBothShapes()
    {
        static string Message(Diagnostic d) => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Diagnostic add = Expect("[Network, Input(4), Dense(3, Name = \"a\"), Dense(5), Add(\"a\")] public partial class AddShapes;", "NG0024", out GeneratorRun run);
        Assert.Equal("Add(\"a\")", run.LocatedText(add));
        Assert.Equal("Add layer 'add1' cannot join 'dense2' [5] with 'a' [3]: Add needs operands of one shape", Message(add));
        Diagnostic spatial = Expect("[Network, Input(1, 8, 8), Conv2D(2, 3, Name = \"c\"), Conv2D(2, 3, Padding = 1, From = \"c\"), MaxPool2D(2), Concat(\"c\"), Flatten, Dense(2)] public partial class ConcatSizes;", "NG0024", out _);
        Assert.Contains("'c' [2×6×6]", Message(spatial));
        Assert.Contains("height and width must be equal", Message(spatial));
        Diagnostic mixed = Expect("[Network, Input(1, 8, 8), Conv2D(2, 3, Name = \"c\"), Flatten, Concat(\"c\"), Dense(2)] public partial class ConcatRanks;", "NG0024", out _);
        Assert.Contains("cannot join a 1-D shape with a [C, H, W] one", Message(mixed));
    }

    [Fact]
    public void NG0025_AnOutputNoLayerReads_PointsAtIt()
    {
        Diagnostic d = Expect("[Network, Input(4), Dense(3, Name = \"lost\"), Dense(5, From = \"lost\"), Dense(6, Name = \"dead\"), Dense(2, From = \"dense2\")] public partial class Unread;", "NG0025", out GeneratorRun run);
        Assert.Equal("Dense(6, Name = \"dead\")", run.LocatedText(d));
        Assert.StartsWith("The output of layer 'dead' is read by no later layer", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    private const string Tiny = "[Network(Weights = \"tiny.safetensors\"), Input(3), Dense(2)] public partial class Tiny;";

    [Fact]
    public void NG0018_WeightsFileNotAnAdditionalFile_PointsAtTheWeightsArgument()
    {
        using var folder = new TempFolder();
        Diagnostic d = Expect(Tiny, "NG0018", out GeneratorRun run, folder.Write("other.safetensors", WeightsFiles.Tiny()), folder.Write("sub/tiny.safetensors.bak", WeightsFiles.Tiny()));
        Assert.Equal("Weights = \"tiny.safetensors\"", run.LocatedText(d));
        Assert.Equal(
            "Network 'Models.Tiny' bakes its weights from 'tiny.safetensors', but no additional file matches that name; give the file to the compiler with "
            + "<AdditionalFiles Include=\"tiny.safetensors\" /> (its path relative to the project); the name matches a file's name or the end of its path",
            d.GetMessage());
    }

    [Fact]
    public void NG0018_EmptyWeightsName_MatchesNoFile()
    {
        using var folder = new TempFolder();
        Diagnostic d = Expect("[Network(Weights = \"\"), Input(3), Dense(2)] public partial class Tiny;", "NG0018", out GeneratorRun run, folder.Write("tiny.safetensors", WeightsFiles.Tiny()));
        Assert.Equal("Weights = \"\"", run.LocatedText(d));
    }

    [Fact]
    public void NG0019_WeightsNameMatchingTwoFiles_PointsAtTheWeightsArgument()
    {
        using var folder = new TempFolder();
        Diagnostic d = Expect(Tiny, "NG0019", out GeneratorRun run, folder.Write("a/tiny.safetensors", WeightsFiles.Tiny()), folder.Write("b/tiny.safetensors", WeightsFiles.Tiny()));
        Assert.Equal("Weights = \"tiny.safetensors\"", run.LocatedText(d));
        string message = d.GetMessage();
        Assert.StartsWith("Network 'Models.Tiny' bakes its weights from 'tiny.safetensors', which matches 2 additional files (", message, System.StringComparison.Ordinal);
        Assert.Contains(System.IO.Path.Combine(folder.Path, "a", "tiny.safetensors"), message, System.StringComparison.Ordinal);
        Assert.EndsWith("); give more of the path so that exactly one matches", message, System.StringComparison.Ordinal);
    }

    public static TheoryData<string, string> MalformedFiles() => new()
    {
        { "short", "it is too short for a safetensors file: expected at least 8 bytes (the header length), found 5" },
        { "truncated header", "it declares a 1000-byte header but only 2 bytes follow the 8-byte header length" },
        { "not json", "the header is not valid JSON: expected a property name in quotes but found 'x' (at byte 1 of the header)" },
        { "unknown dtype", "tensor 'dense1.weight' has dtype 'I32', which NetGen does not read; expected one of F32, F64, F16, BF16, I64" },
        { "gap", "bytes [24, 28) of the data buffer belong to no tensor (between 'dense1.weight' and 'dense1.bias')" },
        { "missing", "it cannot be read: " },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void NG0020_MalformedWeightsFile_PointsAtTheWeightsArgument(string kind, string expected)
    {
        using var folder = new TempFolder();
        byte[] valid = WeightsFiles.Tiny();
        byte[] bytes = kind switch
        {
            "short" => [1, 2, 3, 4, 5],
            "truncated header" => DeclaringLongerHeader(WeightsFiles.WithHeader("{}"u8.ToArray(), []), 1000),
            "not json" => WeightsFiles.WithHeader("{x}"u8.ToArray(), []),
            "unknown dtype" => WeightsFiles.Build([new RawTensor("dense1.weight", "I32", [2, 3], new byte[24]), WeightsFiles.F32("dense1.bias", [2], 0f, 0f)]),
            "gap" => WeightsFiles.WithHeader(
                "{\"dense1.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},\"dense1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[28,36]}}"u8.ToArray(),
                new byte[36]),
            _ => valid,
        };
        AdditionalText file = kind == "missing"
            ? new BinaryAdditionalFile(System.IO.Path.Combine(folder.Path, "tiny.safetensors"))
            : folder.Write("tiny.safetensors", bytes);
        Diagnostic d = Expect(Tiny, "NG0020", out GeneratorRun run, file);
        Assert.Equal("Weights = \"tiny.safetensors\"", run.LocatedText(d));
        Assert.StartsWith("Weights file 'tiny.safetensors' of network 'Models.Tiny' is not a safetensors file NetGen can bake: " + expected, d.GetMessage(), System.StringComparison.Ordinal);
    }

    private static byte[] DeclaringLongerHeader(byte[] file, ulong length)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(file, length);
        return file;
    }

    [Fact]
    public void NG0021_WeightsFileNotMatchingTheNetwork_ListsEveryProblem()
    {
        using var folder = new TempFolder();
        byte[] bytes = WeightsFiles.Build(
        [
            WeightsFiles.F32("dense1.weight", [3, 2], 1f, 2f, 3f, 4f, 5f, 6f),
            WeightsFiles.F32("head.weight", [1], 1f),
            WeightsFiles.F32("optimizer.momentum_buffer", [8], new float[8]),
            WeightsFiles.I64("dense1.num_batches_tracked", [], 3),
        ]);
        Diagnostic d = Expect(Tiny, "NG0021", out GeneratorRun run, folder.Write("tiny.safetensors", bytes));
        Assert.Equal("Weights = \"tiny.safetensors\"", run.LocatedText(d));
        Assert.Equal(
            "Weights file 'tiny.safetensors' does not match network 'Models.Tiny': dense1.weight: shape [2, 3] expected, file has [3, 2]; "
            + "dense1.bias: missing from the file; head.weight: not a tensor of this network",
            d.GetMessage());
    }

    [Fact]
    public void NG0021_IntegerTensorAndManyProblems_AreListedUpToEight()
    {
        using var folder = new TempFolder();
        RawTensor[] extra = Enumerable.Range(0, 10).Select(i => WeightsFiles.F32("extra" + i, [1], 0f)).ToArray();
        byte[] bytes = WeightsFiles.Build([WeightsFiles.I64("dense1.weight", [2, 3], 1, 2, 3, 4, 5, 6), WeightsFiles.F32("dense1.bias", [2], 0f, 0f), .. extra]);
        Diagnostic d = Expect(Tiny, "NG0021", out _, folder.Write("tiny.safetensors", bytes));
        string message = d.GetMessage();
        Assert.Contains("dense1.weight: dtype I64 in the file, expected a float dtype (F32, F64, F16 or BF16); extra0: not a tensor of this network", message, System.StringComparison.Ordinal);
        Assert.EndsWith("extra6: not a tensor of this network; and 3 more", message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void NG0022_LayerAttributesWithoutNetwork_PointsAtTheFirst()
    {
        Diagnostic d = Expect("[Input(1, 8, 8), Conv2D(2, 3), Dense(2)] public partial class Forgotten;", "NG0022", out GeneratorRun run);
        Assert.Equal("Input(1, 8, 8)", run.LocatedText(d));
        Assert.Contains("'Models.Forgotten'", d.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("no [Network]", d.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public void EveryDescriptor_HasATest()
    {
        // The ids this class tests; a new descriptor without a test here fails.
        string[] tested = typeof(DiagnosticsTests).GetMethods()
            .Select(m => m.Name)
            .Where(n => n.StartsWith("NG", System.StringComparison.Ordinal))
            .Select(n => n[..6])
            .Distinct()
            .Order(System.StringComparer.Ordinal)
            .ToArray();
        string[] declared = typeof(NetworkGenerator).Assembly
            .GetType("NetGen.Generators.Diagnostics.DiagnosticDescriptors", throwOnError: true)!
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)
            .Order(System.StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(declared, tested);
    }

    /// <summary>Runs <paramref name="declarations"/> (in namespace Models, with <c>using NetGen;</c>) and returns the first <paramref name="id"/>.</summary>
    private static Diagnostic Expect(string declarations, string id, out GeneratorRun run, params AdditionalText[] files)
    {
        run = Run(declarations, files);
        Diagnostic? d = run.NetGenDiagnostics.FirstOrDefault(x => x.Id == id);
        Assert.True(d is not null, "expected " + id + "; " + run.Describe());
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        AssertNothingGenerated(run);
        return d;
    }

    private static GeneratorRun Run(string declarations, params AdditionalText[] files) =>
        GeneratorHarness.Run("using NetGen;\n\nnamespace Models;\n\n" + declarations + "\n", files);

    private static void AssertNothingGenerated(GeneratorRun run)
    {
        Assert.Null(run.Crash);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785");
        Assert.Empty(run.Sources);
    }
}
