using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using NetGen;
using Xunit;

namespace NetGen.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private const int ImageMagic = 0x00000803;
    private const int LabelMagic = 0x00000801;

    private readonly string _dir = Directory.CreateTempSubdirectory("netgen-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // ---------- reading images and labels ----------

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_RoundTripsPixelValuesScaledByOver255(bool gzip)
    {
        byte[] pixels = [0, 51, 255, 128, 1, 254, 7, 100, 200, 13, 0, 255];
        string path = Write("images", Idx3(2, 2, 3, pixels), gzip);

        IdxImages images = Idx.ReadImages(path);

        Assert.Equal(2, images.Count);
        Assert.Equal(2, images.Rows);
        Assert.Equal(3, images.Columns);
        Assert.Equal(pixels.Length, images.Pixels.Length);
        Assert.Equal(0f, images.Pixels[0]);
        Assert.Equal(0.2f, images.Pixels[1]);
        Assert.Equal(1f, images.Pixels[2]);
        for (int i = 0; i < pixels.Length; i++)
        {
            Assert.Equal(pixels[i] / 255f, images.Pixels[i]);
        }
    }

    [Fact]
    public void ReadImages_DivisorOneKeepsRawByteValues()
    {
        string path = Write("images", Idx3(1, 1, 3, [0, 51, 255]), gzip: false);
        Assert.Equal([0f, 51f, 255f], Idx.ReadImages(path, divisor: 1f).Pixels);
    }

    [Fact]
    public void ReadImages_RejectsNonPositiveDivisor()
    {
        string path = Write("images", Idx3(1, 1, 1, [1]), gzip: false);
        Assert.Throws<ArgumentOutOfRangeException>(() => Idx.ReadImages(path, divisor: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Idx.ReadImages(path, divisor: float.NaN));
    }

    [Fact]
    public void ReadLabels_RoundTripsEveryByteValue()
    {
        byte[] labels = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        string path = Write("labels", Idx1(labels), gzip: false);
        Assert.Equal(Enumerable.Range(0, 256), Idx.ReadLabels(path));
    }

    [Fact]
    public void GzipAndRawGiveIdenticalResults_GzipDetectedByMagicNotName()
    {
        var random = new Random(7);
        byte[] pixels = new byte[5 * 4 * 6];
        random.NextBytes(pixels);
        byte[] labels = [3, 1, 4, 1, 5];
        byte[] images = Idx3(5, 4, 6, pixels);

        // Gzipped content under a raw name, and raw content under a .gz name: the magic bytes decide.
        IdxImages raw = Idx.ReadImages(Write("raw.gz", images, gzip: false));
        IdxImages gz = Idx.ReadImages(Write("gz-without-extension", images, gzip: true));
        Assert.Equal((raw.Count, raw.Rows, raw.Columns), (gz.Count, gz.Rows, gz.Columns));
        Assert.Equal(raw.Pixels, gz.Pixels);

        Assert.Equal(
            Idx.ReadLabels(Write("labels-raw", Idx1(labels), gzip: false)),
            Idx.ReadLabels(Write("labels-gz", Idx1(labels), gzip: true)));
    }

    [Fact]
    public void MissingFile_ThrowsFileNotFoundNamingThePath()
    {
        string path = Path.Combine(_dir, "nope-idx3-ubyte");
        var e = Assert.Throws<FileNotFoundException>(() => Idx.ReadImages(path));
        Assert.Contains("nope-idx3-ubyte", e.Message);
    }

    // ---------- malformed files ----------

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WrongMagic_LabelFileReadAsImages_NamesExpectedAndFound(bool gzip)
    {
        string path = Write("labels-as-images", Idx1([1, 2, 3]), gzip);
        var e = Assert.Throws<IdxFormatException>(() => Idx.ReadImages(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("labels-as-images", e.Message);
        Assert.Contains("0x00000803", e.Message);
        Assert.Contains("0x00000801", e.Message);
        Assert.Contains("1 dimension", e.Message);
    }

    [Fact]
    public void WrongMagic_ImageFileReadAsLabels()
    {
        string path = Write("images-as-labels", Idx3(1, 1, 1, [9]), gzip: false);
        var e = Assert.Throws<IdxFormatException>(() => Idx.ReadLabels(path));
        Assert.Contains("images-as-labels", e.Message);
        Assert.Contains("expected magic number 0x00000801", e.Message);
        Assert.Contains("found 0x00000803", e.Message);
    }

    [Fact]
    public void WrongMagic_FloatDataType_NamesTheType()
    {
        byte[] file = Idx3(1, 1, 1, [0, 0, 0, 0]);
        file[2] = 0x0D; // 32-bit float
        string path = Write("floats", file, gzip: false);
        var e = Assert.Throws<IdxFormatException>(() => Idx.ReadImages(path));
        Assert.Contains("0x00000D03", e.Message);
        Assert.Contains("32-bit float", e.Message);
    }

    [Fact]
    public void NotAnIdxFile_SaysSo()
    {
        string path = Write("text.txt", "hello, world, this is text"u8.ToArray(), gzip: false);
        var e = Assert.Throws<IdxFormatException>(() => Idx.ReadImages(path));
        Assert.Contains("text.txt", e.Message);
        Assert.Contains("not an IDX file", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedImageData_SaysExpectedAndFoundByteCounts(bool gzip)
    {
        byte[] full = Idx3(2, 3, 3, new byte[18]);
        string path = Write("short-images", full[..^8], gzip); // 10 of 18 data bytes
        var e = Assert.Throws<IdxFormatException>(() => Idx.ReadImages(path));
        Assert.Contains("short-images", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("= 18 bytes", e.Message);
        Assert.Contains("found 10", e.Message);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 3)]
    [InlineData(false, 10)]
    [InlineData(true, 10)]
    public void TruncatedHeader_SaysExpectedAndFound(bool gzip, int length)
    {
        string path = Write("short-header", Idx3(2, 3, 3, new byte[18])[..length], gzip);
        var e = Assert.Throws<IdxFormatException>(() => Idx.ReadImages(path));
        Assert.Contains("short-header", e.Message);
        Assert.Contains("expected 16 bytes", e.Message);
        Assert.Contains($"found {length}", e.Message);
    }

    [Fact]
    public void ZeroDimension_NamesIt()
    {
        string path = Write("zero-rows", Idx3(2, 0, 3, []), gzip: false);
        var e = Assert.Throws<IdxFormatException>(() => Idx.ReadImages(path));
        Assert.Contains("zero-rows", e.Message);
        Assert.Contains("dimension 1 (rows) as 0", e.Message);
    }

    [Theory]
    [InlineData(false, 1u << 30)] // 2^30 x 28 x 28: beyond any array
    [InlineData(true, 1u << 30)]
    [InlineData(false, uint.MaxValue)] // 32-bit dimension that reads as negative in a signed int
    [InlineData(false, 1u << 21)] // 1.6 GB: would fit an array, but the file holds 10 bytes
    [InlineData(true, 1u << 21)]
    public void OversizedDimensions_FailFastWithoutAllocating(bool gzip, uint count)
    {
        byte[] header = Idx3(1, 28, 28, []);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), count);
        string path = Write("huge", [.. header, .. new byte[10]], gzip);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<IdxFormatException>(() => Idx.ReadImages(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("huge", e.Message);
        Assert.Contains($"{count} x 28 x 28", e.Message);
        Assert.True(allocated < 8 << 20, $"allocated {allocated} bytes before failing");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrailingBytes_AreAnError(bool gzip)
    {
        string path = Write("long-labels", [.. Idx1([1, 2, 3]), 4, 5], gzip);
        var e = Assert.Throws<IdxFormatException>(() => Idx.ReadLabels(path));
        Assert.Contains("long-labels", e.Message);
        Assert.Contains("2 trailing bytes", e.Message);
        Assert.Contains("= 3 bytes", e.Message);
    }

    [Fact]
    public void CorruptGzip_IsAnIdxFormatException()
    {
        byte[] gz = Gzip(Idx3(2, 3, 3, new byte[18]));
        gz.AsSpan(10, 6).Fill(0xFF); // wreck the deflate stream after the gzip header
        string path = Write("corrupt.gz", gz, gzip: false);
        var e = Assert.Throws<IdxFormatException>(() => Idx.ReadImages(path));
        Assert.Contains("corrupt.gz", e.Message);
        Assert.Contains("gzip", e.Message);
    }

    // ---------- folders ----------

    [Fact]
    public void LoadFolder_ReadsMnistLayoutInAnyNamingAndCompression()
    {
        string folder = Folder("mnist");
        Write(folder, "train-images-idx3-ubyte.gz", Idx3(3, 2, 2, [0, 255, 51, 0, 1, 2, 3, 4, 5, 6, 7, 8]), gzip: true);
        Write(folder, "train-labels-idx1-ubyte", Idx1([0, 9, 4]), gzip: false);
        Write(folder, "t10k-images.idx3-ubyte", Idx3(1, 2, 2, [10, 20, 30, 40]), gzip: false);
        Write(folder, "t10k-labels.idx1-ubyte.gz", Idx1([7]), gzip: true);

        (Dataset train, Dataset test) = Idx.LoadFolder(folder);

        Assert.Equal(3, train.Count);
        Assert.Equal(1, test.Count);
        Assert.Equal([1, 2, 2], train.SampleShape);
        Assert.Equal([1, 2, 2], test.SampleShape);
        Assert.Equal(10, train.ClassCount);
        Assert.Equal(10, test.ClassCount);
        Assert.Null(train.ClassNames);
        Assert.Equal([0, 9, 4], train.Labels);
        Assert.Equal([7], test.Labels);
        Assert.Equal([0f, 1f, 0.2f, 0f], train.Sample(0).ToArray());
        Assert.Equal(40 / 255f, test.Features[3]);
    }

    [Fact]
    public void LoadFolder_ClassCountIsTenForSmallLabelsAndMaxPlusOneBeyond()
    {
        string small = WriteFolder(Folder("small"), [0, 1], [1]);
        Assert.Equal(10, Idx.LoadFolder(small).Train.ClassCount);

        string large = WriteFolder(Folder("large"), [0, 1], [12]);
        (Dataset train, Dataset test) = Idx.LoadFolder(large);
        Assert.Equal(13, train.ClassCount);
        Assert.Equal(13, test.ClassCount);
    }

    [Fact]
    public void LoadFolder_FashionFolderGetsItsClassNames()
    {
        string folder = WriteFolder(Folder("Fashion-MNIST"), [0, 9], [3]);
        (Dataset train, Dataset test) = Idx.LoadFolder(folder + Path.DirectorySeparatorChar);
        Assert.Equal(
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
            train.ClassNames);
        Assert.Same(train.ClassNames, test.ClassNames);
    }

    [Fact]
    public void LoadFolder_UsesGivenClassNamesAndChecksLabelsAgainstThem()
    {
        string folder = WriteFolder(Folder("digits"), [0, 2], [1]);
        Assert.Equal(["a", "b", "c"], Idx.LoadFolder(folder, ["a", "b", "c"]).Train.ClassNames);
        Assert.Equal(3, Idx.LoadFolder(folder, ["a", "b", "c"]).Test.ClassCount);

        var e = Assert.Throws<ArgumentException>(() => Idx.LoadFolder(folder, ["a", "b"]));
        Assert.Equal("classNames", e.ParamName);
        Assert.Contains("train-labels-idx1-ubyte", e.Message);
    }

    [Fact]
    public void LoadFolder_LabelAndImageCountMismatch_NamesBothFiles()
    {
        string folder = WriteFolder(Folder("mismatch"), [0, 1], [1]);
        Write(folder, "t10k-labels-idx1-ubyte", Idx1([1, 2]), gzip: false);

        var e = Assert.Throws<IdxFormatException>(() => Idx.LoadFolder(folder));
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Contains("2 labels", e.Message);
        Assert.Contains("1 images", e.Message);
    }

    [Fact]
    public void LoadFolder_MissingFile_NamesFolderAndTheNamesTried()
    {
        string folder = WriteFolder(Folder("incomplete"), [0, 1], [1]);
        File.Delete(Path.Combine(folder, "t10k-images-idx3-ubyte"));

        var e = Assert.Throws<FileNotFoundException>(() => Idx.LoadFolder(folder));
        Assert.Contains(folder, e.Message);
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Contains("t10k-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("t10k-images.idx3-ubyte", e.Message);
    }

    [Fact]
    public void LoadFolder_MissingFolder_Throws()
    {
        string folder = Path.Combine(_dir, "does-not-exist");
        var e = Assert.Throws<DirectoryNotFoundException>(() => Idx.LoadFolder(folder));
        Assert.Contains(folder, e.Message);
    }

    [Fact]
    public void LoadFolder_MalformedFile_PropagatesIdxFormatException()
    {
        string folder = WriteFolder(Folder("bad"), [0, 1], [1]);
        Write(folder, "train-images-idx3-ubyte", Idx3(2, 2, 2, new byte[7]), gzip: false);
        var e = Assert.Throws<IdxFormatException>(() => Idx.LoadFolder(folder));
        Assert.Equal(Path.Combine(folder, "train-images-idx3-ubyte"), e.FilePath);
    }

    // ---------- the data that ships ----------

    [Fact]
    public void LoadFolder_ShippedMnist10k()
    {
        (Dataset train, Dataset test) = Idx.LoadFolder(Path.Combine(AppContext.BaseDirectory, "data", "mnist-10k"));

        Assert.Equal(8000, train.Count);
        Assert.Equal(2000, test.Count);
        Assert.Equal([1, 28, 28], train.SampleShape);
        Assert.Equal([1, 28, 28], test.SampleShape);
        Assert.Equal(10, train.ClassCount);
        Assert.Null(train.ClassNames);

        // Figures checked independently with Python's gzip + struct modules on samples/data/mnist-10k:
        // train label counts 812 925 799 831 769 693 783 856 753 779, test 189 202 192 201 211 170 231 214 191 199;
        // pixel bytes equal to 0: 5,071,291 train / 1,266,494 test; equal to 255: 39,403 train / 10,787 test;
        // first labels: train 8 9 4 7 1, test 6 6 8 1 7; byte sum of the first training image 28,100.
        Assert.Equal([812, 925, 799, 831, 769, 693, 783, 856, 753, 779], ClassCounts(train));
        Assert.Equal([189, 202, 192, 201, 211, 170, 231, 214, 191, 199], ClassCounts(test));
        Assert.Equal([8, 9, 4, 7, 1], train.Labels[..5]);
        Assert.Equal([6, 6, 8, 1, 7], test.Labels[..5]);
        Assert.All(train.Features, v => Assert.InRange(v, 0f, 1f));
        Assert.All(test.Features, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(5_071_291, train.Features.Count(v => v == 0f));
        Assert.Equal(39_403, train.Features.Count(v => v == 1f));
        Assert.Equal(1_266_494, test.Features.Count(v => v == 0f));
        Assert.Equal(10_787, test.Features.Count(v => v == 1f));
        Assert.Equal(28_100, Math.Round(Sum(train.Sample(0)) * 255));
    }

    // ---------- helpers ----------

    private static int[] ClassCounts(Dataset data)
    {
        int[] counts = new int[data.ClassCount];
        foreach (int label in data.Labels)
        {
            counts[label]++;
        }

        return counts;
    }

    private static double Sum(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values)
        {
            sum += v;
        }

        return sum;
    }

    private static byte[] Idx3(uint count, uint rows, uint columns, byte[] data) =>
        [.. Header(ImageMagic, [count, rows, columns]), .. data];

    private static byte[] Idx1(byte[] labels) => [.. Header(LabelMagic, [(uint)labels.Length]), .. labels];

    private static byte[] Header(int magic, uint[] dimensions)
    {
        byte[] header = new byte[4 + (4 * dimensions.Length)];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (int i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + (4 * i)), dimensions[i]);
        }

        return header;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;

    private string Write(string name, byte[] content, bool gzip) => Write(_dir, name, content, gzip);

    private static string Write(string folder, string name, byte[] content, bool gzip)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, gzip ? Gzip(content) : content);
        return path;
    }

    /// <summary>Writes a complete raw MNIST-layout folder of 1 x 1 images with the given labels.</summary>
    private static string WriteFolder(string folder, byte[] trainLabels, byte[] testLabels)
    {
        Write(folder, "train-images-idx3-ubyte", Idx3((uint)trainLabels.Length, 1, 1, new byte[trainLabels.Length]), gzip: false);
        Write(folder, "train-labels-idx1-ubyte", Idx1(trainLabels), gzip: false);
        Write(folder, "t10k-images-idx3-ubyte", Idx3((uint)testLabels.Length, 1, 1, new byte[testLabels.Length]), gzip: false);
        Write(folder, "t10k-labels-idx1-ubyte", Idx1(testLabels), gzip: false);
        return folder;
    }
}
