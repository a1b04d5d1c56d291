using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace NetGen;

/// <summary>
/// Writes safetensors files atomically (through <see cref="OutputFile.WriteAtomically"/>): on any failure an existing
/// target is left untouched and no temporary file stays behind.
/// </summary>
internal static class SafetensorsWriter
{
    private const int ChunkBytes = 1 << 16;

    public static void Write(string path, IEnumerable<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        // Everything that can be wrong with the arguments is found before the file system is touched.
        List<SafetensorsTensor> list = [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (SafetensorsTensor? t in tensors)
        {
            if (t is null)
            {
                throw new ArgumentException($"Tensor {list.Count} is null; expected a tensor.", nameof(tensors));
            }

            if (t.Name == "__metadata__")
            {
                throw new ArgumentException("A tensor is named '__metadata__', which the format reserves for metadata.", nameof(tensors));
            }

            if (!names.Add(t.Name))
            {
                throw new ArgumentException($"Two tensors are named '{t.Name}'; expected every name once.", nameof(tensors));
            }

            list.Add(t);
        }

        if (metadata is not null)
        {
            foreach (KeyValuePair<string, string> pair in metadata)
            {
                if (pair.Key is null || pair.Value is null)
                {
                    throw new ArgumentException($"Metadata '{pair.Key}' has a null key or value; expected strings.", nameof(metadata));
                }
            }
        }

        byte[] header = BuildHeader(list, metadata);

        OutputFile.WriteAtomically(path, file =>
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            file.Write(prefix);
            file.Write(header);
            byte[] chunk = new byte[ChunkBytes];
            foreach (SafetensorsTensor t in list)
            {
                WriteData(file, t, chunk);
            }
        }, ChunkBytes);
    }

    /// <summary>The header JSON, padded with spaces to a multiple of 8 bytes so the data starts 8-byte aligned.</summary>
    private static byte[] BuildHeader(List<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (KeyValuePair<string, string> pair in metadata)
                {
                    json.WriteString(pair.Key, pair.Value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (SafetensorsTensor t in tensors)
            {
                long length = (long)t.ElementCount * SafetensorsDTypes.Size(WrittenType(t));
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", SafetensorsDTypes.Name(WrittenType(t)));
                json.WriteStartArray("shape");
                foreach (int d in t.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += length;
            }

            json.WriteEndObject();
        }

        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        if (padded > SafetensorsFile.MaxHeaderLength)
        {
            throw new ArgumentException(
                $"The header would be {padded} bytes; the format allows at most {SafetensorsFile.MaxHeaderLength}.", nameof(tensors));
        }

        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static SafetensorsDType WrittenType(SafetensorsTensor t) => t.IsFloat ? SafetensorsDType.F32 : SafetensorsDType.I64;

    private static void WriteData(FileStream file, SafetensorsTensor t, byte[] chunk)
    {
        if (t.Int64Data is long[] longs)
        {
            for (int start = 0; start < longs.Length; start += ChunkBytes / 8)
            {
                ReadOnlySpan<long> part = longs.AsSpan(start, Math.Min(ChunkBytes / 8, longs.Length - start));
                for (int i = 0; i < part.Length; i++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(chunk.AsSpan(8 * i), part[i]);
                }

                file.Write(chunk, 0, 8 * part.Length);
            }

            return;
        }

        float[] floats = t.Data;
        for (int start = 0; start < floats.Length; start += ChunkBytes / 4)
        {
            ReadOnlySpan<float> part = floats.AsSpan(start, Math.Min(ChunkBytes / 4, floats.Length - start));
            for (int i = 0; i < part.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(chunk.AsSpan(4 * i), part[i]);
            }

            file.Write(chunk, 0, 4 * part.Length);
        }
    }
}
