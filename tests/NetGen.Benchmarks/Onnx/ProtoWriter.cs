using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace NetGen.Benchmarks.Onnx;

/// <summary>
/// The protocol-buffers wire format, just as much of it as an ONNX model needs: varint and length-delimited
/// fields, packed repeated int64 and float. A nested message is written into its own writer and added as bytes.
/// </summary>
/// <remarks>
/// Encoding (https://protobuf.dev/programming-guides/encoding/): each field is a key, (field number &lt;&lt; 3) |
/// wire type, then the value; wire type 0 is a varint (7 bits per byte, low group first, high bit = more
/// follows), 2 is a varint length then that many bytes, 5 is four little-endian bytes.
/// </remarks>
internal sealed class ProtoWriter
{
    private const int Varint = 0;
    private const int LengthDelimited = 2;
    private const int Fixed32 = 5;

    private readonly ArrayBufferWriter<byte> _bytes = new();

    /// <summary>The message written so far.</summary>
    public byte[] ToArray() => _bytes.WrittenSpan.ToArray();

    /// <summary>An int64 / int32 / enum field (negative values take ten bytes, as protobuf's int64 does).</summary>
    public ProtoWriter Int(int field, long value)
    {
        Key(field, Varint);
        WriteVarint(unchecked((ulong)value));
        return this;
    }

    /// <summary>A float field.</summary>
    public ProtoWriter Float(int field, float value)
    {
        Key(field, Fixed32);
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(four, value);
        _bytes.Write(four);
        return this;
    }

    /// <summary>A string field (UTF-8).</summary>
    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A nested message.</summary>
    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    /// <summary>A bytes field.</summary>
    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Key(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        _bytes.Write(value);
        return this;
    }

    /// <summary>A packed repeated int64 field.</summary>
    public ProtoWriter PackedInts(int field, ReadOnlySpan<long> values)
    {
        var packed = new ProtoWriter();
        foreach (long v in values)
        {
            packed.WriteVarint(unchecked((ulong)v));
        }

        return Bytes(field, packed.ToArray());
    }

    /// <summary>Floats as little-endian bytes (TensorProto's raw_data).</summary>
    public ProtoWriter RawFloats(int field, ReadOnlySpan<float> values)
    {
        byte[] raw = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }

        return Bytes(field, raw);
    }

    private void Key(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.Write([(byte)(value | 0x80)]);
            value >>= 7;
        }

        _bytes.Write([(byte)value]);
    }
}
