using System;

namespace NetGen;

/// <summary>
/// Data augmentation for image data sets ([channels, height, width] samples), done once ahead of training: the
/// result is an ordinary <see cref="Dataset"/>, so training stays allocation-free and a seed gives the same data.
/// </summary>
public static class ImageAugmentation
{
    /// <summary>
    /// The original samples followed by <paramref name="copies"/> translated copies of each: every copy of a sample
    /// is moved by its own random whole-pixel offset (dx, dy), each uniform in
    /// [−<paramref name="maxShift"/>, <paramref name="maxShift"/>], all channels alike; pixels moved in from
    /// outside the image are 0 (torchvision's <c>RandomAffine(translate=…)</c> with fill 0, at whole pixels).
    /// Labels, class names and targets are carried over.
    /// </summary>
    /// <param name="data">Images of shape [channels, height, width].</param>
    /// <param name="copies">Translated copies per sample (0 returns a copy of the original samples).</param>
    /// <param name="maxShift">Largest shift in pixels, in each direction; below the image's height and width.</param>
    /// <param name="seed">Seed of the offsets.</param>
    /// <returns>A new data set of (<paramref name="copies"/> + 1) × <c>data.Count</c> samples: the originals first, then copy 1 of every sample, and so on.</returns>
    public static Dataset RandomTranslations(Dataset data, int copies, int maxShift, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(copies);
        ArgumentOutOfRangeException.ThrowIfNegative(maxShift);
        (int channels, int height, int width) = ImageShape(data, nameof(data));
        if (maxShift >= height || maxShift >= width)
        {
            throw new ArgumentOutOfRangeException(nameof(maxShift), maxShift, $"A shift must stay below the image size {height} x {width}.");
        }

        var rng = new Rng(seed);
        return WithCopies(data, copies, (source, target) =>
        {
            int dx = rng.NextInt((2 * maxShift) + 1) - maxShift;
            int dy = rng.NextInt((2 * maxShift) + 1) - maxShift;
            Translate(source, target, channels, height, width, dx, dy);
        });
    }

    /// <summary>
    /// The original samples followed by a left–right mirrored copy of each (every row reversed, all channels):
    /// torchvision's <c>RandomHorizontalFlip</c> with both outcomes kept. For data whose classes do not depend on
    /// handedness, such as clothes; not for digits or letters.
    /// </summary>
    /// <param name="data">Images of shape [channels, height, width].</param>
    /// <returns>A new data set of 2 × <c>data.Count</c> samples: the originals, then their mirror images in the same order.</returns>
    public static Dataset HorizontalFlips(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        (int channels, int height, int width) = ImageShape(data, nameof(data));
        return WithCopies(data, 1, (source, target) =>
        {
            for (int row = 0; row < channels * height; row++)
            {
                source.Slice(row * width, width).CopyTo(target.Slice(row * width, width));
                target.Slice(row * width, width).Reverse();
            }
        });
    }

    /// <summary>
    /// The original samples followed by <paramref name="copies"/> randomly warped copies of each, like
    /// torchvision's <c>RandomAffine(degrees, translate, scale)</c> with bilinear interpolation and fill 0: every
    /// copy of a sample is rotated about the image centre by an angle uniform in [−<paramref name="degrees"/>,
    /// <paramref name="degrees"/>], scaled by a factor uniform in [<paramref name="minScale"/>,
    /// <paramref name="maxScale"/>] and moved by offsets uniform in [−<paramref name="maxShift"/>,
    /// <paramref name="maxShift"/>] pixels (not rounded), all channels alike. Labels, class names and targets
    /// are carried over.
    /// </summary>
    /// <param name="data">Images of shape [channels, height, width].</param>
    /// <param name="copies">Warped copies per sample (0 returns a copy of the original samples).</param>
    /// <param name="degrees">Largest rotation, in degrees, either way; in [0, 180].</param>
    /// <param name="minScale">Smallest scale factor; positive.</param>
    /// <param name="maxScale">Largest scale factor; at least <paramref name="minScale"/>.</param>
    /// <param name="maxShift">Largest translation in pixels, in each direction; in [0, the image's height and width).</param>
    /// <param name="seed">Seed of the transformations.</param>
    /// <returns>A new data set of (<paramref name="copies"/> + 1) × <c>data.Count</c> samples: the originals first, then copy 1 of every sample, and so on.</returns>
    public static Dataset RandomAffine(Dataset data, int copies, float degrees, float minScale, float maxScale, float maxShift, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(copies);
        if (!(degrees >= 0 && degrees <= 180))
        {
            throw new ArgumentOutOfRangeException(nameof(degrees), degrees, "The largest rotation must be in [0, 180] degrees.");
        }

        if (!(minScale > 0 && float.IsFinite(minScale)))
        {
            throw new ArgumentOutOfRangeException(nameof(minScale), minScale, "The smallest scale factor must be positive and finite.");
        }

        if (!(maxScale >= minScale && float.IsFinite(maxScale)))
        {
            throw new ArgumentOutOfRangeException(nameof(maxScale), maxScale, $"The largest scale factor must be finite and at least the smallest, {minScale}.");
        }

        (int channels, int height, int width) = ImageShape(data, nameof(data));
        if (!(maxShift >= 0 && maxShift < height && maxShift < width))
        {
            throw new ArgumentOutOfRangeException(nameof(maxShift), maxShift, $"A shift must be ≥ 0 and stay below the image size {height} x {width}.");
        }

        var rng = new Rng(seed);
        return WithCopies(data, copies, (source, target) =>
        {
            double angle = ((2 * rng.NextFloat()) - 1) * degrees * Math.PI / 180;
            double scale = minScale + (rng.NextFloat() * (maxScale - minScale));
            double dx = ((2 * rng.NextFloat()) - 1) * maxShift;
            double dy = ((2 * rng.NextFloat()) - 1) * maxShift;
            Warp(source, target, channels, height, width, angle, scale, dx, dy);
        });
    }

    /// <summary>
    /// Rotates by <paramref name="angle"/> radians and scales by <paramref name="scale"/> about the centre
    /// ((width − 1) / 2, (height − 1) / 2), then moves by (<paramref name="dx"/>, <paramref name="dy"/>): each
    /// target pixel p reads the source at c + M⁻¹(p − c − d), M = scale·R(angle) (x right, y down), bilinearly,
    /// with 0 outside the image.
    /// </summary>
    internal static void Warp(ReadOnlySpan<float> source, Span<float> target, int channels, int height, int width, double angle, double scale, double dx, double dy)
    {
        double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
        double cos = Math.Cos(angle) / scale, sin = Math.Sin(angle) / scale;
        int plane = height * width;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double ux = x - cx - dx, uy = y - cy - dy;
                double sx = (cos * ux) + (sin * uy) + cx, sy = (-sin * ux) + (cos * uy) + cy;
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                double fx = sx - x0, fy = sy - y0;
                for (int c = 0; c < channels; c++)
                {
                    ReadOnlySpan<float> image = source.Slice(c * plane, plane);
                    double top = ((1 - fx) * Pixel(image, height, width, y0, x0)) + (fx * Pixel(image, height, width, y0, x0 + 1));
                    double bottom = ((1 - fx) * Pixel(image, height, width, y0 + 1, x0)) + (fx * Pixel(image, height, width, y0 + 1, x0 + 1));
                    target[(c * plane) + (y * width) + x] = (float)(((1 - fy) * top) + (fy * bottom));
                }
            }
        }
    }

    private static float Pixel(ReadOnlySpan<float> image, int height, int width, int y, int x) =>
        (uint)y < (uint)height && (uint)x < (uint)width ? image[(y * width) + x] : 0f;

    private static (int Channels, int Height, int Width) ImageShape(Dataset data, string argument)
    {
        if (data.SampleShape.Count != 3)
        {
            throw new ArgumentException(
                $"Augmentation needs images of shape [channels, height, width]; this data set's samples have shape [{string.Join(", ", data.SampleShape)}].",
                argument);
        }

        return (data.SampleShape[0], data.SampleShape[1], data.SampleShape[2]);
    }

    /// <summary>The originals, then <paramref name="copies"/> rounds of <paramref name="transform"/> applied to every sample in order.</summary>
    private static Dataset WithCopies(Dataset data, int copies, TransformSample transform)
    {
        int n = data.Count, size = data.SampleSize;
        long total = (long)n * (copies + 1);
        if (total * size > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(copies), copies, $"{copies} copies of {n} samples of {size} floats do not fit in one array.");
        }

        float[] features = new float[total * size];
        int[] labels = new int[total];
        float[]? targets = data.Targets is null ? null : new float[total * data.TargetSize];
        for (int copy = 0; copy <= copies; copy++)
        {
            data.Labels.CopyTo(labels, copy * n);
            data.Targets?.CopyTo(targets!, (long)copy * n * data.TargetSize);
            for (int i = 0; i < n; i++)
            {
                Span<float> target = features.AsSpan((copy * n + i) * size, size);
                if (copy == 0)
                {
                    data.Sample(i).CopyTo(target);
                }
                else
                {
                    transform(data.Sample(i), target);
                }
            }
        }

        return new Dataset(features, labels, data.SampleShape, data.ClassCount, data.ClassNames, targets);
    }

    private delegate void TransformSample(ReadOnlySpan<float> source, Span<float> target);

    /// <summary>target[c, y, x] = source[c, y − dy, x − dx], 0 where that lies outside the image; target starts zeroed.</summary>
    private static void Translate(ReadOnlySpan<float> source, Span<float> target, int channels, int height, int width, int dx, int dy)
    {
        int columns = width - Math.Abs(dx);
        int fromX = Math.Max(0, -dx), toX = Math.Max(0, dx);
        for (int c = 0; c < channels; c++)
        {
            for (int y = Math.Max(0, dy); y < Math.Min(height, height + dy); y++)
            {
                int plane = c * height * width;
                source.Slice(plane + ((y - dy) * width) + fromX, columns).CopyTo(target.Slice(plane + (y * width) + toX, columns));
            }
        }
    }
}
