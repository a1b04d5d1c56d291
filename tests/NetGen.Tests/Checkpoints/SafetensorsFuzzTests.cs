using System;
using System.Buffers.Binary;
using System.IO;
using NetGen;
using NetGen.Tests.Fuzzing;
using Xunit;
using Xunit.Abstractions;
using static NetGen.Tests.Checkpoints.SafetensorsBytes;

namespace NetGen.Tests.Checkpoints;

public sealed class SafetensorsFuzzTests(ITestOutputHelper output)
{
    /// <summary>
    /// Mutates a valid file thousands of times (bit flips, random bytes, digit swaps that keep the JSON valid but
    /// change shapes and offsets, truncation, extension, a corrupted header length) and reads each result through
    /// the span and stream readers: each must either succeed with consistent tensors or throw
    /// <see cref="SafetensorsFormatException"/>, never anything else.
    /// </summary>
    [Fact]
    public void RandomMutations_EitherReadOrThrowFormatException()
    {
        const string Header =
            "{\"__metadata__\":{\"format\":\"pt\",\"step\":\"10\"}," +
            "\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,2,2],\"data_offsets\":[0,32]}," +
            "\"conv1.bias\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[32,36]}," +
            "\"bn1.running_mean\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[36,40]}," +
            "\"bn1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[40,48]}," +
            "\"fc.weight\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[48,64]}," +
            "\"empty\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[64,64]}}";
        byte[] valid = BuildPadded(
            Header,
            F32(1, 2, 3, 4, 5, 6, 7, 8),
            U16(0x3C00, 0xC000),
            U16(0x3F80, 0x4049),
            I64(123),
            F64(0.5, -0.25));
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
        Assert.Equal(6, SafetensorsFile.Read(valid, "valid").Tensors.Count);

        var rng = new Rng(20240611);
        int succeeded = 0, rejected = 0;
        for (int iteration = 0; iteration < 4000; iteration++)
        {
            byte[] bytes = Mutate(valid, headerEnd, ref rng);
            bool spanOk = TryRead(() => SafetensorsFile.Read(bytes, "fuzz"), iteration, bytes);
            using var stream = new MemoryStream(bytes, writable: false);
            bool streamOk = TryRead(() => SafetensorsFile.Read(stream, "fuzz"), iteration, bytes);
            Assert.Equal(spanOk, streamOk);
            if (spanOk)
            {
                succeeded++;
            }
            else
            {
                rejected++;
            }
        }

        output.WriteLine($"{succeeded} mutated files read, {rejected} rejected");
        Assert.True(succeeded > 100, $"only {succeeded} mutations were readable; the mutator should also produce valid files");
        Assert.True(rejected > 1000, $"only {rejected} mutations were rejected");
    }

    private static bool TryRead(Func<SafetensorsFile> read, int iteration, byte[] bytes)
    {
        SafetensorsFile file;
        try
        {
            file = read();
        }
        catch (SafetensorsFormatException e)
        {
            Assert.Contains("'fuzz'", e.Message);
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"iteration {iteration}: {e.GetType().Name}: {e.Message}\nfile: {Convert.ToHexString(bytes)}");
            throw;
        }

        foreach (SafetensorsTensor t in file.Tensors)
        {
            long count = 1;
            foreach (int d in t.Shape)
            {
                Assert.True(d >= 0);
                count *= d;
            }

            Assert.Equal(count, t.ElementCount);
            Assert.Equal(t.IsFloat, t.Int64Data is null);
        }

        return true;
    }

    /// <summary>What each draw of <see cref="Mutate"/> does; <see cref="Damage.Own"/> is <see cref="DamageHeader"/>'s.</summary>
    private static readonly Damage[] Menu =
        [Damage.FlipBit, Damage.ReplaceByte, Damage.Own, Damage.Own, Damage.Own, Damage.Extend, Damage.Own];

    private static byte[] Mutate(byte[] valid, int headerEnd, ref Rng rng)
    {
        byte[] bytes = (byte[])valid.Clone();
        int mutations = 1 + rng.NextInt(3);
        for (int m = 0; m < mutations; m++)
        {
            // Most mutations land in the header, where the parsing is.
            int at = rng.NextInt(4) == 0 ? rng.NextInt(bytes.Length) : rng.NextInt(Math.Min(headerEnd, bytes.Length));
            int kind = rng.NextInt(Menu.Length);
            if (!ByteDamage.Apply(Menu[kind], ref bytes, at, mostAppended: 16, ref rng))
            {
                bytes = DamageHeader(bytes, kind, at, headerEnd, ref rng);
                if (bytes.Length == 0)
                {
                    return bytes;
                }
            }
        }

        return bytes;
    }

    /// <summary>The draws of <see cref="Mutate"/> that <see cref="Damage.Own"/> leaves here: 2 to 4 and 6.</summary>
    private static byte[] DamageHeader(byte[] bytes, int kind, int at, int headerEnd, ref Rng rng)
    {
        switch (kind)
        {
            case 2:
            case 3:
                // Replace a digit with another digit: still JSON, but a different shape or offset.
                for (int i = 0; i < bytes.Length; i++)
                {
                    int j = (at + i) % Math.Min(headerEnd, bytes.Length);
                    if (bytes[j] is >= (byte)'0' and <= (byte)'9')
                    {
                        bytes[j] = (byte)('0' + rng.NextInt(10));
                        break;
                    }
                }

                return bytes;
            case 4:
                // Not Damage.Truncate: this cut may also keep the whole file.
                Array.Resize(ref bytes, rng.NextInt(bytes.Length + 1));
                return bytes;
            default:
                if (bytes.Length >= 8)
                {
                    bytes[rng.NextInt(8)] ^= (byte)(1 << rng.NextInt(8));
                }

                return bytes;
        }
    }
}
