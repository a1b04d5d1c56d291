using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace NetGen.Tests.Data;

/// <summary>
/// An IDX decoding independent of <c>Idx</c>, the oracle of IdxMutationTests and of the fuzz harness's IDX target
/// (NetGen.Fuzz links this file): what a gzip stream really holds, and the dimensions of a well-formed file.
/// </summary>
internal static class IdxDecoding
{
    /// <summary>The whole decompressed content, or null when the gzip stream is invalid.</summary>
    public static byte[]? TryGunzip(byte[] bytes)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var content = new MemoryStream();
            gzip.CopyTo(content);
            return content.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>
    /// The dimensions of <paramref name="content"/> when it is a well-formed unsigned-byte IDX file of
    /// <paramref name="rank"/> dimensions (magic 0x0000080R, positive dimensions, exactly their product of data bytes).
    /// </summary>
    public static int[]? Dimensions(byte[] content, int rank)
    {
        int headerLength = 4 + (4 * rank);
        if (content.Length < headerLength || BinaryPrimitives.ReadInt32BigEndian(content) != (0x800 | rank))
        {
            return null;
        }

        int[] dimensions = new int[rank];
        long size = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(content.AsSpan(4 + (4 * i)));
            if (d == 0 || d > int.MaxValue)
            {
                return null;
            }

            dimensions[i] = (int)d;
            size *= d;
            if (size > content.Length)
            {
                return null;
            }
        }

        return size == content.Length - headerLength ? dimensions : null;
    }

    /// <summary>How many bytes a gzip stream yields before it ends or turns invalid.</summary>
    public static long DecompressedLength(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        try
        {
            int n;
            while ((n = gzip.Read(buffer, 0, buffer.Length)) > 0)
            {
                total += n;
            }
        }
        catch (InvalidDataException)
        {
        }

        return total;
    }
}
