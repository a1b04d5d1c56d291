using System;
using System.Collections.Generic;
using System.Linq;
using NetGen;
using Xunit;

namespace NetGen.Tests.Data;

public sealed class ImageAugmentationTests
{
    // Images whose pixels are all distinct and non-zero, so a translated copy identifies its own offset.
    private static Dataset DistinctImages(int count, int channels, int height, int width, bool withTargets = false)
    {
        int size = channels * height * width;
        float[] features = new float[count * size];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = i + 1;
        }

        int[] labels = [.. Enumerable.Range(0, count).Select(i => i % 3)];
        float[]? targets = withTargets ? [.. Enumerable.Range(0, count * 2).Select(i => i * 0.5f)] : null;
        return new Dataset(features, labels, [channels, height, width], 3, ["a", "b", "c"], targets);
    }

    // The definition, pixel by pixel: out[c, y, x] = in[c, y − dy, x − dx], 0 outside.
    private static float[] Translated(ReadOnlySpan<float> image, int channels, int height, int width, int dx, int dy)
    {
        float[] result = new float[image.Length];
        for (int c = 0; c < channels; c++)
        {
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    int sy = y - dy, sx = x - dx;
                    result[(c * height * width) + (y * width) + x] =
                        sy >= 0 && sy < height && sx >= 0 && sx < width ? image[(c * height * width) + (sy * width) + sx] : 0f;
                }
            }
        }

        return result;
    }

    [Fact]
    public void Hand_computed_shifts_of_a_3x3_image_appear_with_zeros_moved_in()
    {
        var data = new Dataset([1, 2, 3, 4, 5, 6, 7, 8, 9], [0], [1, 3, 3], 1);
        Dataset augmented = ImageAugmentation.RandomTranslations(data, copies: 100, maxShift: 1, seed: 5);
        float[][] copies = [.. Enumerable.Range(1, 100).Select(i => augmented.Sample(i).ToArray())];

        // dx = +1, dy = −1: one column right, one row up.
        Assert.Contains(copies, c => c.SequenceEqual(new float[] { 0, 4, 5, 0, 7, 8, 0, 0, 0 }));
        // dx = −1, dy = −1: one column left, one row up.
        Assert.Contains(copies, c => c.SequenceEqual(new float[] { 5, 6, 0, 8, 9, 0, 0, 0, 0 }));
        // dx = 0, dy = +1: one row down.
        Assert.Contains(copies, c => c.SequenceEqual(new float[] { 0, 0, 0, 1, 2, 3, 4, 5, 6 }));
        Assert.All(copies, c => Assert.Equal(9, c.Length));
    }

    [Theory]
    [InlineData(1, 5, 5, 1)]
    [InlineData(2, 4, 6, 2)]
    [InlineData(3, 7, 7, 3)]
    public void Every_copy_is_the_original_translated_by_one_offset_within_the_range(int channels, int height, int width, int maxShift)
    {
        Dataset data = DistinctImages(count: 20, channels, height, width);
        Dataset augmented = ImageAugmentation.RandomTranslations(data, copies: 3, maxShift, seed: 7);

        Assert.Equal(80, augmented.Count);
        var seen = new HashSet<(int, int)>();
        for (int copy = 0; copy <= 3; copy++)
        {
            for (int i = 0; i < data.Count; i++)
            {
                float[] actual = augmented.Sample((copy * data.Count) + i).ToArray();
                Assert.Equal(data.Labels[i], augmented.Labels[(copy * data.Count) + i]);
                if (copy == 0)
                {
                    Assert.Equal(data.Sample(i).ToArray(), actual);
                    continue;
                }

                var matches = new List<(int, int)>();
                for (int dy = -maxShift; dy <= maxShift; dy++)
                {
                    for (int dx = -maxShift; dx <= maxShift; dx++)
                    {
                        if (Translated(data.Sample(i), channels, height, width, dx, dy).AsSpan().SequenceEqual(actual))
                        {
                            matches.Add((dx, dy));
                        }
                    }
                }

                (int, int) offset = Assert.Single(matches);
                seen.Add(offset);
            }
        }

        // 60 draws over (2m + 1)² offsets: more than one offset, and with m = 1 (9 offsets) nearly all of them.
        Assert.True(seen.Count > (maxShift == 1 ? 6 : 10), $"only {seen.Count} distinct offsets in 60 copies");
    }

    [Fact]
    public void Offsets_are_uniform_over_the_square()
    {
        // One bright pixel in the middle of a 9 x 9 image: where it lands gives the offset.
        const int Count = 2000;
        float[] features = new float[Count * 81];
        for (int i = 0; i < Count; i++)
        {
            features[(i * 81) + 40] = 1;
        }

        var data = new Dataset(features, new int[Count], [1, 9, 9], 1);
        Dataset augmented = ImageAugmentation.RandomTranslations(data, copies: 5, maxShift: 2, seed: 3);
        var counts = new int[25];
        for (int s = Count; s < augmented.Count; s++)
        {
            int at = augmented.Sample(s).IndexOf(1f);
            int dy = (at / 9) - 4, dx = (at % 9) - 4;
            Assert.InRange(dx, -2, 2);
            Assert.InRange(dy, -2, 2);
            counts[((dy + 2) * 5) + dx + 2]++;
        }

        // 10,000 draws, 400 expected per offset (σ ≈ 19.6): every one within ±25 %.
        Assert.All(counts, c => Assert.InRange(c, 300, 500));
    }

    [Fact]
    public void Labels_targets_and_class_names_are_carried_and_the_seed_fixes_the_result()
    {
        Dataset data = DistinctImages(count: 6, 1, 6, 6, withTargets: true);
        Dataset a = ImageAugmentation.RandomTranslations(data, copies: 2, maxShift: 2, seed: 11);
        Dataset b = ImageAugmentation.RandomTranslations(data, copies: 2, maxShift: 2, seed: 11);
        Dataset c = ImageAugmentation.RandomTranslations(data, copies: 2, maxShift: 2, seed: 12);

        Assert.Equal(a.Features, b.Features);
        Assert.NotEqual(a.Features, c.Features);
        Assert.Equal(data.Labels.Concat(data.Labels).Concat(data.Labels), a.Labels);
        Assert.Equal(data.Targets!.Concat(data.Targets!).Concat(data.Targets!), a.Targets!);
        Assert.Equal(data.ClassNames, a.ClassNames);
        Assert.Equal(data.SampleShape, a.SampleShape);
    }

    [Fact]
    public void No_copies_gives_a_copy_of_the_originals_that_shares_nothing()
    {
        Dataset data = DistinctImages(count: 4, 1, 5, 5);
        Dataset same = ImageAugmentation.RandomTranslations(data, copies: 0, maxShift: 2, seed: 1);

        Assert.Equal(data.Features, same.Features);
        Assert.NotSame(data.Features, same.Features);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_what_was_expected()
    {
        Dataset images = DistinctImages(count: 2, 1, 4, 4);
        var flat = new Dataset(new float[8], new int[2], [4], 2);

        ArgumentException shape = Assert.Throws<ArgumentException>(() => ImageAugmentation.RandomTranslations(flat, 1, 1, 0));
        Assert.Contains("[channels, height, width]", shape.Message, StringComparison.Ordinal);
        Assert.Contains("[4]", shape.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageAugmentation.RandomTranslations(images, -1, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageAugmentation.RandomTranslations(images, 1, -1, 0));
        ArgumentOutOfRangeException tooFar = Assert.Throws<ArgumentOutOfRangeException>(() => ImageAugmentation.RandomTranslations(images, 1, 4, 0));
        Assert.Contains("4 x 4", tooFar.Message, StringComparison.Ordinal);
    }

    // ---------- RandomAffine ----------

    [Fact]
    public void Warp_by_90_degrees_turns_a_3x3_image_and_the_identity_changes_nothing()
    {
        float[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        float[] turned = new float[9], same = new float[9];

        ImageAugmentation.Warp(image, turned, 1, 3, 3, Math.PI / 2, 1, 0, 0);
        ImageAugmentation.Warp(image, same, 1, 3, 3, 0, 1, 0, 0);

        // With x right and y down, a +90° turn takes the pixel right of the centre to below it: target(x, y)
        // reads source(y, 2 − x) about centre (1, 1).
        float[] expected = [7, 4, 1, 8, 5, 2, 9, 6, 3];
        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(expected[i], turned[i], 5);
        }

        Assert.Equal(image, same);
    }

    [Fact]
    public void Warp_by_half_a_pixel_averages_neighbours_and_fills_zeros()
    {
        float[] image = [2, 4, 6, 8];                     // one row of four
        float[] moved = new float[4];

        ImageAugmentation.Warp(image, moved, 1, 1, 4, 0, 1, dx: 0.5, dy: 0);

        // target(x) = source(x − 0.5): (0 + 2) / 2, (2 + 4) / 2, (4 + 6) / 2, (6 + 8) / 2 (0 moved in on the left).
        Assert.Equal(new float[] { 1, 3, 5, 7 }, moved);
    }

    [Fact]
    public void Warp_by_scale_2_magnifies_about_the_centre()
    {
        // A ramp f(x, y) = x on a 5 x 5 image: scaled by 2 about x = 2 it becomes 2 + (x − 2) / 2 inside.
        float[] ramp = new float[25];
        for (int i = 0; i < 25; i++)
        {
            ramp[i] = i % 5;
        }

        float[] zoomed = new float[25];
        ImageAugmentation.Warp(ramp, zoomed, 1, 5, 5, 0, 2, 0, 0);

        for (int y = 0; y < 5; y++)
        {
            for (int x = 0; x < 5; x++)
            {
                Assert.Equal(2 + ((x - 2) / 2f), zoomed[(y * 5) + x], 5);
            }
        }
    }

    [Fact]
    public void Random_shifts_and_angles_are_drawn_from_the_whole_range_and_no_further()
    {
        // Interior pixels of a linear image a·x + b·y stay linear under any affine warp, so each copy's gradient
        // gives its rotation and its value at the centre gives its shift: an oracle from the closed form.
        const int Size = 21, Count = 400;
        float[] features = new float[Count * Size * Size];
        for (int i = 0; i < features.Length; i++)
        {
            int x = i % Size, y = (i / Size) % Size;
            features[i] = x + (3 * y) + 100;
        }

        var data = new Dataset(features, new int[Count], [1, Size, Size], 1);
        Dataset shifted = ImageAugmentation.RandomAffine(data, copies: 1, degrees: 0, minScale: 1, maxScale: 1, maxShift: 2, seed: 9);
        Dataset turned = ImageAugmentation.RandomAffine(data, copies: 1, degrees: 20, minScale: 0.8f, maxScale: 1.25f, maxShift: 0, seed: 9);

        var shifts = new List<double>();
        var angles = new List<double>();
        var scales = new List<double>();
        for (int i = Count; i < 2 * Count; i++)
        {
            ReadOnlySpan<float> s = shifted.Sample(i);
            float At(ReadOnlySpan<float> img, int x, int y) => img[(y * Size) + x];

            // f(x − dx, y − dy) = f(x, y) − dx − 3·dy, and the gradient is unchanged.
            Assert.Equal(1, At(s, 11, 10) - At(s, 10, 10), 3);
            Assert.Equal(3, At(s, 10, 11) - At(s, 10, 10), 3);
            double offset = 140 - At(s, 10, 10);           // dx + 3·dy, with f(10, 10) = 140 originally
            Assert.InRange(offset, -8.0001, 8.0001);
            shifts.Add(offset);

            // g(p) = f(c + M⁻¹(p − c)): its gradient is M⁻ᵀ(1, 3), of length √10 / scale, turned by the angle.
            ReadOnlySpan<float> t = turned.Sample(i);
            double gx = At(t, 11, 10) - At(t, 10, 10), gy = At(t, 10, 11) - At(t, 10, 10);
            double scale = Math.Sqrt(10) / Math.Sqrt((gx * gx) + (gy * gy));
            double angle = (Math.Atan2(gy, gx) - Math.Atan2(3, 1)) * 180 / Math.PI;
            Assert.InRange(scale, 0.8 - 1e-4, 1.25 + 1e-4);
            Assert.InRange(Math.Abs(angle), 0, 20.001);
            Assert.Equal(140, At(t, 10, 10), 3);           // the centre stays put without a shift
            angles.Add(angle);
            scales.Add(scale);
        }

        // Uniform draws cover their ranges: the extremes come near the bounds on both sides.
        Assert.True(shifts.Min() < -6 && shifts.Max() > 6, $"shifts {shifts.Min()}..{shifts.Max()}");
        Assert.True(angles.Min() < -18 && angles.Max() > 18, $"angles {angles.Min()}..{angles.Max()}");
        Assert.True(scales.Min() < 0.85 && scales.Max() > 1.2, $"scales {scales.Min()}..{scales.Max()}");
        Assert.InRange(angles.Average(), -2, 2);
    }

    [Fact]
    public void RandomAffine_carries_labels_and_targets_fixes_results_by_seed_and_refuses_bad_arguments()
    {
        Dataset data = DistinctImages(count: 6, 2, 6, 6, withTargets: true);
        Dataset a = ImageAugmentation.RandomAffine(data, 2, 15, 0.9f, 1.1f, 2, seed: 4);
        Dataset b = ImageAugmentation.RandomAffine(data, 2, 15, 0.9f, 1.1f, 2, seed: 4);
        Dataset identity = ImageAugmentation.RandomAffine(data, 1, 0, 1, 1, 0, seed: 4);

        Assert.Equal(a.Features, b.Features);
        Assert.Equal(data.Features, a.Features.AsSpan(0, data.Features.Length).ToArray());
        Assert.NotEqual(data.Features, a.Features.AsSpan(data.Features.Length, data.Features.Length).ToArray());
        Assert.Equal(data.Features.Concat(data.Features), identity.Features);
        Assert.Equal(data.Labels.Concat(data.Labels).Concat(data.Labels), a.Labels);
        Assert.Equal(data.Targets!.Concat(data.Targets!).Concat(data.Targets!), a.Targets!);
        Assert.Equal(data.ClassNames, a.ClassNames);

        var flat = new Dataset(new float[8], new int[2], [4], 2);
        Assert.Contains("[4]", Assert.Throws<ArgumentException>(() => ImageAugmentation.RandomAffine(flat, 1, 10, 1, 1, 0, 0)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageAugmentation.RandomAffine(data, 1, 181, 1, 1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageAugmentation.RandomAffine(data, 1, float.NaN, 1, 1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageAugmentation.RandomAffine(data, 1, 10, 0, 1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageAugmentation.RandomAffine(data, 1, 10, 1.2f, 1.1f, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageAugmentation.RandomAffine(data, 1, 10, 1, 1, 6, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageAugmentation.RandomAffine(data, -1, 10, 1, 1, 0, 0));
    }

    [Fact]
    public void Horizontal_flips_mirror_every_row_of_every_channel_after_the_originals()
    {
        // Two samples of 2 channels x 2 rows x 3 columns.
        float[] features = [.. Enumerable.Range(1, 24).Select(v => (float)v)];
        var data = new Dataset(features, [0, 2], [2, 2, 3], 3, ["a", "b", "c"], [0.5f, 1.5f]);

        Dataset flipped = ImageAugmentation.HorizontalFlips(data);

        Assert.Equal(4, flipped.Count);
        Assert.Equal(features, flipped.Features.AsSpan(0, 24).ToArray());
        Assert.Equal(new float[] { 3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10 }, flipped.Sample(2).ToArray());
        Assert.Equal(new float[] { 15, 14, 13, 18, 17, 16, 21, 20, 19, 24, 23, 22 }, flipped.Sample(3).ToArray());
        Assert.Equal([0, 2, 0, 2], flipped.Labels);
        Assert.Equal([0.5f, 1.5f, 0.5f, 1.5f], flipped.Targets!);
        Assert.Equal(data.ClassNames, flipped.ClassNames);
        Assert.Throws<ArgumentException>(() => ImageAugmentation.HorizontalFlips(new Dataset(new float[4], [0], [4], 1)));
    }

    [Fact]
    public void Slice_takes_the_samples_and_targets_from_first_on()
    {
        Dataset data = DistinctImages(count: 5, 1, 2, 2, withTargets: true);
        Dataset middle = data.Slice(1, 3);

        Assert.Equal(3, middle.Count);
        Assert.Equal(Enumerable.Range(5, 12).Select(v => (float)v), middle.Features);
        Assert.Equal(data.Labels[1..4], middle.Labels);
        Assert.Equal(data.Targets![2..8], middle.Targets!);
        Assert.Equal(0, data.Slice(5, 0).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(3, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(-1, 1));
    }
}
