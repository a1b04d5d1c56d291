using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using NetGen;
using Xunit;

namespace NetGen.Tests.Checkpoints;

public sealed class SafetensorsWriteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netgen-safetensors-write-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WriterOutput_ParsedByHand()
    {
        string path = Path.Combine(_dir, "by-hand.safetensors");
        SafetensorsFile.Write(
            path,
            [
                SafetensorsTensor.F32("b.weight", [2, 1], [1.5f, -2f]),
                SafetensorsTensor.I64("a.count", [], [7]),
                SafetensorsTensor.F32("c", [3], [0.25f, 0f, 3f]),
            ],
            new Dictionary<string, string> { ["epoch"] = "12" });

        byte[] bytes = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8);
        Assert.Equal(8 + (int)headerLength + 8 + 8 + 12, bytes.Length);

        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        string json = header.TrimEnd(' ');
        Assert.True(header.Length - json.Length < 8, "padding is less than 8 spaces");
        Assert.Equal(
            "{\"__metadata__\":{\"epoch\":\"12\"}," +
            "\"b.weight\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]}," +
            "\"a.count\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}," +
            "\"c\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[16,28]}}",
            json);

        byte[] data = bytes[(8 + (int)headerLength)..];
        byte[] expected =
        [
            .. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(-2f),
            .. BitConverter.GetBytes(7L),
            .. BitConverter.GetBytes(0.25f), .. BitConverter.GetBytes(0f), .. BitConverter.GetBytes(3f),
        ];
        Assert.True(BitConverter.IsLittleEndian, "the expected bytes above assume a little-endian machine");
        Assert.Equal(expected, data);
    }

    [Fact]
    public void NoMetadata_WritesNoMetadataEntry()
    {
        string path = Path.Combine(_dir, "plain.safetensors");
        SafetensorsFile.Write(path, [SafetensorsTensor.F32("x", [1], [1f])]);
        byte[] bytes = File.ReadAllBytes(path);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Equal("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", header.TrimEnd(' '));
    }

    [Fact]
    public void RoundTrip_IsBitExact_WithMetadataAndOrder()
    {
        var rng = new Rng(11);
        float[] big = new float[70_000]; // more than one of the writer's 64 KiB chunks
        for (int i = 0; i < big.Length; i++)
        {
            big[i] = rng.NextGaussian();
        }

        float[] special =
        [
            float.NaN, BitConverter.Int32BitsToSingle(0x7FC0BEEF), -0f, float.Epsilon, float.MaxValue,
            float.NegativeInfinity, 1e-40f,
        ];
        var metadata = new Dictionary<string, string>
        {
            ["quote\"and\\slash"] = "line\nbreak",
            ["unicode"] = "αβγ – ünïcødé 🙂",
            ["empty"] = "",
        };
        SafetensorsTensor[] tensors =
        [
            SafetensorsTensor.F32("z.big", [7, 10_000], big),
            SafetensorsTensor.F32("special", [special.Length], special),
            SafetensorsTensor.I64("steps", [3], [long.MinValue, 0, long.MaxValue]),
            SafetensorsTensor.F32("empty", [0, 5], []),
            SafetensorsTensor.F32("scalar", [], [42f]),
        ];
        string path = Path.Combine(_dir, "round-trip.safetensors");

        SafetensorsFile.Write(path, tensors, metadata);
        SafetensorsFile file = SafetensorsFile.Read(path);

        Assert.Equal(metadata, file.Metadata);
        Assert.Equal(tensors.Select(t => t.Name), file.Tensors.Select(t => t.Name));
        for (int i = 0; i < tensors.Length; i++)
        {
            Assert.Equal(tensors[i].DType, file.Tensors[i].DType);
            Assert.Equal(tensors[i].Shape, file.Tensors[i].Shape);
            Assert.Equal(Bits(tensors[i].Data), Bits(file.Tensors[i].Data));
            Assert.Equal(tensors[i].Int64Data, file.Tensors[i].Int64Data);
        }
    }

    [Fact]
    public void TensorsReadAsHalf_AreWrittenAsF32()
    {
        byte[] half = SafetensorsBytes.Build(
            "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", SafetensorsBytes.U16(0x3C00, 0xC000));
        string path = Path.Combine(_dir, "widened.safetensors");

        SafetensorsFile.Write(path, SafetensorsFile.Read(half, "half").Tensors);
        SafetensorsTensor t = SafetensorsFile.Read(path).Tensors[0];

        Assert.Equal(SafetensorsDType.F32, t.DType);
        Assert.Equal([1f, -2f], t.Data);
    }

    [Fact]
    public void NoTensors_IsAValidFile()
    {
        string path = Path.Combine(_dir, "nothing.safetensors");
        SafetensorsFile.Write(path, []);
        Assert.Equal(16, new FileInfo(path).Length); // length + "{}" padded to 8
        Assert.Empty(SafetensorsFile.Read(path).Tensors);
    }

    [Fact]
    public void Overwrite_ReplacesTheFile()
    {
        string path = Path.Combine(_dir, "twice.safetensors");
        SafetensorsFile.Write(path, [SafetensorsTensor.F32("old", [4], [1, 2, 3, 4])]);
        SafetensorsFile.Write(path, [SafetensorsTensor.F32("new", [1], [5])]);

        SafetensorsFile file = SafetensorsFile.Read(path);
        Assert.Equal(["new"], file.Tensors.Select(t => t.Name));
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void FailingEnumerable_LeavesTheOldFileIntactAndNoTemporaryFile()
    {
        string path = Path.Combine(_dir, "atomic.safetensors");
        SafetensorsFile.Write(path, [SafetensorsTensor.F32("kept", [2], [1, 2])]);
        byte[] before = File.ReadAllBytes(path);

        var e = Assert.Throws<InvalidOperationException>(() => SafetensorsFile.Write(path, FailAfterOne()));

        Assert.Equal("disk on fire", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(_dir).Select(Path.GetFileName));

        static IEnumerable<SafetensorsTensor> FailAfterOne()
        {
            yield return SafetensorsTensor.F32("first", [1], [1]);
            throw new InvalidOperationException("disk on fire");
        }
    }

    [Fact]
    public void FailingRename_DeletesTheTemporaryFile()
    {
        // The target is a folder: the data is written, then the rename over the target fails.
        string target = Directory.CreateDirectory(Path.Combine(_dir, "occupied")).FullName;

        Exception e = Record.Exception(() => SafetensorsFile.Write(target, [SafetensorsTensor.F32("x", [1], [1])]));

        Assert.True(e is IOException or UnauthorizedAccessException, $"unexpected {e?.GetType()}");
        Assert.Empty(Directory.GetFiles(_dir));
        Assert.True(Directory.Exists(target));
    }

    [Fact]
    public void MissingFolder_ThrowsAndCreatesNothing()
    {
        string path = Path.Combine(_dir, "no-such-folder", "x.safetensors");
        var error = Assert.Throws<DirectoryNotFoundException>(() => SafetensorsFile.Write(path, [SafetensorsTensor.F32("x", [1], [1])]));
        Assert.Contains($"'{path}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void BadArguments_ThrowBeforeTouchingTheFileSystem()
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        SafetensorsTensor x = SafetensorsTensor.F32("x", [1], [1]);

        var duplicate = Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, [x, SafetensorsTensor.F32("x", [2], [1, 2])]));
        Assert.Contains("Two tensors are named 'x'", duplicate.Message);

        var reserved = Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, [SafetensorsTensor.F32("__metadata__", [1], [1])]));
        Assert.Contains("__metadata__", reserved.Message);

        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, [x, null!]));
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, [x], new Dictionary<string, string> { ["k"] = null! }));
        Assert.Throws<ArgumentNullException>(() => SafetensorsFile.Write(path, null!));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void TensorConstructors_CheckShapeAgainstData()
    {
        var length = Assert.Throws<ArgumentException>(() => SafetensorsTensor.F32("w", [2, 3], new float[5]));
        Assert.Contains("Tensor 'w' has shape [2, 3] (6 elements) but 5 values", length.Message);

        var negative = Assert.Throws<ArgumentException>(() => SafetensorsTensor.I64("n", [-1], []));
        Assert.Contains("Tensor 'n' has shape [-1]; expected no negative dimension", negative.Message);

        Assert.Throws<ArgumentException>(() => SafetensorsTensor.F32("s", [], []));
        Assert.Throws<ArgumentException>(() => SafetensorsTensor.F32("o", [65536, 65536], []));
        Assert.Throws<ArgumentNullException>(() => SafetensorsTensor.F32(null!, [1], [1]));

        float[] data = [1, 2];
        Assert.Same(data, SafetensorsTensor.F32("shared", [2], data).Data);
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
