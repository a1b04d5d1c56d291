using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NetGen.Generators.Tests;

/// <summary>One tensor of a hand-built safetensors file: its key, dtype name, shape and raw little-endian data.</summary>
internal sealed record RawTensor(string Name, string DType, int[] Shape, byte[] Data);

/// <summary>Builds safetensors bytes by hand (any dtype, any header), so tests control every byte.</summary>
internal static class WeightsFiles
{
    /// <summary>The bytes of a safetensors file holding <paramref name="tensors"/> in order, with optional raw metadata JSON.</summary>
    public static byte[] Build(IEnumerable<RawTensor> tensors, string? metadataJson = null)
    {
        var header = new StringBuilder("{");
        var data = new List<byte>();
        if (metadataJson is not null)
        {
            header.Append("\"__metadata__\":").Append(metadataJson);
        }

        foreach (RawTensor t in tensors)
        {
            if (header.Length > 1)
            {
                header.Append(',');
            }

            header.Append('"').Append(t.Name).Append("\":{\"dtype\":\"").Append(t.DType).Append("\",\"shape\":[")
                .Append(string.Join(",", t.Shape)).Append("],\"data_offsets\":[").Append(data.Count).Append(',')
                .Append(data.Count + t.Data.Length).Append("]}");
            data.AddRange(t.Data);
        }

        header.Append('}');
        return WithHeader(Encoding.UTF8.GetBytes(header.ToString()), [.. data]);
    }

    /// <summary>The 8-byte length, then <paramref name="header"/>, then <paramref name="data"/>.</summary>
    public static byte[] WithHeader(byte[] header, byte[] data)
    {
        byte[] file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    public static RawTensor F32(string name, int[] shape, params float[] values)
    {
        byte[] data = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), values[i]);
        }

        return new RawTensor(name, "F32", shape, data);
    }

    public static RawTensor F64(string name, int[] shape, params double[] values)
    {
        byte[] data = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8 * i), values[i]);
        }

        return new RawTensor(name, "F64", shape, data);
    }

    public static RawTensor F16(string name, int[] shape, params Half[] values)
    {
        byte[] data = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(2 * i), values[i]);
        }

        return new RawTensor(name, "F16", shape, data);
    }

    /// <summary>bfloat16 from the given raw 16-bit patterns.</summary>
    public static RawTensor BF16(string name, int[] shape, params ushort[] bits)
    {
        byte[] data = new byte[2 * bits.Length];
        for (int i = 0; i < bits.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2 * i), bits[i]);
        }

        return new RawTensor(name, "BF16", shape, data);
    }

    public static RawTensor I64(string name, int[] shape, params long[] values)
    {
        byte[] data = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(8 * i), values[i]);
        }

        return new RawTensor(name, "I64", shape, data);
    }

    /// <summary>The weights of <c>[Input(3), Dense(2)]</c>: W = [[1, 2, 3], [-4, 0.5, 0.25]], b = [0.125, -1].</summary>
    public static byte[] Tiny(params RawTensor[] extra) => Build(
        [F32("dense1.weight", [2, 3], 1f, 2f, 3f, -4f, 0.5f, 0.25f), F32("dense1.bias", [2], 0.125f, -1f), .. extra]);
}

/// <summary>A temporary folder for weights files, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "netgen-generator-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="relativePath"/> and returns it as an additional file.</summary>
    public BinaryAdditionalFile Write(string relativePath, byte[] bytes)
    {
        string full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
        return new BinaryAdditionalFile(full);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

/// <summary>
/// An additional file as the compiler gives it, whose text must never be asked for: a binary file's text is not
/// its bytes (the command-line compiler reports CS2015 for it), so NetGen reads weights from <see cref="Path"/>.
/// </summary>
internal sealed class BinaryAdditionalFile(string path) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText? GetText(CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("NetGen asked for the text of the binary additional file '" + Path + "'.");
}
