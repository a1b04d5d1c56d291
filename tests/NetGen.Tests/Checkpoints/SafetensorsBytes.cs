using System;
using System.Text;

namespace NetGen.Tests.Checkpoints;

/// <summary>Builds safetensors files byte by byte, the way another tool would, without NetGen's writer.</summary>
internal static class SafetensorsBytes
{
    /// <summary>8-byte little-endian length of <paramref name="headerJson"/>, the header as written, then <paramref name="data"/>.</summary>
    public static byte[] Build(string headerJson, params byte[][] data)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        return [.. LittleEndian((ulong)header.Length), .. header, .. Concat(data)];
    }

    /// <summary>The header padded with spaces to a multiple of 8 bytes, as Python's safetensors writes it.</summary>
    public static byte[] BuildPadded(string headerJson, params byte[][] data)
    {
        int length = Encoding.UTF8.GetByteCount(headerJson);
        return Build(headerJson + new string(' ', ((length + 7) / 8 * 8) - length), data);
    }

    public static byte[] LittleEndian(ulong value)
    {
        byte[] bytes = BitConverter.GetBytes(value);
        if (!BitConverter.IsLittleEndian)
        {
            Array.Reverse(bytes);
        }

        return bytes;
    }

    public static byte[] F32(params float[] values) => Each(values, v => BitConverter.GetBytes(v));

    public static byte[] F64(params double[] values) => Each(values, v => BitConverter.GetBytes(v));

    public static byte[] I64(params long[] values) => Each(values, v => BitConverter.GetBytes(v));

    /// <summary>16-bit patterns (F16 or BF16), little-endian.</summary>
    public static byte[] U16(params ushort[] values) => Each(values, v => BitConverter.GetBytes(v));

    public static byte[] Concat(byte[][] parts)
    {
        int total = 0;
        foreach (byte[] p in parts)
        {
            total += p.Length;
        }

        byte[] all = new byte[total];
        int at = 0;
        foreach (byte[] p in parts)
        {
            p.CopyTo(all, at);
            at += p.Length;
        }

        return all;
    }

    private static byte[] Each<T>(T[] values, Func<T, byte[]> bytes)
    {
        var parts = new byte[values.Length][];
        for (int i = 0; i < values.Length; i++)
        {
            parts[i] = bytes(values[i]);
            if (!BitConverter.IsLittleEndian)
            {
                Array.Reverse(parts[i]);
            }
        }

        return Concat(parts);
    }
}
