using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using NetGen.Generators.Model;

namespace NetGen.Generators.Weights;

/// <summary>
/// Parses and validates a safetensors file inside the generator, with the rules of the runtime's
/// <c>SafetensorsReader</c>: the 8-byte header length, a UTF-8 JSON object of tensors (and an optional
/// <c>__metadata__</c> object of strings), each with a known dtype, a shape of non-negative ints and data offsets
/// that fit its shape, and tensors that tile the data buffer with no gaps, overlaps or trailing bytes.
/// </summary>
/// <remarks>
/// netstandard2.0 has no JSON reader the compiler can be relied on to load, so the header is read by the small
/// recursive-descent reader below (nesting is capped, so no input can exhaust the compiler's stack). Every problem
/// is returned as a message; nothing here throws to the caller.
/// </remarks>
internal static class SafetensorsParser
{
    /// <summary>The runtime's limit on the header (SafetensorsFile.MaxHeaderLength).</summary>
    public const int MaxHeaderLength = 100_000_000;

    /// <summary>Deepest JSON nesting accepted (System.Text.Json's default limit).</summary>
    private const int MaxDepth = 64;

    /// <summary>.NET's largest array length (Array.MaxLength), the runtime's limit on a tensor's elements.</summary>
    private const long MaxElements = 0x7FFFFFC7;

    private const string MetadataKey = "__metadata__";
    private const string EntryForm = "an object {\"dtype\": ..., \"shape\": [...], \"data_offsets\": [begin, end]}";
    private const string ShapeForm = "an array of non-negative integers, each at most 2147483647";

    /// <summary>The dtypes NetGen reads, as the runtime does; sizes in bytes.</summary>
    public const string SupportedNames = "F32, F64, F16, BF16, I64";

    /// <summary>Bytes per element of a supported dtype, or 0 for any other name.</summary>
    public static int SizeOf(string dtype) => dtype switch
    {
        "F32" => 4,
        "F64" => 8,
        "F16" => 2,
        "BF16" => 2,
        "I64" => 8,
        _ => 0,
    };

    /// <summary>Whether a supported dtype holds floating-point values (everything but I64).</summary>
    public static bool IsFloat(string dtype) => dtype is "F32" or "F64" or "F16" or "BF16";

    /// <summary>
    /// Parses <paramref name="file"/>. Returns null and the tensors (in header order) and the offset of the data
    /// buffer when the file is well formed; otherwise a message saying what is wrong and what was expected.
    /// </summary>
    public static string? Parse(byte[] file, out List<SafetensorsEntry> tensors, out int dataStart)
    {
        tensors = new List<SafetensorsEntry>();
        dataStart = 0;
        try
        {
            dataStart = ParseCore(file, tensors);
            return null;
        }
        catch (FormatError e)
        {
            tensors.Clear();
            return e.Message;
        }
    }

    private static int ParseCore(byte[] file, List<SafetensorsEntry> tensors)
    {
        if (file.Length < 8)
        {
            throw new FormatError(Format("it is too short for a safetensors file: expected at least 8 bytes (the header length), found {0}", file.Length));
        }

        ulong declared = 0;
        for (int i = 7; i >= 0; i--)
        {
            declared = (declared << 8) | file[i];
        }

        if (declared > MaxHeaderLength)
        {
            throw new FormatError(Format("it declares a {0}-byte header; expected at most {1} bytes (100 MB). It is not a safetensors file or it is corrupt", declared, MaxHeaderLength));
        }

        if (declared > (ulong)(file.Length - 8))
        {
            throw new FormatError(Format("it declares a {0}-byte header but only {1} bytes follow the 8-byte header length; expected the whole header in the file (it is truncated or not a safetensors file)", declared, file.Length - 8));
        }

        int headerLength = (int)declared;
        int bufferLength = file.Length - 8 - headerLength;
        int invalid = FirstInvalidUtf8(file, 8, headerLength);
        if (invalid >= 0)
        {
            throw new FormatError(Format("the {0}-byte header is not valid UTF-8 (at byte {1}); expected UTF-8 JSON", headerLength, invalid));
        }

        if (headerLength == 0 || file[8] != (byte)'{')
        {
            string found = headerLength == 0 ? "it is empty" : Format("it starts with byte 0x{0:X2}", file[8]);
            throw new FormatError("expected the header to be a JSON object starting with '{', but " + found);
        }

        Json root = new JsonReader(file, 8, 8 + headerLength).ReadDocument();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<(SafetensorsEntry Entry, int Index)>();
        foreach ((string rawName, Json value) in root.Members!)
        {
            string name = Text(rawName, "a tensor name");
            if (!seen.Add(name))
            {
                string what = name == MetadataKey ? "'__metadata__' appears" : "tensor " + Quote(name) + " appears";
                throw new FormatError(what + " twice in the header; expected every name once");
            }

            if (name == MetadataKey)
            {
                CheckMetadata(value);
            }
            else
            {
                entries.Add((ParseEntry(name, value, bufferLength), entries.Count));
            }
        }

        CheckCoverage(entries, bufferLength);
        foreach ((SafetensorsEntry entry, _) in entries)
        {
            tensors.Add(entry);
        }

        return 8 + headerLength;
    }

    private static void CheckMetadata(Json value)
    {
        if (value.Kind == JsonKind.Null)
        {
            return; // what the reference implementation writes for "no metadata" in some versions
        }

        if (value.Kind != JsonKind.Object)
        {
            throw new FormatError("'__metadata__' is " + value.Describe() + "; expected an object of string keys and string values");
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string rawKey, Json entry) in value.Members!)
        {
            string key = Text(rawKey, "a metadata key");
            if (entry.Kind != JsonKind.String)
            {
                throw new FormatError("metadata " + Quote(key) + " is " + entry.Describe() + "; expected a string");
            }

            _ = Text(entry.Text!, "metadata " + Quote(key));

            if (!keys.Add(key))
            {
                throw new FormatError("metadata " + Quote(key) + " appears twice; expected every key once");
            }
        }
    }

    private static SafetensorsEntry ParseEntry(string name, Json value, int bufferLength)
    {
        string tensor = "tensor " + Quote(name);
        if (value.Kind != JsonKind.Object)
        {
            throw new FormatError(tensor + " is " + value.Describe() + "; expected " + EntryForm);
        }

        Json? dtypeField = null, shapeField = null, offsetsField = null;
        foreach ((string rawField, Json fieldValue) in value.Members!)
        {
            string field = Text(rawField, "a field name of tensor " + Quote(name));
            switch (field)
            {
                case "dtype":
                    dtypeField = Once(dtypeField, fieldValue, tensor, field);
                    break;
                case "shape":
                    shapeField = Once(shapeField, fieldValue, tensor, field);
                    break;
                case "data_offsets":
                    offsetsField = Once(offsetsField, fieldValue, tensor, field);
                    break;
                default:
                    break; // unknown fields are ignored, as the reference implementation does
            }
        }

        // dtype
        if (dtypeField is null)
        {
            throw new FormatError(tensor + " has no \"dtype\"; expected " + EntryForm);
        }

        if (dtypeField.Kind != JsonKind.String)
        {
            throw new FormatError(tensor + " has dtype " + dtypeField.Describe() + "; expected a string, one of " + SupportedNames);
        }

        string dtype = Text(dtypeField.Text!, "the dtype of tensor " + Quote(name));
        int size = SizeOf(dtype);
        if (size == 0)
        {
            throw new FormatError(tensor + " has dtype " + Quote(dtype) + ", which NetGen does not read; expected one of " + SupportedNames);
        }

        // shape
        if (shapeField is null)
        {
            throw new FormatError(tensor + " has no \"shape\"; expected " + EntryForm);
        }

        if (shapeField.Kind != JsonKind.Array)
        {
            throw new FormatError(tensor + " has shape " + shapeField.Describe() + "; expected " + ShapeForm);
        }

        int[] shape = new int[shapeField.Items!.Count];
        bool hasZero = false;
        for (int i = 0; i < shape.Length; i++)
        {
            Json dim = shapeField.Items[i];
            if (!dim.TryGetInteger(out ulong d, out bool negative) || negative || d > int.MaxValue)
            {
                throw new FormatError(Format("{0} has shape {1} (dimension {2} is {3}); expected {4}", tensor, shapeField.Describe(), i, dim.Describe(), ShapeForm));
            }

            shape[i] = (int)d;
            hasZero |= d == 0;
        }

        long count = hasZero ? 0 : 1;
        if (!hasZero)
        {
            foreach (int d in shape)
            {
                count *= d; // count <= MaxElements and d <= int.MaxValue: no overflow
                if (count > MaxElements)
                {
                    throw new FormatError(Format("{0} has shape {1}, more than {2} elements; expected at most that (the largest array .NET can hold)", tensor, FormatShape(shape), MaxElements));
                }
            }
        }

        // data_offsets
        if (offsetsField is null)
        {
            throw new FormatError(tensor + " has no \"data_offsets\"; expected " + EntryForm);
        }

        if (offsetsField.Kind != JsonKind.Array || offsetsField.Items!.Count != 2
            || !offsetsField.Items[0].TryGetInteger(out ulong begin, out bool negativeBegin) || negativeBegin
            || !offsetsField.Items[1].TryGetInteger(out ulong end, out bool negativeEnd) || negativeEnd)
        {
            throw new FormatError(tensor + " has data_offsets " + offsetsField.Describe() + "; expected [begin, end], two non-negative integers");
        }

        string offsets = Format("data_offsets [{0}, {1}]", begin, end);
        if (end < begin)
        {
            throw new FormatError(tensor + " has " + offsets + ", which end before they begin; expected begin <= end");
        }

        if (end > (ulong)bufferLength)
        {
            throw new FormatError(Format("{0} has {1}, past the end of the {2}-byte data buffer; expected end <= {2}", tensor, offsets, bufferLength));
        }

        long expected = count * size;
        if ((long)(end - begin) != expected)
        {
            throw new FormatError(Format("{0} ({1}, shape {2}) has {3}, {4} bytes; expected {5} bytes ({6} elements x {7} bytes)", tensor, dtype, FormatShape(shape), offsets, end - begin, expected, count, size));
        }

        return new SafetensorsEntry(name, dtype, new EquatableArray<int>(shape), (int)begin, (int)end);
    }

    /// <summary>
    /// A string the header's meaning depends on (a name, a dtype, metadata), which must be text: a lone UTF-16
    /// surrogate from a \u escape is not (System.Text.Json refuses to decode it, so the runtime refuses the file).
    /// Strings nothing reads, such as unknown fields' values, are not checked, as in the runtime.
    /// </summary>
    private static string Text(string value, string what)
    {
        for (int i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                throw new FormatError(Format("{0} in the header is not valid text: it holds a lone UTF-16 surrogate \\u{1:X4}", what, (int)value[i]));
            }
        }

        return value;
    }

    private static Json Once(Json? slot, Json value, string tensor, string field) =>
        slot is null ? value : throw new FormatError(tensor + " has two \"" + field + "\" fields; expected one");

    /// <summary>Checks that the tensors tile [0, bufferLength) exactly.</summary>
    private static void CheckCoverage(List<(SafetensorsEntry Entry, int Index)> entries, int bufferLength)
    {
        var byOffset = new List<(SafetensorsEntry Entry, int Index)>(entries);
        byOffset.Sort(static (a, b) =>
            a.Entry.Begin != b.Entry.Begin ? a.Entry.Begin.CompareTo(b.Entry.Begin)
            : a.Entry.End != b.Entry.End ? a.Entry.End.CompareTo(b.Entry.End)
            : a.Index.CompareTo(b.Index));
        int covered = 0;
        SafetensorsEntry? previous = null;
        foreach ((SafetensorsEntry e, _) in byOffset)
        {
            if (e.Begin < covered)
            {
                throw new FormatError(Format(
                    "tensors {0} [{1}, {2}] and {3} [{4}, {5}] overlap; expected every byte of the data buffer to belong to exactly one tensor",
                    Quote(previous!.Name), previous.Begin, previous.End, Quote(e.Name), e.Begin, e.End));
            }

            if (e.Begin > covered)
            {
                string after = previous is null ? "at the start of the data buffer" : "between " + Quote(previous.Name) + " and " + Quote(e.Name);
                throw new FormatError(Format("bytes [{0}, {1}) of the data buffer belong to no tensor ({2}); expected the tensors to cover the buffer with no gaps", covered, e.Begin, after));
            }

            covered = e.End;
            previous = e;
        }

        if (covered != bufferLength)
        {
            throw new FormatError(Format(
                "the last {0} bytes of the {1}-byte data buffer (from {2}) belong to no tensor; expected the tensors to cover the buffer with no gaps or trailing bytes",
                bufferLength - covered, bufferLength, covered));
        }
    }

    /// <summary>Index (from the start of the header) of the first byte that is not well-formed UTF-8, or -1.</summary>
    private static int FirstInvalidUtf8(byte[] bytes, int start, int length)
    {
        int end = start + length;
        int i = start;
        while (i < end)
        {
            byte b = bytes[i];
            if (b < 0x80)
            {
                i++;
                continue;
            }

            int extra;
            int min;
            int code;
            if ((b & 0xE0) == 0xC0)
            {
                extra = 1;
                min = 0x80;
                code = b & 0x1F;
            }
            else if ((b & 0xF0) == 0xE0)
            {
                extra = 2;
                min = 0x800;
                code = b & 0x0F;
            }
            else if ((b & 0xF8) == 0xF0)
            {
                extra = 3;
                min = 0x10000;
                code = b & 0x07;
            }
            else
            {
                return i - start;
            }

            if (i + extra >= end)
            {
                return i - start;
            }

            for (int k = 1; k <= extra; k++)
            {
                byte c = bytes[i + k];
                if ((c & 0xC0) != 0x80)
                {
                    return i - start;
                }

                code = (code << 6) | (c & 0x3F);
            }

            if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            {
                return i - start;
            }

            i += extra + 1;
        }

        return -1;
    }

    public static string FormatShape(IEnumerable<int> shape) =>
        "[" + string.Join(", ", System.Linq.Enumerable.Select(shape, d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    public static string Quote(string name) => name.Length > 80 ? "'" + name.Substring(0, 77) + "...'" : "'" + name + "'";

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);

    /// <summary>A malformed file: caught in <see cref="Parse"/>, never leaves this class.</summary>
    private sealed class FormatError(string message) : Exception(message);

    private enum JsonKind
    {
        Object,
        Array,
        String,
        Number,
        True,
        False,
        Null,
    }

    /// <summary>A parsed JSON value; <see cref="Raw"/> is its source text (decoded only for messages and numbers).</summary>
    private sealed class Json(JsonKind kind, byte[] bytes, int start, int end)
    {
        public JsonKind Kind { get; } = kind;

        public string Raw => Encoding.UTF8.GetString(bytes, start, end - start);

        public List<(string Name, Json Value)>? Members { get; set; }

        public List<Json>? Items { get; set; }

        /// <summary>A string's decoded value.</summary>
        public string? Text { get; set; }

        /// <summary>An integer number (no fraction, no exponent) that fits 64 bits, and its sign.</summary>
        public bool TryGetInteger(out ulong value, out bool negative)
        {
            value = 0;
            negative = false;
            if (Kind != JsonKind.Number)
            {
                return false;
            }

            string digits = Raw;
            if (digits.StartsWith("-", StringComparison.Ordinal))
            {
                negative = true;
                digits = digits.Substring(1);
            }

            if (!ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value))
            {
                return false;
            }

            if (negative && value == 0)
            {
                negative = false; // -0 is zero
            }

            return true;
        }

        public string Describe()
        {
            string raw = end - start > 240 ? Encoding.UTF8.GetString(bytes, start, 240) : Raw;
            raw = raw.Length > 60 ? raw.Substring(0, 57) + "..." : raw;
            return Kind switch
            {
                JsonKind.Object => "an object (" + raw + ")",
                JsonKind.Array => "an array (" + raw + ")",
                JsonKind.String => "a string (" + raw + ")",
                JsonKind.Number => "a number (" + raw + ")",
                JsonKind.True or JsonKind.False => "a boolean (" + raw + ")",
                _ => "null",
            };
        }
    }

    /// <summary>Reads one JSON document (RFC 8259) from already validated UTF-8 bytes.</summary>
    private sealed class JsonReader
    {
        private readonly byte[] _bytes;
        private readonly int _start;
        private readonly int _end;
        private int _pos;

        public JsonReader(byte[] bytes, int start, int end)
        {
            _bytes = bytes;
            _start = start;
            _end = end;
            _pos = start;
        }

        public Json ReadDocument()
        {
            SkipWhitespace();
            Json root = ReadValue(0);
            SkipWhitespace();
            if (_pos != _end)
            {
                throw Error("unexpected " + Describe(_pos) + " after the end of the header object");
            }

            return root;
        }

        private Json ReadValue(int depth)
        {
            if (_pos >= _end)
            {
                throw Error("it ends where a value was expected");
            }

            int first = _pos;
            switch (_bytes[_pos])
            {
                case (byte)'{':
                    {
                        CheckDepth(depth);
                        _pos++;
                        var members = new List<(string, Json)>();
                        SkipWhitespace();
                        if (Peek() == '}')
                        {
                            _pos++;
                        }
                        else
                        {
                            while (true)
                            {
                                SkipWhitespace();
                                if (Peek() != '"')
                                {
                                    throw Error("expected a property name in quotes but found " + Describe(_pos));
                                }

                                string name = ReadString();
                                SkipWhitespace();
                                Expect(':');
                                SkipWhitespace();
                                members.Add((name, ReadValue(depth + 1)));
                                SkipWhitespace();
                                if (Peek() == ',')
                                {
                                    _pos++;
                                    continue;
                                }

                                Expect('}');
                                break;
                            }
                        }

                        return new Json(JsonKind.Object, _bytes, first, _pos) { Members = members };
                    }

                case (byte)'[':
                    {
                        CheckDepth(depth);
                        _pos++;
                        var items = new List<Json>();
                        SkipWhitespace();
                        if (Peek() == ']')
                        {
                            _pos++;
                        }
                        else
                        {
                            while (true)
                            {
                                SkipWhitespace();
                                items.Add(ReadValue(depth + 1));
                                SkipWhitespace();
                                if (Peek() == ',')
                                {
                                    _pos++;
                                    continue;
                                }

                                Expect(']');
                                break;
                            }
                        }

                        return new Json(JsonKind.Array, _bytes, first, _pos) { Items = items };
                    }

                case (byte)'"':
                    {
                        string text = ReadString();
                        return new Json(JsonKind.String, _bytes, first, _pos) { Text = text };
                    }

                case (byte)'t':
                    ReadLiteral("true");
                    return new Json(JsonKind.True, _bytes, first, _pos);
                case (byte)'f':
                    ReadLiteral("false");
                    return new Json(JsonKind.False, _bytes, first, _pos);
                case (byte)'n':
                    ReadLiteral("null");
                    return new Json(JsonKind.Null, _bytes, first, _pos);
                default:
                    ReadNumber();
                    return new Json(JsonKind.Number, _bytes, first, _pos);
            }
        }

        /// <summary><paramref name="depth"/> containers enclose this one; at most <see cref="MaxDepth"/> may be open at once.</summary>
        private void CheckDepth(int depth)
        {
            if (depth >= MaxDepth)
            {
                throw Error(Format("objects and arrays are nested deeper than {0} levels", MaxDepth));
            }
        }

        private string ReadString()
        {
            Expect('"');
            var text = new StringBuilder();
            int runStart = _pos;
            while (true)
            {
                if (_pos >= _end)
                {
                    throw Error("a string is not closed");
                }

                byte b = _bytes[_pos];
                if (b == '"')
                {
                    text.Append(Encoding.UTF8.GetString(_bytes, runStart, _pos - runStart));
                    _pos++;
                    break;
                }

                if (b < 0x20)
                {
                    throw Error(Format("a string holds the control character 0x{0:X2}; expected it escaped", b));
                }

                if (b != '\\')
                {
                    _pos++;
                    continue;
                }

                text.Append(Encoding.UTF8.GetString(_bytes, runStart, _pos - runStart));
                _pos++;
                char escaped = Peek();
                _pos++;
                switch (escaped)
                {
                    case '"': text.Append('"'); break;
                    case '\\': text.Append('\\'); break;
                    case '/': text.Append('/'); break;
                    case 'b': text.Append('\b'); break;
                    case 'f': text.Append('\f'); break;
                    case 'n': text.Append('\n'); break;
                    case 'r': text.Append('\r'); break;
                    case 't': text.Append('\t'); break;
                    case 'u': text.Append(ReadHex4()); break;
                    default: throw Error("a string holds an invalid escape \\" + (escaped == '\0' ? "(end)" : escaped.ToString()));
                }

                runStart = _pos;
            }

            return text.ToString(); // may hold lone surrogates from \u escapes: see Text
        }

        private char ReadHex4()
        {
            int value = 0;
            for (int i = 0; i < 4; i++)
            {
                int digit = _pos < _end ? HexValue(_bytes[_pos]) : -1;
                if (digit < 0)
                {
                    throw Error("a \\u escape needs four hex digits");
                }

                value = (value << 4) | digit;
                _pos++;
            }

            return (char)value;
        }

        private static int HexValue(byte b) => b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            _ => -1,
        };

        private void ReadNumber()
        {
            int first = _pos;
            if (Peek() == '-')
            {
                _pos++;
            }

            if (Peek() == '0')
            {
                _pos++;
            }
            else if (Peek() is >= '1' and <= '9')
            {
                SkipDigits();
            }
            else
            {
                _pos = first;
                throw Error("expected a value but found " + Describe(first));
            }

            if (Peek() == '.')
            {
                _pos++;
                if (Peek() is not (>= '0' and <= '9'))
                {
                    throw Error("a number has no digits after its decimal point");
                }

                SkipDigits();
            }

            if (Peek() is 'e' or 'E')
            {
                _pos++;
                if (Peek() is '+' or '-')
                {
                    _pos++;
                }

                if (Peek() is not (>= '0' and <= '9'))
                {
                    throw Error("a number has no digits in its exponent");
                }

                SkipDigits();
            }
        }

        private void SkipDigits()
        {
            while (Peek() is >= '0' and <= '9')
            {
                _pos++;
            }
        }

        private void ReadLiteral(string literal)
        {
            for (int i = 0; i < literal.Length; i++)
            {
                if (_pos + i >= _end || _bytes[_pos + i] != literal[i])
                {
                    throw Error("expected a value but found " + Describe(_pos));
                }
            }

            _pos += literal.Length;
        }

        private void SkipWhitespace()
        {
            while (_pos < _end && _bytes[_pos] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
            {
                _pos++;
            }
        }

        private char Peek() => _pos < _end ? (char)_bytes[_pos] : '\0';

        private void Expect(char c)
        {
            if (Peek() != c || _pos >= _end)
            {
                throw Error("expected '" + c + "' but found " + Describe(_pos));
            }

            _pos++;
        }

        private string Describe(int at) => at >= _end ? "the end of the header" : Format("'{0}'", (char)_bytes[at] is >= ' ' and <= '~' ? ((char)_bytes[at]).ToString() : Format("\\x{0:X2}", _bytes[at]));

        private FormatError Error(string what) =>
            new(Format("the header is not valid JSON: {0} (at byte {1} of the header)", what, _pos - _start));
    }
}
