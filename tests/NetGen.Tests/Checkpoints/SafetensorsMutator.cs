using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using NetGen.Tests.Fuzzing;

namespace NetGen.Tests.Checkpoints;

/// <summary>
/// Real safetensors files and the damage done to them by the mutation tests of the runtime's reader
/// (SafetensorsMutationTests) and of the generator's parser (NetGen.Generators.Tests links this file).
/// </summary>
internal static class SafetensorsMutator
{
    /// <summary>What each draw of <see cref="Mutate"/> does; <see cref="Damage.Own"/> is <see cref="DamageHeader"/>'s.</summary>
    private static readonly Damage[] Menu =
        [Damage.FlipBit, Damage.ReplaceByte, Damage.Own, Damage.Own, Damage.Own, Damage.Own, Damage.Truncate, Damage.Extend, Damage.Own, Damage.Own];

    private static readonly string[] DTypes = ["F32", "F64", "F16", "BF16", "I64", "U8", "I32", "f32", ""];

    /// <summary>The LeNet-5 checkpoint the LeNet.Classify sample bakes in (trained by samples/LeNet).</summary>
    public static byte[] LeNet5() =>
        File.ReadAllBytes(Path.Combine(RepositoryRoot(), "samples", "LeNet.Classify", "lenet5.safetensors"));

    /// <summary>
    /// A BatchNorm checkpoint laid out as <c>Checkpoint.Save</c> writes one (F32 tensors in layer order, then the
    /// I64 <c>num_batches_tracked</c>, string metadata), built byte by byte.
    /// </summary>
    public static byte[] BatchNormCheckpoint()
    {
        var header = new StringBuilder("{\"__metadata__\":{\"epoch\":\"7\",\"format\":\"pt\"}");
        var data = new List<byte>();
        void Add(string name, string dtype, int[] shape, byte[] bytes)
        {
            header.Append($",\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],")
                .Append($"\"data_offsets\":[{data.Count},{data.Count + bytes.Length}]}}");
            data.AddRange(bytes);
        }

        Add("dense1.weight", "F32", [2, 3], F32(0.5f, -1.25f, 2f, 0.125f, -0.75f, 3f));
        Add("dense1.bias", "F32", [2], F32(0.1f, -0.2f));
        Add("bn1.weight", "F32", [2], F32(1f, 0.9f));
        Add("bn1.bias", "F32", [2], F32(0f, 0.05f));
        Add("bn1.running_mean", "F32", [2], F32(0.3f, -0.4f));
        Add("bn1.running_var", "F32", [2], F32(1.5f, 0.8f));
        Add("bn1.num_batches_tracked", "I64", [], BitConverter.GetBytes(1234L));
        return WithHeader(Encoding.UTF8.GetBytes(header.Append('}').ToString()), [.. data]);
    }

    /// <summary>
    /// One to three of: a flipped bit, a replaced byte, a digit changed to another (still JSON, other shapes and
    /// offsets), a dtype renamed, header bytes deleted or repeated (the length prefix kept right, so the JSON is
    /// what breaks), a truncation, an extension, or a damaged length prefix. Most land in the header.
    /// </summary>
    public static byte[] Mutate(byte[] valid, ref Rng rng)
    {
        byte[] bytes = (byte[])valid.Clone();
        int mutations = 1 + rng.NextInt(3);
        for (int m = 0; m < mutations && bytes.Length > 8; m++)
        {
            ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            int headerEnd = declared >= (ulong)(bytes.Length - 8) ? bytes.Length : 8 + (int)declared;
            int inHeader = 8 + rng.NextInt(Math.Max(1, headerEnd - 8));
            int at = rng.NextInt(4) == 0 ? rng.NextInt(bytes.Length) : Math.Min(inHeader, bytes.Length - 1);
            int kind = rng.NextInt(Menu.Length);
            if (!ByteDamage.Apply(Menu[kind], ref bytes, at, mostAppended: 16, ref rng))
            {
                bytes = DamageHeader(bytes, kind, inHeader, headerEnd, ref rng);
            }
        }

        return bytes;
    }

    /// <summary>The draws of <see cref="Mutate"/> that <see cref="Damage.Own"/> leaves to <see cref="DamageHeader"/>: 2 to 5, 8 and 9.</summary>
    private static byte[] DamageHeader(byte[] bytes, int kind, int inHeader, int headerEnd, ref Rng rng)
    {
        switch (kind)
        {
            case 2:
            case 3:
                ReplaceDigit(bytes, inHeader, headerEnd, ref rng);
                return bytes;
            case 4:
                return RenameDType(bytes, headerEnd, ref rng);
            case 5:
                return Splice(bytes, inHeader, headerEnd, ref rng);
            default:
                ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
                ulong[] choices = [length + 1, length - 1, length + 8, 0, ulong.MaxValue, 100_000_001, length ^ (1UL << rng.NextInt(64))];
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, choices[rng.NextInt(choices.Length)]);
                return bytes;
        }
    }

    private static void ReplaceDigit(byte[] bytes, int from, int headerEnd, ref Rng rng)
    {
        for (int i = from; i < headerEnd; i++)
        {
            if (bytes[i] is >= (byte)'0' and <= (byte)'9')
            {
                bytes[i] = (byte)('0' + rng.NextInt(10));
                return;
            }
        }
    }

    /// <summary>The dtype of a random tensor renamed (often to one of another size, so the offsets no longer fit).</summary>
    private static byte[] RenameDType(byte[] bytes, int headerEnd, ref Rng rng)
    {
        string header = Encoding.UTF8.GetString(bytes, 8, headerEnd - 8);
        const string Key = "\"dtype\":\"";
        var starts = new List<int>();
        for (int i = header.IndexOf(Key, StringComparison.Ordinal); i >= 0; i = header.IndexOf(Key, i + 1, StringComparison.Ordinal))
        {
            starts.Add(i + Key.Length);
        }

        if (starts.Count == 0)
        {
            return bytes;
        }

        int start = starts[rng.NextInt(starts.Count)];
        int end = header.IndexOf('"', start);
        if (end < 0)
        {
            return bytes;
        }

        string renamed = string.Concat(header.AsSpan(0, start), DTypes[rng.NextInt(DTypes.Length)], header.AsSpan(end));
        return WithHeader(Encoding.UTF8.GetBytes(renamed), bytes.AsSpan(headerEnd).ToArray());
    }

    /// <summary>A few header bytes deleted or repeated, the length prefix updated to match.</summary>
    private static byte[] Splice(byte[] bytes, int at, int headerEnd, ref Rng rng)
    {
        byte[] header = bytes.AsSpan(8, headerEnd - 8).ToArray();
        if (header.Length == 0)
        {
            return bytes;
        }

        int offset = at - 8;
        int count = Math.Min(1 + rng.NextInt(12), header.Length - offset);
        byte[] spliced = rng.NextInt(2) == 0
            ? [.. header.AsSpan(0, offset), .. header.AsSpan(offset + count)]
            : [.. header.AsSpan(0, offset + count), .. header.AsSpan(offset)];
        return WithHeader(spliced, bytes.AsSpan(headerEnd).ToArray());
    }

    private static byte[] WithHeader(byte[] header, byte[] data)
    {
        byte[] file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    private static byte[] F32(params float[] values)
    {
        byte[] bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }

    private static string RepositoryRoot([CallerFilePath] string thisFile = "")
    {
        foreach (string start in new[] { Path.GetDirectoryName(thisFile) ?? string.Empty, AppContext.BaseDirectory })
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "samples", "LeNet.Classify", "lenet5.safetensors")))
                {
                    return d.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("The repository root (with samples/LeNet.Classify/lenet5.safetensors) was not found.");
    }
}
