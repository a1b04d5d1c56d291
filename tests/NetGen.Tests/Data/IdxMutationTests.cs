using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using NetGen;
using NetGen.Tests.Fuzzing;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Data;

/// <summary>
/// The IDX reader on thousands of damaged files made from the real MNIST test set (a slice of it, raw and gzip):
/// truncated, bit-flipped, byte-replaced, extended and header-edited (dimensions set to 0, off by one, huge),
/// before or after compression. Every read must either succeed with exactly the data an independent check of the
/// file finds, or throw <see cref="IdxFormatException"/> naming the file; never another exception, never slowly,
/// and never allocating far beyond what the file really holds.
/// </summary>
public sealed class IdxMutationTests(ITestOutputHelper output) : IDisposable
{
    private const int CasesPerFile = 600;
    private const int ImageCount = 16;
    private const int LabelCount = 64;

    /// <summary>What any read may allocate besides its data: file and gzip buffers, the exception and its message.</summary>
    private const long Overhead = 256 << 10;

    /// <summary>The gzip path's first buffer (Idx.GzipInitialBuffer): allocated before any data arrives.</summary>
    private const long GzipFirstBuffer = 1 << 20;

    private readonly string _dir = Directory.CreateTempSubdirectory("netgen-idx-mutations-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("t10k-images-idx3-ubyte.gz", 16 + (ImageCount * 28 * 28), false, 1)]
    [InlineData("t10k-images-idx3-ubyte.gz", 16 + (ImageCount * 28 * 28), true, 2)]
    [InlineData("t10k-labels-idx1-ubyte.gz", 8 + LabelCount, false, 3)]
    [InlineData("t10k-labels-idx1-ubyte.gz", 8 + LabelCount, true, 4)]
    public void DamagedRealFiles_ReadExactlyOrThrowIdxFormatException(string file, int sliceLength, bool gzip, ulong seed)
    {
        byte[] plain = RealSlice(file, sliceLength);
        Assert.Equal(Oracle.Valid, Check(plain, gzip ? Gzip(plain) : plain, iteration: -1));

        var rng = new Rng(seed);
        int read = 0, rejected = 0;
        for (int iteration = 0; iteration < CasesPerFile; iteration++)
        {
            byte[] bytes;
            if (gzip && rng.NextInt(2) == 0)
            {
                bytes = Gzip(Mutate(plain, ref rng)); // a well-formed gzip stream of a damaged IDX file
            }
            else
            {
                bytes = Mutate(gzip ? Gzip(plain) : plain, ref rng);
            }

            if (Check(plain, bytes, iteration) == Oracle.Valid)
            {
                read++;
            }
            else
            {
                rejected++;
            }
        }

        output.WriteLine($"{file} ({(gzip ? "gzip" : "raw")}): {read} damaged files read, {rejected} rejected");
        Assert.True(read >= 20, $"only {read} mutations were readable; the mutator should also produce valid files");
        Assert.True(rejected >= CasesPerFile / 2, $"only {rejected} mutations were rejected");
    }

    private enum Oracle
    {
        Valid,
        Invalid,
    }

    /// <summary>
    /// Reads <paramref name="bytes"/> as images and as labels, checks each outcome against an independent
    /// decoding of the file, and returns whether the kind of <paramref name="original"/> read.
    /// </summary>
    private Oracle Check(byte[] original, byte[] bytes, int iteration)
    {
        string path = Path.Combine(_dir, "damaged");
        File.WriteAllBytes(path, bytes);
        bool isGzip = bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B;
        byte[]? content = isGzip ? IdxDecoding.TryGunzip(bytes) : bytes;
        long bound = Overhead + (isGzip ? GzipFirstBuffer + (7L * (content?.Length ?? IdxDecoding.DecompressedLength(bytes))) : 5L * bytes.Length);
        string context = $"iteration {iteration}: file {Convert.ToHexString(bytes, 0, Math.Min(bytes.Length, 64))}... ({bytes.Length} bytes)";

        IdxImages? images = Read(() => Idx.ReadImages(path), path, bound, context);
        Verify(content is null ? null : IdxDecoding.Dimensions(content, rank: 3), content, images?.Pixels,
            images is null ? null : [images.Count, images.Rows, images.Columns], 255f, context);

        int[]? labels = Read(() => Idx.ReadLabels(path), path, bound, context);
        Verify(content is null ? null : IdxDecoding.Dimensions(content, rank: 1), content,
            labels is null ? null : Array.ConvertAll(labels, l => (float)l), labels is null ? null : [labels.Length], 1f, context);

        bool originalIsImages = BinaryPrimitives.ReadInt32BigEndian(original) == 0x803;
        return (originalIsImages ? images is null : labels is null) ? Oracle.Invalid : Oracle.Valid;
    }

    /// <summary>The result, or null for an <see cref="IdxFormatException"/> naming the file; within the time and allocation bounds.</summary>
    private static T? Read<T>(Func<T> read, string path, long bound, string context)
        where T : class =>
        BoundedRead.Run<T, IdxFormatException>(read, path, "the file", bound, context);

    /// <summary>
    /// A successful read must match the independent decoding exactly (dimensions and every value); a rejected read
    /// must be of a file the decoding also finds malformed.
    /// </summary>
    private static void Verify(int[]? expected, byte[]? content, float[]? values, int[]? dimensions, float divisor, string context)
    {
        if (expected is null)
        {
            Assert.True(values is null, $"{context}: the reader accepted a malformed file");
            return;
        }

        Assert.True(values is not null, $"{context}: the reader rejected a well-formed file of dimensions {string.Join(" x ", expected)}");
        Assert.Equal(expected, dimensions);
        int headerLength = 4 + (4 * expected.Length);
        Assert.Equal(content!.Length - headerLength, values!.Length);
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] != content[headerLength + i] / divisor)
            {
                Assert.Fail($"{context}: value {i} is {values[i]}; the file holds {content[headerLength + i]}");
            }
        }
    }

    /// <summary>What each draw of <see cref="Mutate"/> does; <see cref="Damage.Own"/> is <see cref="RewriteDimension"/>.</summary>
    private static readonly Damage[] Menu =
        [Damage.FlipBit, Damage.ReplaceByte, Damage.Truncate, Damage.Extend, Damage.Own, Damage.Own, Damage.Own];

    /// <summary>Truncations, bit flips, replaced bytes, extensions and header edits; one to three of them.</summary>
    private static byte[] Mutate(byte[] valid, ref Rng rng)
    {
        byte[] bytes = (byte[])valid.Clone();
        int mutations = 1 + rng.NextInt(3);
        for (int m = 0; m < mutations && bytes.Length > 0; m++)
        {
            // Half of the mutations land in the first 16 bytes: the header (raw) or the gzip header and first block.
            int at = rng.NextInt(2) == 0 ? rng.NextInt(Math.Min(16, bytes.Length)) : rng.NextInt(bytes.Length);
            if (!ByteDamage.Apply(Menu[rng.NextInt(Menu.Length)], ref bytes, at, mostAppended: 64, ref rng))
            {
                RewriteDimension(bytes, ref rng);
            }
        }

        return bytes;
    }

    /// <summary>A dimension of the header (or of what would be one in a file of the other rank) rewritten.</summary>
    private static void RewriteDimension(byte[] bytes, ref Rng rng)
    {
        int dimension = 4 + (4 * rng.NextInt(3));
        if (bytes.Length >= dimension + 4)
        {
            uint current = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(dimension));
            uint[] choices = [0, 1, current - 1, current + 1, current * 2, 0x7FFFFFFF, 0xFFFFFFFF, 1u << 20, (uint)rng.NextUInt64()];
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(dimension), choices[rng.NextInt(choices.Length)]);
        }
    }

    /// <summary>The first <paramref name="length"/> bytes of a real file, with its count edited to fit.</summary>
    private static byte[] RealSlice(string file, int length)
    {
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "data", "mnist-10k", file)), CompressionMode.Decompress);
        byte[] slice = new byte[length];
        gzip.ReadExactly(slice);
        int rank = slice[3];
        int itemBytes = rank == 3 ? 28 * 28 : 1;
        BinaryPrimitives.WriteInt32BigEndian(slice.AsSpan(4), (length - 4 - (4 * rank)) / itemBytes);
        return slice;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }
}
