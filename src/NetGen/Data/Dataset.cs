using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetGen;

/// <summary>
/// An in-memory labelled data set: <see cref="Count"/> samples of <see cref="SampleSize"/> floats laid out one
/// after another (for images: channel, row, column — PyTorch's order), one class label per sample and, optionally,
/// a float target vector of <see cref="TargetSize"/> values per sample (for regression or multi-label losses).
/// </summary>
public sealed class Dataset
{
    /// <summary>Wraps existing arrays; they are not copied.</summary>
    /// <param name="features">Count × sampleSize floats.</param>
    /// <param name="labels">One class index per sample, each in [0, classCount).</param>
    /// <param name="sampleShape">The shape of one sample (e.g. [1, 28, 28]).</param>
    /// <param name="classCount">Number of classes.</param>
    /// <param name="classNames">Optional names of the classes, <paramref name="classCount"/> of them.</param>
    /// <param name="targets">Optional float targets, the same number of values for every sample, one sample after another; with no samples it must be empty.</param>
    public Dataset(float[] features, int[] labels, IReadOnlyList<int> sampleShape, int classCount, IReadOnlyList<string>? classNames = null, float[]? targets = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        int sampleSize = 1;
        foreach (int d in sampleShape)
        {
            if (d <= 0)
            {
                throw new ArgumentException($"Every sample dimension must be positive; got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
            }

            sampleSize = checked(sampleSize * d);
        }

        if ((long)labels.Length * sampleSize != features.Length)
        {
            throw new ArgumentException(
                $"{labels.Length} labels need {(long)labels.Length * sampleSize} feature values of {sampleSize} each; got {features.Length}.",
                nameof(features));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentException($"Label {labels[i]} of sample {i} is outside [0, {classCount}).", nameof(labels));
            }
        }

        if (classNames is not null && classNames.Count != classCount)
        {
            throw new ArgumentException($"Expected {classCount} class names; got {classNames.Count}.", nameof(classNames));
        }

        int targetSize = 0;
        if (targets is not null)
        {
            if (labels.Length == 0 ? targets.Length != 0 : targets.Length == 0 || targets.Length % labels.Length != 0)
            {
                throw new ArgumentException(
                    $"{labels.Length} samples need the same positive number of target values each; got {targets.Length} values.",
                    nameof(targets));
            }

            targetSize = labels.Length == 0 ? 0 : targets.Length / labels.Length;
        }

        Features = features;
        Labels = labels;
        SampleShape = sampleShape;
        SampleSize = sampleSize;
        ClassCount = classCount;
        ClassNames = classNames;
        Targets = targets;
        TargetSize = targetSize;
    }

    /// <summary>All samples, one after another.</summary>
    public float[] Features { get; }

    /// <summary>The class index of each sample.</summary>
    public int[] Labels { get; }

    /// <summary>The shape of one sample.</summary>
    public IReadOnlyList<int> SampleShape { get; }

    /// <summary>Floats per sample.</summary>
    public int SampleSize { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Class names, when the data set has them.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>All target vectors, one after another; null when the data set has none.</summary>
    public float[]? Targets { get; }

    /// <summary>Floats in each sample's target vector; 0 when the data set has none.</summary>
    public int TargetSize { get; }

    /// <summary>The features of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Sample(int index) => Features.AsSpan(checked(index * SampleSize), SampleSize);

    /// <summary>The target vector of sample <paramref name="index"/>; empty when the data set has no targets.</summary>
    public ReadOnlySpan<float> Target(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Not a sample index of a data set of {Count}.");
        }

        return Targets is null ? default : Targets.AsSpan(index * TargetSize, TargetSize);
    }

    /// <summary>The first <paramref name="count"/> samples (with their targets) as a new data set sharing nothing with this one.</summary>
    public Dataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        return Range(0, count);
    }

    /// <summary>
    /// The <paramref name="count"/> samples from <paramref name="first"/> on (with their targets) as a new data set
    /// sharing nothing with this one: e.g. one of several disjoint few-shot training sets.
    /// </summary>
    public Dataset Slice(int first, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((long)first + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Samples {first}..{(long)first + count - 1} are not all in a data set of {Count}.");
        }

        return Range(first, count);
    }

    /// <summary>
    /// Splits the data set in two at <paramref name="count"/>: the first <paramref name="count"/> samples and the
    /// rest (e.g. a training set and a held-out validation set), each a new data set sharing nothing with this one.
    /// </summary>
    /// <param name="count">Samples in the first part, in [0, <see cref="Count"/>].</param>
    public (Dataset First, Dataset Second) Split(int count)
    {
        if (count < 0 || count > Count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(count),
                string.Create(CultureInfo.InvariantCulture, $"Split: expected 0 ≤ count ≤ {Count} (the dataset's size), got {count}."));
        }

        return (Range(0, count), Range(count, Count - count));
    }

    private Dataset Range(int first, int count) => new(
        Features.AsSpan(first * SampleSize, count * SampleSize).ToArray(),
        Labels.AsSpan(first, count).ToArray(),
        SampleShape,
        ClassCount,
        ClassNames,
        Targets?.AsSpan(first * TargetSize, count * TargetSize).ToArray());
}
