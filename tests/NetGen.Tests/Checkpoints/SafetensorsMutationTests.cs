using System;
using System.Buffers.Binary;
using System.IO;
using System.Text.Json;
using NetGen;
using NetGen.Tests.Fuzzing;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Checkpoints;

/// <summary>
/// The safetensors reader on thousands of damaged real files (the LeNet-5 checkpoint the samples ship and a
/// BatchNorm checkpoint written by <see cref="Checkpoint.Save"/>), through the span reader and the stream reader
/// (seekable and not). Every outcome is a read whose tensors are exactly the bytes the header points at, the same
/// from all three, or <see cref="SafetensorsFormatException"/> from all three; never another exception, never
/// slowly, and never allocating far beyond the file's size.
/// </summary>
public sealed class SafetensorsMutationTests(ITestOutputHelper output)
{
    private const string Source = "damaged.safetensors";

    /// <summary>
    /// Per read: the tensors (at most 2 floats per file byte, for F16 and BF16), the header's copy and JSON
    /// document, a non-seekable stream's growing copy (under 4 bytes per file byte), and a fixed overhead.
    /// </summary>
    private const long BytesPerFileByte = 8;

    private const long Overhead = 256 << 10;

    [Fact]
    public void DamagedLeNet5Checkpoint_ReadsExactlyOrThrowsFormatException() =>
        Run(SafetensorsMutator.LeNet5(), cases: 400, seed: 11, "lenet5.safetensors");

    [Fact]
    public void DamagedBatchNormCheckpoint_ReadsExactlyOrThrowsFormatException()
    {
        string path = Path.Combine(Path.GetTempPath(), $"netgen-mutation-{Guid.NewGuid():N}.safetensors");
        try
        {
            Checkpoint.Save(new BatchNormTestNetwork(seed: 5), path, new System.Collections.Generic.Dictionary<string, string> { ["epoch"] = "3" });
            Run(File.ReadAllBytes(path), cases: 3000, seed: 12, "a BatchNorm checkpoint");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private void Run(byte[] valid, int cases, ulong seed, string what)
    {
        Assert.True(Check(valid, -1), $"{what} itself does not read");
        var rng = new Rng(seed);
        int read = 0, rejected = 0;
        for (int iteration = 0; iteration < cases; iteration++)
        {
            if (Check(SafetensorsMutator.Mutate(valid, ref rng), iteration))
            {
                read++;
            }
            else
            {
                rejected++;
            }
        }

        output.WriteLine($"{what}: {read} damaged files read, {rejected} rejected");
        Assert.True(read >= cases / 50, $"only {read} mutations were readable; the mutator should also produce valid files");
        Assert.True(rejected >= cases / 2, $"only {rejected} mutations were rejected");
    }

    /// <summary>Reads <paramref name="bytes"/> three ways; true when they read (identically and exactly), false when all three rejected it.</summary>
    private static bool Check(byte[] bytes, int iteration)
    {
        string context = $"iteration {iteration}: file {Convert.ToHexString(bytes, 0, Math.Min(bytes.Length, 96))}... ({bytes.Length} bytes)";
        long bound = Overhead + (BytesPerFileByte * bytes.Length);
        SafetensorsFile? span = Read(() => SafetensorsFile.Read(bytes, Source), bound, context);
        SafetensorsFile? seekable = Read(() => SafetensorsFile.Read(new MemoryStream(bytes, writable: false), Source), bound, context);
        SafetensorsFile? forward = Read(() => SafetensorsFile.Read(new NonSeekableStream(bytes), Source), bound, context);
        Assert.True((span is null) == (seekable is null) && (span is null) == (forward is null),
            $"{context}: span {(span is null ? "rejected" : "read")}, seekable stream {(seekable is null ? "rejected" : "read")}, " +
            $"non-seekable stream {(forward is null ? "rejected" : "read")}");
        if (span is null)
        {
            return false;
        }

        MatchesHeader(bytes, span, context);
        MatchesHeader(bytes, seekable!, context);
        MatchesHeader(bytes, forward!, context);
        return true;
    }

    private static SafetensorsFile? Read(Func<SafetensorsFile> read, long bound, string context) =>
        BoundedRead.Run<SafetensorsFile, SafetensorsFormatException>(read, Source, "the source", bound, context);

    /// <summary>
    /// Checks a successful read against the file, decoded here independently: the header's tensors in order, each
    /// with its dtype and shape, and every value equal to the bytes at its data offsets.
    /// </summary>
    private static void MatchesHeader(byte[] bytes, SafetensorsFile file, string context)
    {
        int dataStart = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using JsonDocument header = JsonDocument.Parse(bytes.AsMemory(8, dataStart - 8));
        int index = 0;
        foreach (JsonProperty entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                continue;
            }

            Assert.True(index < file.Tensors.Count, $"{context}: the header has more tensors than were read");
            SafetensorsTensor t = file.Tensors[index++];
            Assert.Equal(entry.Name, t.Name);
            Assert.Equal(entry.Value.GetProperty("dtype").GetString(), t.DType.ToString());
            int[] shape = [.. System.Linq.Enumerable.Select(entry.Value.GetProperty("shape").EnumerateArray(), d => d.GetInt32())];
            Assert.Equal(shape, t.Shape);
            long begin = entry.Value.GetProperty("data_offsets")[0].GetInt64();
            long end = entry.Value.GetProperty("data_offsets")[1].GetInt64();
            ReadOnlySpan<byte> data = bytes.AsSpan((int)(dataStart + begin), (int)(end - begin));
            Assert.Equal(data.Length, t.ElementCount * Size(t.DType));
            for (int i = 0; i < t.ElementCount; i++)
            {
                if (!SameValue(t, i, data))
                {
                    Assert.Fail($"{context}: tensor '{t.Name}' element {i} does not match its bytes");
                }
            }
        }

        Assert.Equal(index, file.Tensors.Count);
    }

    private static bool SameValue(SafetensorsTensor t, int i, ReadOnlySpan<byte> data) => t.DType switch
    {
        SafetensorsDType.F32 => BitConverter.SingleToInt32Bits(t.Data[i]) == BinaryPrimitives.ReadInt32LittleEndian(data[(4 * i)..]),
        SafetensorsDType.F64 => Same(t.Data[i], (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(8 * i)..])),
        SafetensorsDType.F16 => Same(t.Data[i], (float)BinaryPrimitives.ReadHalfLittleEndian(data[(2 * i)..])),
        SafetensorsDType.BF16 => BitConverter.SingleToInt32Bits(t.Data[i]) == BinaryPrimitives.ReadUInt16LittleEndian(data[(2 * i)..]) << 16,
        _ => t.Int64Data![i] == BinaryPrimitives.ReadInt64LittleEndian(data[(8 * i)..]),
    };

    private static bool Same(float a, float b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b) || (float.IsNaN(a) && float.IsNaN(b));

    private static int Size(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => 4,
        SafetensorsDType.F16 or SafetensorsDType.BF16 => 2,
        _ => 8,
    };
}
