using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;

namespace LeNet.Classify;

/// <summary>A greyscale image: <see cref="Width"/> × <see cref="Height"/> values in [0, 1], row after row (0 black, 1 white).</summary>
internal sealed record GrayImage(float[] Pixels, int Width, int Height);

/// <summary>An image file that cannot be read (a bad input file, like NetGen's <c>IdxFormatException</c>); the message names the file and what was expected.</summary>
internal sealed class ImageFormatException(string message) : IOException(message);

/// <summary>
/// Readers for the two image formats the sample takes, small enough to read in one sitting and free of
/// reflection, so they compile under Native AOT: PGM (netpbm P2 and P5, any maxval) and PNG (every colour type and
/// bit depth of the PNG specification, non-interlaced; zlib through <see cref="ZLibStream"/>).
/// </summary>
internal static class Images
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads a PGM or PNG file, chosen by its first bytes (not its name).</summary>
    public static GrayImage Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.AsSpan().StartsWith(PngSignature))
        {
            return ReadPng(bytes, path);
        }

        if (bytes.Length >= 2 && bytes[0] == (byte)'P' && (bytes[1] == (byte)'2' || bytes[1] == (byte)'5'))
        {
            return ReadPgm(bytes, path);
        }

        throw new ImageFormatException($"'{path}' is neither a PNG (signature 89 50 4E 47) nor a PGM (P2 or P5) image.");
    }

    // ---------- PGM ----------

    /// <summary>Netpbm greyscale: "P5" (binary) or "P2" (ASCII), width, height, maxval, then the pixels; '#' starts a comment.</summary>
    public static GrayImage ReadPgm(byte[] bytes, string path)
    {
        int position = 2;
        int width = PgmNumber(bytes, ref position, path, "width");
        int height = PgmNumber(bytes, ref position, path, "height");
        int maxValue = PgmNumber(bytes, ref position, path, "maxval");
        if (width <= 0 || height <= 0 || (long)width * height > 1 << 26)
        {
            throw new ImageFormatException($"'{path}': a PGM of {width} × {height} pixels; expected a positive size of at most 2^26 pixels.");
        }

        if (maxValue is <= 0 or > 65535)
        {
            throw new ImageFormatException($"'{path}': PGM maxval {maxValue}; expected 1 to 65535.");
        }

        var pixels = new float[width * height];
        if (bytes[1] == (byte)'2')
        {
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = Math.Min(PgmNumber(bytes, ref position, path, "pixel"), maxValue) / (float)maxValue;
            }

            return new GrayImage(pixels, width, height);
        }

        position++; // exactly one whitespace byte separates maxval from the binary pixels
        int size = maxValue < 256 ? 1 : 2;
        if (bytes.Length - position < (long)pixels.Length * size)
        {
            throw new ImageFormatException($"'{path}': a {width} × {height} P5 PGM needs {pixels.Length * size} bytes of pixels; the file has {Math.Max(0, bytes.Length - position)}.");
        }

        for (int i = 0; i < pixels.Length; i++)
        {
            int value = size == 1 ? bytes[position + i] : BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(position + (2 * i)));
            pixels[i] = Math.Min(value, maxValue) / (float)maxValue;
        }

        return new GrayImage(pixels, width, height);
    }

    private static int PgmNumber(byte[] bytes, ref int position, string path, string what)
    {
        while (position < bytes.Length && (char.IsWhiteSpace((char)bytes[position]) || bytes[position] == (byte)'#'))
        {
            if (bytes[position] == (byte)'#')
            {
                while (position < bytes.Length && bytes[position] != (byte)'\n')
                {
                    position++;
                }
            }
            else
            {
                position++;
            }
        }

        int start = position;
        long value = 0;
        while (position < bytes.Length && bytes[position] is >= (byte)'0' and <= (byte)'9' && value <= int.MaxValue)
        {
            value = (value * 10) + (bytes[position++] - '0');
        }

        if (position == start || value > int.MaxValue)
        {
            throw new ImageFormatException($"'{path}': expected the PGM {what} as a decimal number at byte {start}.");
        }

        return (int)value;
    }

    // ---------- PNG ----------

    /// <summary>
    /// Decodes a PNG to grey: colour through Rec. 601 luma, palette entries looked up, alpha (channel or tRNS)
    /// composited over white. Chunk CRCs are not checked; the zlib stream's own checksum is.
    /// </summary>
    public static GrayImage ReadPng(byte[] bytes, string path)
    {
        int width = 0, height = 0, bitDepth = 0, colorType = -1;
        byte[]? palette = null, transparency = null;
        var compressed = new MemoryStream();
        int position = 8;
        bool sawEnd = false;
        while (!sawEnd)
        {
            if (bytes.Length - position < 12)
            {
                throw new ImageFormatException($"'{path}': the PNG ends inside a chunk header at byte {position}; expected chunks up to IEND.");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(position));
            string type = System.Text.Encoding.ASCII.GetString(bytes, position + 4, 4);
            if (length > (uint)(bytes.Length - position - 12))
            {
                throw new ImageFormatException($"'{path}': PNG chunk {type} at byte {position} claims {length} bytes; only {bytes.Length - position - 12} remain.");
            }

            ReadOnlySpan<byte> data = bytes.AsSpan(position + 8, (int)length);
            switch (type)
            {
                case "IHDR":
                    if (data.Length != 13)
                    {
                        throw new ImageFormatException($"'{path}': the PNG IHDR chunk has {data.Length} bytes; expected 13.");
                    }

                    width = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data), int.MaxValue);
                    height = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data[4..]), int.MaxValue);
                    bitDepth = data[8];
                    colorType = data[9];
                    if (data[10] != 0 || data[11] != 0)
                    {
                        throw new ImageFormatException($"'{path}': PNG compression method {data[10]} / filter method {data[11]}; expected 0 / 0.");
                    }

                    if (data[12] != 0)
                    {
                        throw new ImageFormatException($"'{path}': the PNG is interlaced (Adam7), which this reader does not decode; save it without interlacing.");
                    }

                    break;
                case "PLTE":
                    palette = data.ToArray();
                    break;
                case "tRNS":
                    transparency = data.ToArray();
                    break;
                case "IDAT":
                    compressed.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                default:
                    break; // ancillary chunks (gAMA, pHYs, tEXt, …) do not change the grey values used here
            }

            position += 12 + (int)length;
        }

        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        bool depthValid = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => bitDepth is 8 or 16,
            _ => false,
        };
        if (channels == 0 || !depthValid)
        {
            throw new ImageFormatException($"'{path}': PNG colour type {colorType} with bit depth {bitDepth} is not a combination the PNG specification allows.");
        }

        if (width <= 0 || height <= 0 || (long)width * height > 1 << 26)
        {
            throw new ImageFormatException($"'{path}': a PNG of {width} × {height} pixels; expected a positive size of at most 2^26 pixels.");
        }

        if (colorType == 3 && (palette is null || palette.Length % 3 != 0))
        {
            throw new ImageFormatException($"'{path}': a palette PNG without a valid PLTE chunk.");
        }

        int bitsPerPixel = channels * bitDepth;
        int stride = (int)(((long)width * bitsPerPixel + 7) / 8);
        int filterStep = Math.Max(1, bitsPerPixel / 8);
        byte[] raw = Inflate(compressed, (long)(stride + 1) * height, path);

        var pixels = new float[width * height];
        var previous = new byte[stride];
        var current = new byte[stride];
        for (int y = 0; y < height; y++)
        {
            int rowStart = y * (stride + 1);
            raw.AsSpan(rowStart + 1, stride).CopyTo(current);
            Unfilter(raw[rowStart], current, previous, filterStep, path, y);
            for (int x = 0; x < width; x++)
            {
                pixels[(y * width) + x] = GrayAt(current, x, colorType, bitDepth, palette, transparency);
            }

            (previous, current) = (current, previous);
        }

        return new GrayImage(pixels, width, height);
    }

    private static byte[] Inflate(MemoryStream compressed, long expected, string path)
    {
        if (expected > int.MaxValue)
        {
            throw new ImageFormatException($"'{path}': the PNG's pixel data would be {expected} bytes; too large.");
        }

        compressed.Position = 0;
        var raw = new byte[expected];
        try
        {
            using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
            int read = zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            if (read < raw.Length)
            {
                throw new ImageFormatException($"'{path}': the PNG's image data inflates to {read} bytes; expected {raw.Length}.");
            }
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException($"'{path}': the PNG's image data is not a valid zlib stream: {e.Message}");
        }

        return raw;
    }

    /// <summary>Undoes one scanline's filter (PNG specification §9: None, Sub, Up, Average, Paeth).</summary>
    private static void Unfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> above, int step, string path, int y)
    {
        switch (filter)
        {
            case 0:
                break;
            case 1:
                for (int i = step; i < row.Length; i++)
                {
                    row[i] += row[i - step];
                }

                break;
            case 2:
                for (int i = 0; i < row.Length; i++)
                {
                    row[i] += above[i];
                }

                break;
            case 3:
                for (int i = 0; i < row.Length; i++)
                {
                    int left = i >= step ? row[i - step] : 0;
                    row[i] += (byte)((left + above[i]) / 2);
                }

                break;
            case 4:
                for (int i = 0; i < row.Length; i++)
                {
                    int a = i >= step ? row[i - step] : 0, b = above[i], c = i >= step ? above[i - step] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    row[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }

                break;
            default:
                throw new ImageFormatException($"'{path}': PNG row {y} has filter type {filter}; expected 0 to 4.");
        }
    }

    private static float GrayAt(ReadOnlySpan<byte> row, int x, int colorType, int bitDepth, byte[]? palette, byte[]? transparency)
    {
        float max = (1 << bitDepth) - 1;

        float gray, alpha = 1f;
        switch (colorType)
        {
            case 0:
                {
                    int v = SampleAt(row, x, bitDepth);
                    gray = v / max;
                    if (transparency is { Length: >= 2 } && v == BinaryPrimitives.ReadUInt16BigEndian(transparency))
                    {
                        alpha = 0f;
                    }

                    break;
                }

            case 2:
                gray = Luma(SampleAt(row, 3 * x, bitDepth), SampleAt(row, (3 * x) + 1, bitDepth), SampleAt(row, (3 * x) + 2, bitDepth)) / max;
                break;
            case 3:
                {
                    int index = SampleAt(row, x, bitDepth);
                    if (3 * index + 2 >= palette!.Length)
                    {
                        return 1f; // an index past the palette: treat as background
                    }

                    gray = Luma(palette[3 * index], palette[(3 * index) + 1], palette[(3 * index) + 2]) / 255f;
                    alpha = transparency is not null && index < transparency.Length ? transparency[index] / 255f : 1f;
                    break;
                }

            case 4:
                gray = SampleAt(row, 2 * x, bitDepth) / max;
                alpha = SampleAt(row, (2 * x) + 1, bitDepth) / max;
                break;
            default:
                gray = Luma(SampleAt(row, 4 * x, bitDepth), SampleAt(row, (4 * x) + 1, bitDepth), SampleAt(row, (4 * x) + 2, bitDepth)) / max;
                alpha = SampleAt(row, (4 * x) + 3, bitDepth) / max;
                break;
        }

        return (alpha * gray) + (1f - alpha); // over white
    }

    /// <summary>Sample <paramref name="index"/> of a row: 16-bit big-endian, a byte, or 1, 2 or 4 bits from the high end.</summary>
    private static int SampleAt(ReadOnlySpan<byte> row, int index, int bitDepth)
    {
        switch (bitDepth)
        {
            case 16:
                return BinaryPrimitives.ReadUInt16BigEndian(row[(2 * index)..]);
            case 8:
                return row[index];
            default:
                int bit = index * bitDepth;
                return (row[bit / 8] >> (8 - bitDepth - (bit % 8))) & ((1 << bitDepth) - 1);
        }
    }

    private static float Luma(int r, int g, int b) => (0.299f * r) + (0.587f * g) + (0.114f * b);
}

/// <summary>
/// Turns any greyscale picture of one digit into what LeNet-5 was trained on: MNIST's 28 × 28, white ink on black,
/// the digit fitted into a 20 × 20 box and centred by its centre of mass (LeCun et al.'s preprocessing).
/// </summary>
internal static class Digit
{
    public const int Side = 28;
    private const int Box = 20;
    private const float Ink = 0.1f;

    /// <summary>
    /// A 28 × 28 image is taken as it is (already MNIST-like), only inverted when its border is light; any other size
    /// is inverted the same way, cropped to its ink, scaled to fit 20 × 20 (area averaging) and centred by mass.
    /// </summary>
    public static float[] Normalize(GrayImage image)
    {
        float[] ink = (float[])image.Pixels.Clone();
        if (BorderMean(image) > 0.5f)
        {
            for (int i = 0; i < ink.Length; i++)
            {
                ink[i] = 1f - ink[i];
            }
        }

        if (image.Width == Side && image.Height == Side)
        {
            return ink;
        }

        // The ink's bounding box.
        int left = image.Width, right = -1, top = image.Height, bottom = -1;
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                if (ink[(y * image.Width) + x] > Ink)
                {
                    left = Math.Min(left, x);
                    right = Math.Max(right, x);
                    top = Math.Min(top, y);
                    bottom = Math.Max(bottom, y);
                }
            }
        }

        var result = new float[Side * Side];
        if (right < 0)
        {
            return result; // blank
        }

        int w = right - left + 1, h = bottom - top + 1;
        float scale = (float)Box / Math.Max(w, h);
        int sw = Math.Max(1, (int)MathF.Round(w * scale)), sh = Math.Max(1, (int)MathF.Round(h * scale));
        float[] scaled = AreaResample(ink, image.Width, left, top, w, h, sw, sh);

        // Centre of mass to the middle of the 28 × 28 frame.
        double mass = 0, mx = 0, my = 0;
        for (int y = 0; y < sh; y++)
        {
            for (int x = 0; x < sw; x++)
            {
                float v = scaled[(y * sw) + x];
                mass += v;
                mx += v * (x + 0.5);
                my += v * (y + 0.5);
            }
        }

        int offsetX = Math.Clamp((int)Math.Round((Side / 2.0) - (mx / mass)), 0, Side - sw);
        int offsetY = Math.Clamp((int)Math.Round((Side / 2.0) - (my / mass)), 0, Side - sh);
        for (int y = 0; y < sh; y++)
        {
            scaled.AsSpan(y * sw, sw).CopyTo(result.AsSpan(((offsetY + y) * Side) + offsetX, sw));
        }

        return result;
    }

    private static float BorderMean(GrayImage image)
    {
        double sum = 0;
        int count = 0;
        for (int x = 0; x < image.Width; x++)
        {
            sum += image.Pixels[x] + image.Pixels[((image.Height - 1) * image.Width) + x];
            count += 2;
        }

        for (int y = 1; y < image.Height - 1; y++)
        {
            sum += image.Pixels[y * image.Width] + image.Pixels[(y * image.Width) + image.Width - 1];
            count += 2;
        }

        return (float)(sum / count);
    }

    /// <summary>Resamples the w × h region at (left, top) to sw × sh, each output pixel the mean of the source area it covers.</summary>
    private static float[] AreaResample(float[] source, int stride, int left, int top, int w, int h, int sw, int sh)
    {
        var result = new float[sw * sh];
        double fx = (double)w / sw, fy = (double)h / sh;
        for (int y = 0; y < sh; y++)
        {
            double y0 = y * fy, y1 = (y + 1) * fy;
            for (int x = 0; x < sw; x++)
            {
                double x0 = x * fx, x1 = (x + 1) * fx, sum = 0;
                for (int sy = (int)y0; sy < Math.Min(h, (int)Math.Ceiling(y1)); sy++)
                {
                    double cy = Math.Min(y1, sy + 1) - Math.Max(y0, sy);
                    for (int sx = (int)x0; sx < Math.Min(w, (int)Math.Ceiling(x1)); sx++)
                    {
                        double cx = Math.Min(x1, sx + 1) - Math.Max(x0, sx);
                        sum += cx * cy * source[((top + sy) * stride) + left + sx];
                    }
                }

                result[(y * sw) + x] = (float)(sum / (fx * fy));
            }
        }

        return result;
    }

    /// <summary>Formats a probability for output: four decimals, invariant culture.</summary>
    public static string Probability(float p) => p.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>Softmax of the logits, in place of <paramref name="probabilities"/>.</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logits)
        {
            max = Math.Max(max, v);
        }

        float sum = 0f;
        for (int i = 0; i < logits.Length; i++)
        {
            probabilities[i] = MathF.Exp(logits[i] - max);
            sum += probabilities[i];
        }

        for (int i = 0; i < logits.Length; i++)
        {
            probabilities[i] /= sum;
        }
    }

    /// <summary>The index of the largest value (the first, on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
    }

    /// <summary>The ten probabilities on one line: <c>0=0.0000 1=0.0002 …</c>.</summary>
    public static string ProbabilityList(ReadOnlySpan<float> probabilities)
    {
        var parts = new List<string>(probabilities.Length);
        for (int i = 0; i < probabilities.Length; i++)
        {
            parts.Add(i.ToString(CultureInfo.InvariantCulture) + "=" + Probability(probabilities[i]));
        }

        return string.Join(' ', parts);
    }
}
