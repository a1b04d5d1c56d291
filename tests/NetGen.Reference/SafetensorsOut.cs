using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace NetGen.Reference;

/// <summary>
/// A minimal safetensors writer (F32 and I64, little-endian), written here rather than borrowed from NetGen so the
/// oracle shares no code with what it checks: an 8-byte header length, the JSON header (padded with spaces to a
/// multiple of 8), then the tensors' bytes in header order.
/// </summary>
internal sealed class SafetensorsOut
{
    private readonly List<(string Name, string DType, long[] Shape, byte[] Bytes)> _tensors = [];
    private readonly SortedDictionary<string, string> _metadata = new(StringComparer.Ordinal);

    public void Metadata(string key, string value) => _metadata[key] = value;

    public void F32(string name, long[] shape, float[] data)
    {
        var bytes = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        Add(name, "F32", shape, bytes, data.Length);
    }

    public void I64(string name, long[] shape, long[] data)
    {
        var bytes = new byte[data.Length * 8];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        Add(name, "I64", shape, bytes, data.Length);
    }

    private void Add(string name, string dtype, long[] shape, byte[] bytes, int count)
    {
        long elements = 1;
        foreach (long d in shape)
        {
            elements *= d;
        }

        if (elements != count)
        {
            throw new ArgumentException($"Tensor '{name}': shape [{string.Join(", ", shape)}] holds {elements} elements, the data {count}.", nameof(shape));
        }

        if (_tensors.Exists(t => t.Name == name))
        {
            throw new ArgumentException($"Tensor '{name}' is written twice.", nameof(name));
        }

        _tensors.Add((name, dtype, shape, bytes));
    }

    public void Save(string path)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors is little-endian; this writer copies memory as it is.");
        }

        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteStartObject("__metadata__");
            foreach ((string key, string value) in _metadata)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            long offset = 0;
            foreach ((string name, string dtype, long[] shape, byte[] bytes) in _tensors)
            {
                w.WriteStartObject(name);
                w.WriteString("dtype", dtype);
                w.WriteStartArray("shape");
                foreach (long d in shape)
                {
                    w.WriteNumberValue(d);
                }

                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes.Length;
            }

            w.WriteEndObject();
        }

        byte[] header = json.ToArray();
        int padded = (header.Length + 7) / 8 * 8;
        string temporary = path + ".tmp";
        using (var file = File.Create(temporary))
        {
            file.Write(BitConverter.GetBytes((ulong)padded));
            file.Write(header);
            file.Write(Encoding.ASCII.GetBytes(new string(' ', padded - header.Length)));
            foreach ((_, _, _, byte[] bytes) in _tensors)
            {
                file.Write(bytes);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }
}
