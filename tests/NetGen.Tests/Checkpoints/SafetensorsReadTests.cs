using System;
using System.IO;
using System.Linq;
using NetGen;
using Xunit;
using static NetGen.Tests.Checkpoints.SafetensorsBytes;

namespace NetGen.Tests.Checkpoints;

public sealed class SafetensorsReadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netgen-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // ---------- well-formed files, built by hand ----------

    [Fact]
    public void GoldenBytes_FileWrittenLikePythonSafetensors_LoadsValuesMetadataAndHeaderOrder()
    {
        // As Python's safetensors writes it: metadata first, header padded with spaces to a multiple of 8, data
        // in an order of its own choosing (here the I64 scalar before the F32 matrix, which the header lists first).
        const string Header =
            "{\"__metadata__\":{\"format\":\"pt\",\"epoch\":\"3\"}," +
            "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}," +
            "\"steps\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}";
        string path = Save("golden", BuildPadded(Header, I64(42), F32(1.5f, -2f, 0.1f, 3e-39f, float.MaxValue, -0f)));

        SafetensorsFile file = SafetensorsFile.Read(path);

        Assert.Equal(path, file.SourceName);
        Assert.Equal(2, file.Metadata.Count);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("3", file.Metadata["epoch"]);
        Assert.Equal(["w", "steps"], file.Tensors.Select(t => t.Name));

        SafetensorsTensor w = file.Tensors[0];
        Assert.Equal(SafetensorsDType.F32, w.DType);
        Assert.True(w.IsFloat);
        Assert.Equal([2, 3], w.Shape);
        Assert.Equal(6, w.ElementCount);
        Assert.Null(w.Int64Data);
        Assert.Equal(Bits(1.5f, -2f, 0.1f, 3e-39f, float.MaxValue, -0f), Bits(w.Data));

        Assert.True(file.TryGetTensor("steps", out SafetensorsTensor steps));
        Assert.Equal(SafetensorsDType.I64, steps.DType);
        Assert.False(steps.IsFloat);
        Assert.Empty(steps.Shape);
        Assert.Equal(1, steps.ElementCount);
        Assert.Equal(new[] { 42L }, steps.Int64Data);
        Assert.Empty(steps.Data);

        Assert.False(file.TryGetTensor("W", out _));
        Assert.Equal("w (F32 [2, 3])", w.ToString());
    }

    [Fact]
    public void HalfBFloat16AndDouble_ConvertToFloatAsHandComputed()
    {
        const string Header =
            "{\"h\":{\"dtype\":\"F16\",\"shape\":[6],\"data_offsets\":[0,12]}," +
            "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[12,20]}," +
            "\"d\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[20,44]}}";
        byte[] bytes = Build(
            Header,
            U16(0x3C00, 0xC000, 0x7C00, 0x0001, 0x3555, 0x8000),
            U16(0x3F80, 0xC000, 0x4049, 0xFF80),
            F64(0.1, 1e300, -2.5));

        SafetensorsFile file = SafetensorsFile.Read(Save("converted", bytes));

        // F16: 0x3C00 = 1, 0xC000 = -2, 0x7C00 = +inf, 0x0001 = 2^-24 (smallest subnormal),
        // 0x3555 = 2^-2 x (1 + 341/1024) = 0.333251953125, 0x8000 = -0.
        SafetensorsTensor h = file.Tensors[0];
        Assert.Equal(SafetensorsDType.F16, h.DType);
        Assert.Equal(Bits(1f, -2f, float.PositiveInfinity, MathF.Pow(2, -24), 0.333251953125f, -0f), Bits(h.Data));

        // BF16 is the top half of a float: 0x3F80 -> 0x3F800000 = 1, 0xC000 -> -2, 0x4049 -> 3.140625, 0xFF80 -> -inf.
        SafetensorsTensor b = file.Tensors[1];
        Assert.Equal(SafetensorsDType.BF16, b.DType);
        Assert.Equal([2, 2], b.Shape);
        Assert.Equal(Bits(1f, -2f, 3.140625f, float.NegativeInfinity), Bits(b.Data));

        // F64 rounds to the nearest float; beyond float's range it becomes infinity.
        SafetensorsTensor d = file.Tensors[2];
        Assert.Equal(SafetensorsDType.F64, d.DType);
        Assert.Equal(Bits(0.1f, float.PositiveInfinity, -2.5f), Bits(d.Data));
    }

    [Fact]
    public void NaNPayloadsAndSubnormals_SurviveBitExact()
    {
        float quietNaN = BitConverter.Int32BitsToSingle(0x7FC01234);
        float negativeNaN = BitConverter.Int32BitsToSingle(unchecked((int)0xFFA00001));
        float subnormal = BitConverter.Int32BitsToSingle(1);
        byte[] bytes = Build("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", F32(quietNaN, negativeNaN, subnormal));

        Assert.Equal(Bits(quietNaN, negativeNaN, subnormal), Bits(SafetensorsFile.Read(bytes, "nan").Tensors[0].Data));
    }

    [Fact]
    public void EmptyHeader_IsAValidFileWithNoTensors()
    {
        SafetensorsFile file = SafetensorsFile.Read(Save("empty", BuildPadded("{}")));
        Assert.Empty(file.Tensors);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void ZeroElementTensorsAndScalars()
    {
        const string Header =
            "{\"none\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]}," +
            "\"one\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}," +
            "\"tail\":{\"dtype\":\"I64\",\"shape\":[4,0],\"data_offsets\":[4,4]}}";
        SafetensorsFile file = SafetensorsFile.Read(Build(Header, F32(7f)), "zeros");

        Assert.Equal([0, 3], file.Tensors[0].Shape);
        Assert.Empty(file.Tensors[0].Data);
        Assert.Empty(file.Tensors[1].Shape);
        Assert.Equal([7f], file.Tensors[1].Data);
        Assert.Equal([4, 0], file.Tensors[2].Shape);
        Assert.Equal(Array.Empty<long>(), file.Tensors[2].Int64Data);
    }

    [Fact]
    public void UnknownFieldsAreIgnored_NullMetadataIsEmpty_EscapesAreDecoded()
    {
        const string Header =
            "{\"__metadata__\":null,\"caf\\u00e9.w\":{\"shape\":[1],\"comment\":{\"any\":[1,2]},\"dtype\":\"F32\",\"data_offsets\":[0,4]}}";
        SafetensorsFile file = SafetensorsFile.Read(Build(Header, F32(2f)), "lenient");

        Assert.Empty(file.Metadata);
        Assert.True(file.TryGetTensor("café.w", out SafetensorsTensor t));
        Assert.Equal([2f], t.Data);
    }

    [Fact]
    public void SpanSeekableStreamAndNonSeekableStream_ReadTheSame()
    {
        byte[] bytes = BuildPadded(
            "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}," +
            "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            U16(0x3C00, 0xC000),
            F32(5f, 6f));

        // A seekable stream is read from its current position.
        using var seekable = new MemoryStream([0xAA, 0xBB, .. bytes]) { Position = 2 };
        using var nonSeekable = new NonSeekableStream(bytes);
        SafetensorsFile[] files =
        [
            SafetensorsFile.Read(bytes, "span"),
            SafetensorsFile.Read(seekable, "seekable"),
            SafetensorsFile.Read(nonSeekable, "non-seekable"),
        ];

        foreach (SafetensorsFile f in files)
        {
            Assert.Equal("v", f.Metadata["k"]);
            Assert.Equal([1f, -2f], f.Tensors[0].Data);
            Assert.Equal([5f, 6f], f.Tensors[1].Data);
        }
    }

    [Fact]
    public void LargeTensor_IsReadAcrossManyChunks()
    {
        // 100,003 floats = 400,012 bytes, several of the reader's 64 KiB chunks and not a multiple of one.
        float[] values = Enumerable.Range(0, 100_003).Select(i => (i * 0.37f) - 1000f).ToArray();
        byte[] bytes = Build("{\"big\":{\"dtype\":\"F32\",\"shape\":[100003],\"data_offsets\":[0,400012]}}", F32(values));

        Assert.Equal(Bits(values), Bits(SafetensorsFile.Read(Save("big", bytes)).Tensors[0].Data));
        Assert.Equal(Bits(values), Bits(SafetensorsFile.Read(bytes, "big").Tensors[0].Data));
    }

    [Fact]
    public void MissingFile_ThrowsFileNotFound()
    {
        string path = Path.Combine(_dir, "nope.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => SafetensorsFile.Read(path));
        Assert.Contains("nope.safetensors", e.Message);
    }

    // ---------- malformed files: one test per problem ----------

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void TruncatedBeforeTheHeaderLength(int length)
    {
        var e = Malformed("short", new byte[length]);
        Assert.Contains("too short", e.Message);
        Assert.Contains("expected at least 8 bytes", e.Message);
        Assert.Contains($"found {length}", e.Message);
    }

    [Fact]
    public void HeaderLengthBeyondTheFile()
    {
        byte[] bytes = Build("{}");
        bytes[0] = 100;
        var e = Malformed("long-header", bytes);
        Assert.Contains("declares a 100-byte header but only 2 bytes follow", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TruncatedInsideTheData()
    {
        byte[] bytes = Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", F32(1, 2, 3, 4));
        var e = Malformed("cut", bytes[..^5]);
        Assert.Contains("tensor 'a'", e.Message);
        Assert.Contains("data_offsets [0, 16], past the end of the 11-byte data buffer", e.Message);
    }

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(ulong.MaxValue)]
    public void AbsurdHeaderLength_FailsWithoutAllocating(ulong declared)
    {
        byte[] bytes = [.. LittleEndian(declared), .. new byte[64]];
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(bytes, "absurd.safetensors"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("absurd.safetensors", e.Message);
        Assert.Contains($"declares a {declared}-byte header; expected at most 100000000 bytes", e.Message);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes before failing");
        Malformed("absurd", bytes);
    }

    [Fact]
    public void HugeDeclaredTensor_FailsWithoutAllocating()
    {
        byte[] bytes = Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000000],\"data_offsets\":[0,4000000000]}}", F32(1f));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(bytes, "huge"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("past the end of the 4-byte data buffer", e.Message);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes before failing");
    }

    [Fact]
    public void HeaderNotUtf8()
    {
        byte[] header = [(byte)'{', (byte)'"', (byte)'a', 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}'];
        var e = Malformed("latin1", [.. LittleEndian((ulong)header.Length), .. header]);
        Assert.Contains("not valid UTF-8 (at byte 3)", e.Message);
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("[1, 2]", "it starts with byte 0x5B")]
    [InlineData(" {}", "it starts with byte 0x20")]
    public void HeaderNotAnObject(string header, string found)
    {
        var e = Malformed("not-object", Build(header));
        Assert.Contains("expected the header to be a JSON object starting with '{'", e.Message);
        Assert.Contains(found, e.Message);
    }

    [Theory]
    [InlineData("{\"a\": {\"dtype\": \"F32\",")]
    [InlineData("{\"a\": 1,}")]
    [InlineData("{\"a\": 1} x")]
    [InlineData("{'a': 1}")]
    public void HeaderNotValidJson(string header)
    {
        var e = Malformed("bad-json", Build(header));
        Assert.Contains("the header is not valid JSON", e.Message);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(e.InnerException);
    }

    [Fact]
    public void InvalidEscapeInAName()
    {
        var e = Malformed("surrogate", Build("{\"a\\ud800\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", F32(1f)));
        Assert.Contains("a tensor name in the header is not valid text", e.Message);
    }

    [Theory]
    [InlineData("5", "is a number (5)")]
    [InlineData("[\"F32\"]", "is an array ([\"F32\"])")]
    [InlineData("null", "is null")]
    public void TensorEntryNotAnObject(string entry, string found)
    {
        var e = Malformed("entry", Build($"{{\"w\":{entry}}}"));
        Assert.Contains($"tensor 'w' {found}", e.Message);
        Assert.Contains("expected an object {\"dtype\"", e.Message);
    }

    [Theory]
    [InlineData("dtype")]
    [InlineData("shape")]
    [InlineData("data_offsets")]
    public void MissingField(string field)
    {
        string[] fields = ["\"dtype\":\"F32\"", "\"shape\":[1]", "\"data_offsets\":[0,4]"];
        string entry = string.Join(",", fields.Where(f => !f.StartsWith($"\"{field}\"", StringComparison.Ordinal)));
        var e = Malformed("missing-" + field, Build($"{{\"w\":{{{entry}}}}}", F32(1f)));
        Assert.Contains($"tensor 'w' has no \"{field}\"", e.Message);
    }

    [Fact]
    public void DuplicateField()
    {
        var e = Malformed("two-dtypes", Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"dtype\":\"F64\",\"data_offsets\":[0,4]}}", F32(1f)));
        Assert.Contains("tensor 'w' has two \"dtype\" fields", e.Message);
    }

    [Fact]
    public void DtypeNotAString()
    {
        var e = Malformed("dtype-number", Build("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", F32(1f)));
        Assert.Contains("tensor 'w' has dtype a number (32); expected a string, one of F32, F64, F16, BF16, I64", e.Message);
    }

    [Theory]
    [InlineData("I32")]
    [InlineData("F8_E4M3")]
    [InlineData("BOOL")]
    [InlineData("f32")]
    public void UnknownDtype(string dtype)
    {
        var e = Malformed("dtype", Build($"{{\"w\":{{\"dtype\":\"{dtype}\",\"shape\":[1],\"data_offsets\":[0,4]}}}}", F32(1f)));
        Assert.Contains($"tensor 'w' has dtype '{dtype}', which NetGen does not read; expected one of F32, F64, F16, BF16, I64", e.Message);
    }

    [Theory]
    [InlineData("\"2\"", "shape a string (\"2\")")]
    [InlineData("[-1]", "(dimension 0 is a number (-1))")]
    [InlineData("[1, 1.5]", "(dimension 1 is a number (1.5))")]
    [InlineData("[3000000000]", "(dimension 0 is a number (3000000000))")]
    [InlineData("[2, null]", "(dimension 1 is null)")]
    public void ShapeNotNonNegativeIntegers(string shape, string found)
    {
        var e = Malformed("shape", Build($"{{\"w\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[0,4]}}}}", F32(1f)));
        Assert.Contains("tensor 'w' has ", e.Message);
        Assert.Contains(found, e.Message);
        Assert.Contains("expected an array of non-negative integers", e.Message);
    }

    [Fact]
    public void ShapeWithMoreElementsThanAnArrayHolds()
    {
        var e = Malformed("too-many", Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[100000,100000,1000],\"data_offsets\":[0,4]}}", F32(1f)));
        Assert.Contains($"tensor 'w' has shape [100000, 100000, 1000], more than {Array.MaxLength} elements", e.Message);
    }

    [Theory]
    [InlineData("[0]")]
    [InlineData("[0, 4, 8]")]
    [InlineData("[-4, 0]")]
    [InlineData("[0, 4.0]")]
    [InlineData("\"0,4\"")]
    [InlineData("[0, 18446744073709551616]")]
    public void DataOffsetsIllTyped(string offsets)
    {
        var e = Malformed("offsets", Build($"{{\"w\":{{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{offsets}}}}}", F32(1f)));
        Assert.Contains("tensor 'w' has data_offsets ", e.Message);
        Assert.Contains("expected [begin, end], two non-negative integers", e.Message);
    }

    [Fact]
    public void DataOffsetsEndBeforeBegin()
    {
        var e = Malformed("reversed", Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", F32(1f, 2f)));
        Assert.Contains("tensor 'w' has data_offsets [4, 0], which end before they begin", e.Message);
    }

    [Fact]
    public void DataOffsetsOutOfRange()
    {
        var e = Malformed("out-of-range", Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", F32(1f)));
        Assert.Contains("tensor 'w' has data_offsets [0, 8], past the end of the 4-byte data buffer; expected end <= 4", e.Message);
    }

    [Fact]
    public void ShapeDoesNotMatchByteLength()
    {
        var e = Malformed("length", Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", F32(1, 2, 3, 4, 5)));
        Assert.Contains(
            "tensor 'w' (F32, shape [2, 3]) has data_offsets [0, 20], 20 bytes; expected 24 bytes (6 elements x 4 bytes)", e.Message);
    }

    [Fact]
    public void OverlappingTensors()
    {
        const string Header =
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        var e = Malformed("overlap", Build(Header, F32(1, 2, 3)));
        Assert.Contains("tensors 'a' [0, 8] and 'b' [4, 12] overlap", e.Message);
    }

    [Fact]
    public void ZeroSizedTensorInsideAnother_Overlaps()
    {
        const string Header =
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}";
        var e = Malformed("overlap-empty", Build(Header, F32(1, 2)));
        Assert.Contains("tensors 'a' [0, 8] and 'z' [4, 4] overlap", e.Message);
    }

    [Fact]
    public void TwoTensorsOnTheSameBytes_Overlap()
    {
        const string Header =
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        var e = Malformed("alias", Build(Header, F32(1)));
        Assert.Contains("tensors 'a' [0, 4] and 'b' [0, 4] overlap", e.Message);
    }

    [Fact]
    public void GapBetweenTensors()
    {
        const string Header =
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        var e = Malformed("gap", Build(Header, F32(1, 2, 3)));
        Assert.Contains("bytes [4, 8) of the data buffer belong to no tensor (between 'a' and 'b')", e.Message);
    }

    [Fact]
    public void GapAtTheStart()
    {
        var e = Malformed("gap-start", Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", F32(1, 2)));
        Assert.Contains("bytes [0, 4) of the data buffer belong to no tensor (at the start of the data buffer)", e.Message);
    }

    [Fact]
    public void TrailingBytesAfterTheLastTensor()
    {
        var e = Malformed("trailing", Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", F32(1, 2)));
        Assert.Contains("the last 4 bytes of the 8-byte data buffer (from 4) belong to no tensor", e.Message);
    }

    [Fact]
    public void DataWithNoTensors()
    {
        var e = Malformed("no-tensors", Build("{}", F32(1)));
        Assert.Contains("the last 4 bytes of the 4-byte data buffer (from 0) belong to no tensor", e.Message);
    }

    [Fact]
    public void DuplicateTensorName()
    {
        const string Header =
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        var e = Malformed("duplicate", Build(Header, F32(1, 2)));
        Assert.Contains("tensor 'a' appears twice in the header", e.Message);
    }

    [Fact]
    public void DuplicateMetadata()
    {
        var twice = Malformed("metadata-twice", Build("{\"__metadata__\":{},\"__metadata__\":{}}"));
        Assert.Contains("'__metadata__' appears twice in the header", twice.Message);

        var key = Malformed("metadata-key", Build("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}"));
        Assert.Contains("metadata 'k' appears twice", key.Message);
    }

    [Fact]
    public void MetadataNotStrings()
    {
        var value = Malformed("metadata-value", Build("{\"__metadata__\":{\"epoch\":3}}"));
        Assert.Contains("metadata 'epoch' is a number (3); expected a string", value.Message);

        var shape = Malformed("metadata-array", Build("{\"__metadata__\":[\"a\"]}"));
        Assert.Contains("'__metadata__' is an array ([\"a\"]); expected an object of string keys and string values", shape.Message);
    }

    // ---------- helpers ----------

    /// <summary>
    /// Asserts the file is rejected with a <see cref="SafetensorsFormatException"/> naming it, through every
    /// entry point (path, span, non-seekable stream) with the same message.
    /// </summary>
    private SafetensorsFormatException Malformed(string name, byte[] bytes)
    {
        string path = Save(name, bytes);
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains($"'{path}'", e.Message);

        var fromSpan = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(bytes, "memory"));
        Assert.Equal("memory", fromSpan.FilePath);
        Assert.Equal(e.Message.Replace(path, "memory", StringComparison.Ordinal), fromSpan.Message);

        using var stream = new NonSeekableStream(bytes);
        var fromStream = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(stream, "memory"));
        Assert.Equal(fromSpan.Message, fromStream.Message);
        return e;
    }

    private string Save(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name + ".safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static int[] Bits(params float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
