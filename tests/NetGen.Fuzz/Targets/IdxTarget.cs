using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using NetGen.Tests.Data;

namespace NetGen.Fuzz;

/// <summary>
/// <see cref="Idx.ReadImages"/> and <see cref="Idx.ReadLabels"/> on the input as a file (the reader takes paths),
/// raw or gzip as its magic bytes say. Allowed outcomes: a consistent result or <see cref="IdxFormatException"/>.
/// </summary>
internal sealed class IdxTarget : ITarget
{
    private readonly string _path = Path.Combine(
        Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"netgen-fuzz-idx-{Environment.ProcessId}");

    public void Run(byte[] input)
    {
        File.WriteAllBytes(_path, input);
        try
        {
            Read(input);
        }
        finally
        {
            File.Delete(_path);
        }
    }

    private void Read(byte[] input)
    {
        long bound = AllocationBound(input);
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            IdxImages images = Idx.ReadImages(_path);
            if (images.Pixels.Length != (long)images.Count * images.Rows * images.Columns)
            {
                throw new InvalidOperationException($"{images.Pixels.Length} pixels for {images.Count} x {images.Rows} x {images.Columns} images.");
            }

            foreach (float p in images.Pixels)
            {
                if (!(p >= 0f && p <= 1f))
                {
                    throw new InvalidOperationException($"pixel {p} outside [0, 1].");
                }
            }
        }
        catch (IdxFormatException e) when (e.Message.Contains(_path, StringComparison.Ordinal))
        {
        }

        Limits.CheckAllocation("ReadImages", GC.GetAllocatedBytesForCurrentThread() - before, bound);
        before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            foreach (int label in Idx.ReadLabels(_path))
            {
                if (label is < 0 or > 255)
                {
                    throw new InvalidOperationException($"label {label} outside 0..255.");
                }
            }
        }
        catch (IdxFormatException e) when (e.Message.Contains(_path, StringComparison.Ordinal))
        {
        }

        Limits.CheckAllocation("ReadLabels", GC.GetAllocatedBytesForCurrentThread() - before, bound);
    }

    /// <summary>
    /// What a read may allocate: the data (its bytes, then 4 bytes per pixel or label) and, for gzip, a buffer
    /// that starts at 1 MiB (never more than the header declares) and doubles while data keeps coming, so at
    /// most twice the data actually present.
    /// </summary>
    private static long AllocationBound(byte[] input)
    {
        long data = input.Length;
        if (input.Length >= 2 && input[0] == 0x1F && input[1] == 0x8B)
        {
            data = IdxDecoding.DecompressedLength(input);
            return Limits.Overhead + (1L << 20) + (7 * data);
        }

        return Limits.Overhead + (5 * data);
    }

    public IEnumerable<(string Name, byte[] Bytes)> Seeds(string repository)
    {
        string folder = Path.Combine(repository, "samples", "data", "mnist-10k");
        byte[] labelsGz = File.ReadAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"));
        byte[] imagesGz = File.ReadAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"));
        byte[] labels = Gunzip(labelsGz, 8 + 64);
        byte[] images = Gunzip(imagesGz, 16 + (2 * 28 * 28));

        // Whole real files (the labels' gzip is 1 KB), then small valid slices with their counts edited to fit.
        yield return ("labels-real.gz", labelsGz);
        byte[] labelSlice = WithCount(labels, 64);
        byte[] imageSlice = WithCount(images, 2);
        yield return ("labels-64", labelSlice);
        yield return ("labels-64.gz", Gzip(labelSlice));
        yield return ("images-2", imageSlice);
        yield return ("images-2.gz", Gzip(imageSlice));

        // Truncated raw slices and a truncated real gzip stream.
        yield return ("labels-truncated", labels[..40]);
        yield return ("images-header", images[..16]);
        yield return ("images-truncated", images[..300]);
        yield return ("images-real-truncated.gz", imagesGz[..2048]);
    }

    private static byte[] WithCount(byte[] slice, int count)
    {
        byte[] copy = (byte[])slice.Clone();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(4), count);
        return copy;
    }

    private static byte[] Gunzip(byte[] gz, int length)
    {
        using var gzip = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        byte[] bytes = new byte[length];
        gzip.ReadExactly(bytes);
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }
}
