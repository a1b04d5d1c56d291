using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace NetGen.Fuzz;

/// <summary>
/// Starting corpus for the safetensors targets: the real LeNet-5 checkpoint's header (with its data cut off, and
/// shrunk to a small valid file with the same names), a BatchNorm checkpoint's tensors, and every dtype.
/// </summary>
internal static class SafetensorsSeeds
{
    public static IEnumerable<(string Name, byte[] Bytes)> All(string repository)
    {
        byte[] lenet = File.ReadAllBytes(Path.Combine(repository, "samples", "LeNet.Classify", "lenet5.safetensors"));
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(lenet);
        yield return ("lenet5-header-only", lenet[..Math.Min(lenet.Length, headerEnd + 64)]);

        // The same tensors, each cut to at most 2 elements per dimension, so the file stays small but real.
        SafetensorsFile real = SafetensorsFile.Read(lenet, "lenet5.safetensors");
        var small = new List<(string, string, int[], byte[])>();
        foreach (SafetensorsTensor t in real.Tensors)
        {
            int[] shape = t.Shape.Select(d => Math.Min(d, 2)).ToArray();
            int count = shape.Aggregate(1, (a, d) => a * d);
            small.Add((t.Name, "F32", shape, F32(t.Data.Take(count).ToArray())));
        }

        yield return ("lenet5-small", Build(small, "{\"format\":\"pt\"}"));
        yield return ("batchnorm", Build(
            [
                ("conv.weight", "F32", [2, 1, 1, 1], F32([0.5f, -1f])),
                ("bn.weight", "F32", [2], F32([1f, 1f])),
                ("bn.bias", "F32", [2], F32([0f, 0.25f])),
                ("bn.running_mean", "F32", [2], F32([0.1f, -0.2f])),
                ("bn.running_var", "F32", [2], F32([1f, 2f])),
                ("bn.num_batches_tracked", "I64", [], BitConverter.GetBytes(7L)),
            ],
            "{\"format\":\"pt\",\"step\":\"3\"}"));
        yield return ("dtypes", Build(
            [
                ("f16", "F16", [2], [0x00, 0x3C, 0x00, 0xC0]),
                ("bf16", "BF16", [1, 2], [0x80, 0x3F, 0x49, 0x40]),
                ("f64", "F64", [1], BitConverter.GetBytes(0.5)),
                ("empty", "F32", [0, 3], []),
            ],
            null));
    }

    /// <summary>The bytes of a safetensors file holding <paramref name="tensors"/> in order.</summary>
    public static byte[] Build(IEnumerable<(string Name, string DType, int[] Shape, byte[] Data)> tensors, string? metadataJson)
    {
        var header = new StringBuilder("{");
        var data = new List<byte>();
        if (metadataJson is not null)
        {
            header.Append("\"__metadata__\":").Append(metadataJson);
        }

        foreach ((string name, string dtype, int[] shape, byte[] bytes) in tensors)
        {
            header.Append(header.Length > 1 ? "," : "")
                .Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],")
                .Append($"\"data_offsets\":[{data.Count},{data.Count + bytes.Length}]}}");
            data.AddRange(bytes);
        }

        byte[] json = Encoding.UTF8.GetBytes(header.Append('}').ToString());
        byte[] file = new byte[8 + json.Length + data.Count];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        data.CopyTo(file, 8 + json.Length);
        return file;
    }

    private static byte[] F32(float[] values)
    {
        byte[] bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }
}
