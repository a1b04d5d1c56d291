using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.IO.Compression;

namespace NetGen;

/// <summary>Images read from an IDX file: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/> pixels.</summary>
/// <param name="Pixels">Count × Rows × Columns values, image after image, row after row.</param>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Pixel rows per image.</param>
/// <param name="Columns">Pixel columns per image.</param>
public sealed record IdxImages(float[] Pixels, int Count, int Rows, int Columns);

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST (unsigned-byte images and labels), raw or gzip-compressed.
/// Gzip is recognised by its magic bytes, not by the file name. Every malformed file is an
/// <see cref="IdxFormatException"/> that names the file and says what was expected and what was found.
/// </summary>
public static class Idx
{
    /// <summary>The ten Fashion-MNIST class names, in label order.</summary>
    public static IReadOnlyList<string> FashionMnistClassNames { get; } = Array.AsReadOnly(
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);

    private const int UnsignedByteType = 0x08;

    // A gzip stream's decompressed length is unknown up front: the buffer starts at this size and doubles while
    // data keeps coming (never past what the header declares), so a lying header cannot make us allocate memory
    // for data that is not there.
    private const int GzipInitialBuffer = 1 << 20;

    private static readonly string[] ImageDimensionNames = ["count", "rows", "columns"];
    private static readonly string[] LabelDimensionNames = ["count"];

    /// <summary>Reads an IDX image file (magic 0x00000803: unsigned bytes, 3 dimensions), raw or gzip.</summary>
    /// <param name="path">The file, e.g. <c>train-images-idx3-ubyte</c> or <c>train-images-idx3-ubyte.gz</c>.</param>
    /// <param name="divisor">
    /// Each byte <c>b</c> becomes <c>b / divisor</c>. The default 255 maps 0..255 onto [0, 1] like torchvision's
    /// <c>ToTensor</c>; 1 keeps the raw values.
    /// </param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IdxFormatException">The file is not a well-formed IDX image file.</exception>
    public static IdxImages ReadImages(string path, float divisor = 255f)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!(divisor > 0f && float.IsFinite(divisor)))
        {
            throw new ArgumentOutOfRangeException(nameof(divisor), divisor, "The divisor must be a positive finite number.");
        }

        byte[] bytes = ReadUnsignedBytes(path, ImageDimensionNames, out int[] dimensions);
        Span<float> table = stackalloc float[256];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = i / divisor;
        }

        float[] pixels = new float[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            pixels[i] = table[bytes[i]];
        }

        return new IdxImages(pixels, dimensions[0], dimensions[1], dimensions[2]);
    }

    /// <summary>Reads an IDX label file (magic 0x00000801: unsigned bytes, 1 dimension), raw or gzip.</summary>
    /// <param name="path">The file, e.g. <c>train-labels-idx1-ubyte</c> or <c>train-labels-idx1-ubyte.gz</c>.</param>
    /// <returns>One label (0..255) per sample.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IdxFormatException">The file is not a well-formed IDX label file.</exception>
    public static int[] ReadLabels(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = ReadUnsignedBytes(path, LabelDimensionNames, out _);
        int[] labels = new int[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            labels[i] = bytes[i];
        }

        return labels;
    }

    /// <summary>
    /// Loads a folder laid out like MNIST: <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>,
    /// <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c>, each raw or with <c>.gz</c>, and each
    /// also accepted with a dot before <c>idx</c> (<c>train-images.idx3-ubyte</c>).
    /// </summary>
    /// <param name="folder">The folder holding the four files.</param>
    /// <param name="classNames">
    /// Names of the classes, one per class; the labels must be below their count. When omitted, the class count
    /// is 10 if every label is below 10 and the largest label + 1 otherwise, and a folder whose name contains
    /// "fashion" gets <see cref="FashionMnistClassNames"/>.
    /// </param>
    /// <returns>
    /// The training and test sets; samples have shape [1, rows, columns] with pixels scaled to [0, 1] (byte / 255).
    /// </returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the four files is missing; the message lists the names tried.</exception>
    /// <exception cref="IdxFormatException">A file is malformed, or an image file and its label file disagree.</exception>
    /// <exception cref="ArgumentException">A label is not below the number of <paramref name="classNames"/>.</exception>
    public static (Dataset Train, Dataset Test) LoadFolder(string folder, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The IDX data folder '{folder}' does not exist.");
        }

        (IdxImages Images, int[] Labels, string ImagesPath, string LabelsPath) train = ReadPair(folder, "train");
        (IdxImages Images, int[] Labels, string ImagesPath, string LabelsPath) test = ReadPair(folder, "t10k");
        if (test.Images.Rows != train.Images.Rows || test.Images.Columns != train.Images.Columns)
        {
            throw new IdxFormatException(
                test.ImagesPath,
                $"'{test.ImagesPath}' has {test.Images.Rows} x {test.Images.Columns} images but '{train.ImagesPath}' has " +
                $"{train.Images.Rows} x {train.Images.Columns}; expected the training and test images to have the same size.");
        }

        int trainMax = Max(train.Labels);
        int testMax = Max(test.Labels);
        int maxLabel = Math.Max(trainMax, testMax);
        int classCount;
        if (classNames is not null)
        {
            if (maxLabel >= classNames.Count)
            {
                string file = trainMax >= testMax ? train.LabelsPath : test.LabelsPath;
                throw new ArgumentException(
                    $"'{file}' has label {maxLabel}, but {classNames.Count} class names were given; expected labels below {classNames.Count}.",
                    nameof(classNames));
            }

            classCount = classNames.Count;
        }
        else
        {
            classCount = maxLabel < 10 ? 10 : maxLabel + 1;
            if (classCount == FashionMnistClassNames.Count && IsFashionFolder(folder))
            {
                classNames = FashionMnistClassNames;
            }
        }

        IReadOnlyList<int> shape = Array.AsReadOnly([1, train.Images.Rows, train.Images.Columns]);
        return (
            new Dataset(train.Images.Pixels, train.Labels, shape, classCount, classNames),
            new Dataset(test.Images.Pixels, test.Labels, shape, classCount, classNames));
    }

    private static (IdxImages Images, int[] Labels, string ImagesPath, string LabelsPath) ReadPair(string folder, string split)
    {
        string imagesPath = FindFile(folder, split + "-images", "idx3-ubyte");
        string labelsPath = FindFile(folder, split + "-labels", "idx1-ubyte");
        IdxImages images = ReadImages(imagesPath);
        int[] labels = ReadLabels(labelsPath);
        if (labels.Length != images.Count)
        {
            throw new IdxFormatException(
                labelsPath,
                $"'{labelsPath}' has {labels.Length} labels but '{imagesPath}' has {images.Count} images; expected one label per image.");
        }

        return (images, labels, imagesPath, labelsPath);
    }

    private static string FindFile(string folder, string stem, string kind)
    {
        string[] names = [$"{stem}-{kind}", $"{stem}-{kind}.gz", $"{stem}.{kind}", $"{stem}.{kind}.gz"];
        foreach (string name in names)
        {
            string path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(
            $"No {stem} file in '{folder}': tried {string.Join(", ", names)}.", Path.Combine(folder, names[0]));
    }

    private static bool IsFashionFolder(string folder) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)))
            .Contains("fashion", StringComparison.OrdinalIgnoreCase);

    private static int Max(int[] values)
    {
        int max = 0;
        foreach (int v in values)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    /// <summary>Reads an unsigned-byte IDX file with <paramref name="dimensionNames"/>.Length dimensions.</summary>
    private static byte[] ReadUnsignedBytes(string path, string[] dimensionNames, out int[] dimensions)
    {
        using FileStream file = File.OpenRead(path);
        bool gzip = IsGzip(file);
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return ReadBody(stream, gzip ? null : file.Length, path, dimensionNames, out dimensions);
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException(path, $"'{path}' starts like gzip (1F 8B) but is not a valid gzip stream: {e.Message}", e);
        }
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    private static byte[] ReadBody(Stream stream, long? fileLength, string path, string[] dimensionNames, out int[] dimensions)
    {
        int rank = dimensionNames.Length;
        int headerLength = 4 + (4 * rank);
        Span<byte> header = stackalloc byte[headerLength];
        int read = stream.ReadAtLeast(header[..4], 4, throwOnEndOfStream: false);
        if (read < 4)
        {
            throw new IdxFormatException(path, $"'{path}' is truncated in its header: expected {headerLength} bytes, found {read}.");
        }

        int expectedMagic = (UnsignedByteType << 8) | rank;
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expectedMagic)
        {
            string found = header[0] != 0 || header[1] != 0
                ? "but an IDX file starts with two zero bytes"
                : $"data type 0x{header[2]:X2} ({TypeName(header[2])}), {header[3]} dimension{(header[3] == 1 ? "" : "s")}";
            throw new IdxFormatException(
                path,
                $"'{path}' is not an IDX file of unsigned bytes with {rank} dimension{(rank == 1 ? "" : "s")}: expected magic number " +
                $"0x{expectedMagic:X8} (data type 0x08 (unsigned byte), {rank} dimension{(rank == 1 ? "" : "s")}), found 0x{magic:X8} ({found}).");
        }

        read = stream.ReadAtLeast(header[4..], headerLength - 4, throwOnEndOfStream: false);
        if (read < headerLength - 4)
        {
            throw new IdxFormatException(path, $"'{path}' is truncated in its header: expected {headerLength} bytes, found {4 + read}.");
        }

        uint[] declaredDimensions = new uint[rank];
        UInt128 size = 1;
        for (int i = 0; i < rank; i++)
        {
            declaredDimensions[i] = BinaryPrimitives.ReadUInt32BigEndian(header[(4 + (4 * i))..]);
            if (declaredDimensions[i] == 0)
            {
                throw new IdxFormatException(
                    path, $"'{path}' declares dimension {i} ({dimensionNames[i]}) as 0; expected every dimension to be positive.");
            }

            size *= declaredDimensions[i];
        }

        string declared = $"{string.Join(" x ", declaredDimensions)} ({string.Join(" x ", dimensionNames)}) = {size} bytes";
        if (size > (UInt128)Array.MaxLength)
        {
            throw new IdxFormatException(
                path,
                $"'{path}' declares {declared} of data; expected at most {Array.MaxLength} (the largest array .NET can hold).");
        }

        dimensions = Array.ConvertAll(declaredDimensions, d => (int)d);
        int length = (int)size;
        if (fileLength is long fileSize)
        {
            // Raw file: compare the declared size with the real one before allocating anything.
            long actual = fileSize - headerLength;
            if (actual < length)
            {
                throw Truncated(path, declared, headerLength, actual);
            }

            if (actual > length)
            {
                throw Trailing(path, declared, headerLength, length, actual - length);
            }
        }

        byte[] data = new byte[fileLength is null ? Math.Min(length, GzipInitialBuffer) : length];
        int filled = 0;
        while (true)
        {
            if (filled == data.Length)
            {
                if (filled == length)
                {
                    break;
                }

                Array.Resize(ref data, (int)Math.Min(length, 2L * data.Length));
            }

            int n = stream.Read(data, filled, data.Length - filled);
            if (n == 0)
            {
                throw Truncated(path, declared, headerLength, filled);
            }

            filled += n;
        }

        long extra = 0;
        Span<byte> scratch = stackalloc byte[4096];
        while ((read = stream.Read(scratch)) > 0)
        {
            extra += read;
        }

        if (extra > 0)
        {
            throw Trailing(path, declared, headerLength, length, extra);
        }

        return data;
    }

    private static IdxFormatException Truncated(string path, string declared, int headerLength, long found) =>
        new(path, $"'{path}' is truncated: its {headerLength}-byte header declares {declared} of data; found {found}.");

    private static IdxFormatException Trailing(string path, string declared, int headerLength, long length, long extra) =>
        new(path, $"'{path}' has {extra} trailing bytes: its {headerLength}-byte header declares {declared} of data; found {length + extra}.");

    private static string TypeName(byte type) => type switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "16-bit integer",
        0x0C => "32-bit integer",
        0x0D => "32-bit float",
        0x0E => "64-bit float",
        _ => "not an IDX data type",
    };
}
