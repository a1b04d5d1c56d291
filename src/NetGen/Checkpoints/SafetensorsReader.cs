using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Text;
using System.Text.Json;

namespace NetGen;

/// <summary>
/// Parses and validates safetensors data. The header is checked completely (UTF-8, JSON, every field, every byte
/// range against the real data length) before any tensor array is allocated, so memory use is bounded by the size
/// of the data actually present, never by what a header claims.
/// </summary>
internal static class SafetensorsReader
{
    private const int ChunkBytes = 1 << 16; // a multiple of every element size
    private const string MetadataKey = "__metadata__";
    private const string EntryForm = "an object {\"dtype\": ..., \"shape\": [...], \"data_offsets\": [begin, end]}";

    public static SafetensorsFile Read(Stream stream, string source)
    {
        if (!stream.CanSeek)
        {
            // The length is unknown, so nothing can be checked before reading; the copy grows with the data that
            // is really there, which keeps the promise of never allocating for data that is not.
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return Read(copy.GetBuffer().AsSpan(0, (int)copy.Length), source);
        }

        long total = Math.Max(0, stream.Length - stream.Position);
        if (total < 8)
        {
            throw TooShort(source, total);
        }

        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, source, 0, total);
        int headerLength = CheckHeaderLength(BinaryPrimitives.ReadUInt64LittleEndian(prefix), total, source);
        byte[] header = new byte[headerLength];
        ReadExactly(stream, header, source, 8, total);
        long bufferLength = total - 8 - headerLength;
        Header parsed = ParseHeader(header, bufferLength, source);

        // The tensors tile the buffer in offset order with no gaps, so one sequential pass reads them all.
        byte[] chunk = new byte[(int)Math.Min(ChunkBytes, Math.Max(bufferLength, 1))];
        long position = 8 + headerLength;
        foreach (Entry e in parsed.ByOffset)
        {
            e.Allocate();
            long remaining = e.End - e.Begin;
            int index = 0;
            while (remaining > 0)
            {
                int n = (int)Math.Min(remaining, chunk.Length);
                ReadExactly(stream, chunk.AsSpan(0, n), source, position, total);
                Decode(chunk.AsSpan(0, n), e, index);
                index += n / SafetensorsDTypes.Size(e.DType);
                remaining -= n;
                position += n;
            }
        }

        return parsed.ToFile(source);
    }

    public static SafetensorsFile Read(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 8)
        {
            throw TooShort(source, bytes.Length);
        }

        int headerLength = CheckHeaderLength(BinaryPrimitives.ReadUInt64LittleEndian(bytes), bytes.Length, source);
        ReadOnlySpan<byte> data = bytes[(8 + headerLength)..];
        Header parsed = ParseHeader(bytes.Slice(8, headerLength).ToArray(), data.Length, source);
        foreach (Entry e in parsed.ByOffset)
        {
            e.Allocate();
            Decode(data[(int)e.Begin..(int)e.End], e, 0);
        }

        return parsed.ToFile(source);
    }

    // ---------- the 8-byte prefix ----------

    private static SafetensorsFormatException TooShort(string source, long total) =>
        new(source, $"'{source}' is too short for a safetensors file: expected at least 8 bytes (the header length), found {total}.");

    private static int CheckHeaderLength(ulong declared, long total, string source)
    {
        if (declared > SafetensorsFile.MaxHeaderLength)
        {
            throw new SafetensorsFormatException(
                source,
                $"'{source}' declares a {declared}-byte header; expected at most {SafetensorsFile.MaxHeaderLength} bytes (100 MB). " +
                "It is not a safetensors file or it is corrupt.");
        }

        if (declared > (ulong)(total - 8))
        {
            throw new SafetensorsFormatException(
                source,
                $"'{source}' declares a {declared}-byte header but only {total - 8} bytes follow the 8-byte header length; " +
                "expected the whole header in the file (it is truncated or not a safetensors file).");
        }

        return (int)declared;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source, long position, long total)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < buffer.Length)
        {
            throw new SafetensorsFormatException(
                source,
                $"'{source}' ended after {position + read} bytes; expected {total} (it changed while being read).");
        }
    }

    // ---------- the JSON header ----------

    private static Header ParseHeader(byte[] header, long bufferLength, string source)
    {
        int invalid = FirstInvalidUtf8(header);
        if (invalid >= 0)
        {
            throw new SafetensorsFormatException(
                source, $"'{source}': the {header.Length}-byte header is not valid UTF-8 (at byte {invalid}); expected UTF-8 JSON.");
        }

        if (header.Length == 0 || header[0] != (byte)'{')
        {
            string found = header.Length == 0 ? "it is empty" : $"it starts with byte 0x{header[0]:X2}";
            throw new SafetensorsFormatException(
                source, $"'{source}': expected the header to be a JSON object starting with '{{', but {found}.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(source, $"'{source}': the header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var result = new Header();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                string name = NameOf(property, source, "a tensor name");
                if (!seen.Add(name))
                {
                    string what = name == MetadataKey ? "'__metadata__' appears" : $"tensor {Quote(name)} appears";
                    throw new SafetensorsFormatException(source, $"'{source}': {what} twice in the header; expected every name once.");
                }

                if (name == MetadataKey)
                {
                    result.Metadata = ParseMetadata(property.Value, source);
                }
                else
                {
                    result.Entries.Add(ParseEntry(result.Entries.Count, name, property.Value, bufferLength, source));
                }
            }

            result.ByOffset = CheckCoverage(result.Entries, bufferLength, source);
            return result;
        }
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement value, string source)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value.ValueKind == JsonValueKind.Null)
        {
            return metadata; // what the reference implementation writes for "no metadata" in some versions
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(
                source, $"'{source}': '__metadata__' is {Describe(value)}; expected an object of string keys and string values.");
        }

        foreach (JsonProperty entry in value.EnumerateObject())
        {
            string key = NameOf(entry, source, "a metadata key");
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafetensorsFormatException(
                    source, $"'{source}': metadata {Quote(key)} is {Describe(entry.Value)}; expected a string.");
            }

            if (!metadata.TryAdd(key, TextOf(entry.Value, source, $"metadata {Quote(key)}")))
            {
                throw new SafetensorsFormatException(source, $"'{source}': metadata {Quote(key)} appears twice; expected every key once.");
            }
        }

        return metadata;
    }

    private static Entry ParseEntry(int index, string name, JsonElement value, long bufferLength, string source)
    {
        string tensor = $"'{source}': tensor {Quote(name)}";
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafetensorsFormatException(source, $"{tensor} is {Describe(value)}; expected {EntryForm}.");
        }

        JsonElement? dtypeField = null, shapeField = null, offsetsField = null;
        foreach (JsonProperty field in value.EnumerateObject())
        {
            string fieldName = NameOf(field, source, $"a field name of tensor {Quote(name)}");
            ref JsonElement? slot = ref dtypeField;
            switch (fieldName)
            {
                case "dtype": slot = ref dtypeField; break;
                case "shape": slot = ref shapeField; break;
                case "data_offsets": slot = ref offsetsField; break;
                default: continue; // unknown fields are ignored, as the reference implementation does
            }

            if (slot is not null)
            {
                throw new SafetensorsFormatException(source, $"{tensor} has two \"{fieldName}\" fields; expected one.");
            }

            slot = field.Value;
        }

        // dtype
        if (dtypeField is not JsonElement dtypeValue)
        {
            throw new SafetensorsFormatException(source, $"{tensor} has no \"dtype\"; expected {EntryForm}.");
        }

        if (dtypeValue.ValueKind != JsonValueKind.String)
        {
            throw new SafetensorsFormatException(
                source, $"{tensor} has dtype {Describe(dtypeValue)}; expected a string, one of {SafetensorsDTypes.SupportedNames}.");
        }

        string dtypeName = TextOf(dtypeValue, source, $"the dtype of tensor {Quote(name)}");
        if (!SafetensorsDTypes.TryParse(dtypeName, out SafetensorsDType dtype))
        {
            throw new SafetensorsFormatException(
                source, $"{tensor} has dtype {Quote(dtypeName)}, which NetGen does not read; expected one of {SafetensorsDTypes.SupportedNames}.");
        }

        // shape
        if (shapeField is not JsonElement shapeValue)
        {
            throw new SafetensorsFormatException(source, $"{tensor} has no \"shape\"; expected {EntryForm}.");
        }

        const string ShapeForm = "an array of non-negative integers, each at most 2147483647";
        if (shapeValue.ValueKind != JsonValueKind.Array)
        {
            throw new SafetensorsFormatException(source, $"{tensor} has shape {Describe(shapeValue)}; expected {ShapeForm}.");
        }

        int[] shape = new int[shapeValue.GetArrayLength()];
        int i = 0;
        bool hasZero = false;
        foreach (JsonElement dim in shapeValue.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out int d) || d < 0)
            {
                throw new SafetensorsFormatException(
                    source, $"{tensor} has shape {Describe(shapeValue)} (dimension {i} is {Describe(dim)}); expected {ShapeForm}.");
            }

            hasZero |= d == 0;
            shape[i++] = d;
        }

        long count = 1;
        if (hasZero)
        {
            count = 0;
        }
        else
        {
            foreach (int d in shape)
            {
                count *= d; // count <= Array.MaxLength and d <= int.MaxValue: no overflow
                if (count > Array.MaxLength)
                {
                    throw new SafetensorsFormatException(
                        source,
                        $"{tensor} has shape {SafetensorsDTypes.FormatShape(shape)}, more than {Array.MaxLength} elements; " +
                        "expected at most that (the largest array .NET can hold).");
                }
            }
        }

        // data_offsets
        if (offsetsField is not JsonElement offsetsValue)
        {
            throw new SafetensorsFormatException(source, $"{tensor} has no \"data_offsets\"; expected {EntryForm}.");
        }

        if (offsetsValue.ValueKind != JsonValueKind.Array || offsetsValue.GetArrayLength() != 2
            || !TryGetOffset(offsetsValue[0], out ulong begin) || !TryGetOffset(offsetsValue[1], out ulong end))
        {
            throw new SafetensorsFormatException(
                source, $"{tensor} has data_offsets {Describe(offsetsValue)}; expected [begin, end], two non-negative integers.");
        }

        string offsets = $"data_offsets [{begin}, {end}]";
        if (end < begin)
        {
            throw new SafetensorsFormatException(source, $"{tensor} has {offsets}, which end before they begin; expected begin <= end.");
        }

        if (end > (ulong)bufferLength)
        {
            throw new SafetensorsFormatException(
                source, $"{tensor} has {offsets}, past the end of the {bufferLength}-byte data buffer; expected end <= {bufferLength}.");
        }

        int size = SafetensorsDTypes.Size(dtype);
        long expected = count * size;
        if ((long)(end - begin) != expected)
        {
            throw new SafetensorsFormatException(
                source,
                $"{tensor} ({dtypeName}, shape {SafetensorsDTypes.FormatShape(shape)}) has {offsets}, {end - begin} bytes; " +
                $"expected {expected} bytes ({count} elements x {size} bytes).");
        }

        return new Entry(index, name, dtype, shape, (int)count, (long)begin, (long)end);
    }

    private static bool TryGetOffset(JsonElement value, out ulong offset)
    {
        offset = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out offset);
    }

    /// <summary>Checks that the tensors tile [0, bufferLength) exactly; returns them in offset order.</summary>
    private static Entry[] CheckCoverage(List<Entry> entries, long bufferLength, string source)
    {
        Entry[] byOffset = [.. entries];
        Array.Sort(byOffset, static (a, b) =>
            a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End != b.End ? a.End.CompareTo(b.End) : a.Index.CompareTo(b.Index));
        long covered = 0;
        Entry? previous = null;
        foreach (Entry e in byOffset)
        {
            if (e.Begin < covered)
            {
                throw new SafetensorsFormatException(
                    source,
                    $"'{source}': tensors {Quote(previous!.Name)} [{previous.Begin}, {previous.End}] and {Quote(e.Name)} " +
                    $"[{e.Begin}, {e.End}] overlap; expected every byte of the data buffer to belong to exactly one tensor.");
            }

            if (e.Begin > covered)
            {
                string after = previous is null ? "at the start of the data buffer" : $"between {Quote(previous.Name)} and {Quote(e.Name)}";
                throw new SafetensorsFormatException(
                    source,
                    $"'{source}': bytes [{covered}, {e.Begin}) of the data buffer belong to no tensor ({after}); " +
                    "expected the tensors to cover the buffer with no gaps.");
            }

            covered = e.End;
            previous = e;
        }

        if (covered != bufferLength)
        {
            throw new SafetensorsFormatException(
                source,
                $"'{source}': the last {bufferLength - covered} bytes of the {bufferLength}-byte data buffer (from {covered}) belong " +
                "to no tensor; expected the tensors to cover the buffer with no gaps or trailing bytes.");
        }

        return byOffset;
    }

    // ---------- decoding ----------

    private static void Decode(ReadOnlySpan<byte> bytes, Entry e, int index)
    {
        switch (e.DType)
        {
            case SafetensorsDType.F32:
                {
                    Span<float> dst = e.Data.AsSpan(index, bytes.Length / 4);
                    for (int i = 0; i < dst.Length; i++)
                    {
                        dst[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                    }

                    break;
                }

            case SafetensorsDType.F64:
                {
                    Span<float> dst = e.Data.AsSpan(index, bytes.Length / 8);
                    for (int i = 0; i < dst.Length; i++)
                    {
                        dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                    }

                    break;
                }

            case SafetensorsDType.F16:
                {
                    Span<float> dst = e.Data.AsSpan(index, bytes.Length / 2);
                    for (int i = 0; i < dst.Length; i++)
                    {
                        dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                    }

                    break;
                }

            case SafetensorsDType.BF16:
                {
                    Span<float> dst = e.Data.AsSpan(index, bytes.Length / 2);
                    for (int i = 0; i < dst.Length; i++)
                    {
                        dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16);
                    }

                    break;
                }

            default:
                {
                    Span<long> dst = e.Int64Data.AsSpan(index, bytes.Length / 8);
                    for (int i = 0; i < dst.Length; i++)
                    {
                        dst[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(8 * i)..]);
                    }

                    break;
                }
        }
    }

    // ---------- helpers ----------

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int position = 0;
        while (position < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[position..], out _, out int consumed) != OperationStatus.Done)
            {
                return position;
            }

            position += consumed;
        }

        return -1;
    }

    // A JSON escape such as "\ud800" is valid JSON but not valid text; System.Text.Json reports it when the
    // string is decoded, with an InvalidOperationException.
    private static string NameOf(JsonProperty property, string source, string what)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException e)
        {
            throw new SafetensorsFormatException(source, $"'{source}': {what} in the header is not valid text: {e.Message}", e);
        }
    }

    private static string TextOf(JsonElement value, string source, string what)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new SafetensorsFormatException(source, $"'{source}': {what} is not valid text: {e.Message}", e);
        }
    }

    private static string Describe(JsonElement value)
    {
        string raw = value.GetRawText();
        if (raw.Length > 60)
        {
            raw = string.Concat(raw.AsSpan(0, 57), "...");
        }

        string kind = value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };
        return value.ValueKind == JsonValueKind.Null ? "null" : $"{kind} ({raw})";
    }

    private static string Quote(string name) => name.Length > 80 ? $"'{name.AsSpan(0, 77)}...'" : $"'{name}'";

    private sealed class Entry(int index, string name, SafetensorsDType dtype, int[] shape, int count, long begin, long end)
    {
        /// <summary>Position in the header, which breaks ties between tensors at the same offsets.</summary>
        public int Index { get; } = index;

        public string Name { get; } = name;

        public SafetensorsDType DType { get; } = dtype;

        public int[] Shape { get; } = shape;

        public int Count { get; } = count;

        public long Begin { get; } = begin;

        public long End { get; } = end;

        public float[] Data { get; private set; } = [];

        public long[]? Int64Data { get; private set; }

        public void Allocate()
        {
            if (SafetensorsDTypes.IsFloat(DType))
            {
                Data = new float[Count];
            }
            else
            {
                Int64Data = new long[Count];
            }
        }
    }

    private sealed class Header
    {
        public Dictionary<string, string> Metadata { get; set; } = new(StringComparer.Ordinal);

        public List<Entry> Entries { get; } = [];

        public Entry[] ByOffset { get; set; } = [];

        public SafetensorsFile ToFile(string source)
        {
            var tensors = new List<SafetensorsTensor>(Entries.Count);
            foreach (Entry e in Entries)
            {
                tensors.Add(SafetensorsTensor.FromFile(e.Name, e.DType, e.Shape, e.Data, e.Int64Data));
            }

            return new SafetensorsFile(source, new ReadOnlyDictionary<string, string>(Metadata), tensors);
        }
    }
}
