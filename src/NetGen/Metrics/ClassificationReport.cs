using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace NetGen;

/// <summary>Precision, recall, F1 score and support of one class, or their average over the classes.</summary>
/// <param name="Name">The class's name, or <c>"macro avg"</c> / <c>"weighted avg"</c> for an average.</param>
/// <param name="Precision">The fraction of the samples predicted as the class that belong to it (0 when none is predicted as it).</param>
/// <param name="Recall">The fraction of the class's samples predicted as it (0 when it has none).</param>
/// <param name="F1Score">The harmonic mean of precision and recall, <c>2·tp / (2·tp + fp + fn)</c> (0 when the class is neither present nor predicted).</param>
/// <param name="Support">The number of samples of the class (all samples for an average).</param>
public sealed record ClassScores(string Name, double Precision, double Recall, double F1Score, long Support);

/// <summary>
/// The per-class precision, recall, F1 score and support of a <see cref="ConfusionMatrix"/>, with the accuracy and
/// the macro and support-weighted averages, as scikit-learn's <c>classification_report</c> computes them
/// (with the default <c>zero_division</c>, an undefined ratio counts as 0) and prints them (<see cref="ToString()"/>).
/// </summary>
/// <remarks>
/// Every class of the matrix is reported, also one that is neither present nor predicted (scikit-learn reports
/// those only when they are passed as <c>labels</c>); such a class scores 0 and counts in the macro average.
/// </remarks>
public sealed class ClassificationReport
{
    private const string MacroAverageName = "macro avg";
    private const string WeightedAverageName = "weighted avg";
    private const string MicroAverageName = "micro avg";
    private const int ColumnWidth = 9;
    private const int MaxDigits = 20;

    /// <summary>The report of <paramref name="network"/> on <paramref name="data"/>, with the data set's class names.</summary>
    /// <param name="network">The network to evaluate (evaluation mode, calling thread).</param>
    /// <param name="data">A data set matching the network.</param>
    /// <returns>The report.</returns>
    public static ClassificationReport Of(INetwork network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new ClassificationReport(Evaluation.ConfusionMatrix(network, data), data.ClassNames);
    }

    /// <summary>Computes the report.</summary>
    /// <param name="matrix">The counts, rows the actual classes and columns the predicted ones.</param>
    /// <param name="classNames">Optional names, one per class; the class indices ("0", "1" …) otherwise.</param>
    public ClassificationReport(ConfusionMatrix matrix, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int classes = matrix.Classes;
        if (classNames is not null && classNames.Count != classes)
        {
            throw new ArgumentException($"Expected {classes} class names, one per class of the matrix; got {classNames.Count}.", nameof(classNames));
        }

        var scores = new ClassScores[classes];
        long total = 0;
        long correct = 0;
        double precisionSum = 0, recallSum = 0, f1Sum = 0;
        double weightedPrecision = 0, weightedRecall = 0, weightedF1 = 0;
        for (int c = 0; c < classes; c++)
        {
            long truePositives = matrix[c, c];
            long support = 0, predicted = 0;
            for (int k = 0; k < classes; k++)
            {
                support += matrix[c, k];
                predicted += matrix[k, c];
            }

            string name = classNames is null ? c.ToString(CultureInfo.InvariantCulture) : classNames[c]
                ?? throw new ArgumentException($"Class name {c} is null.", nameof(classNames));
            double precision = Ratio(truePositives, predicted);
            double recall = Ratio(truePositives, support);
            double f1 = Ratio(2 * truePositives, support + predicted);
            scores[c] = new ClassScores(name, precision, recall, f1, support);
            total += support;
            correct += truePositives;
            precisionSum += precision;
            recallSum += recall;
            f1Sum += f1;
            weightedPrecision += precision * support;
            weightedRecall += recall * support;
            weightedF1 += f1 * support;
        }

        Classes = scores;
        Support = total;
        Accuracy = Ratio(correct, total);
        MacroAverage = new ClassScores(MacroAverageName, precisionSum / classes, recallSum / classes, f1Sum / classes, total);

        // Pooled over all samples: with one label per sample every miss is one false positive and one false negative,
        // so micro precision, recall and F1 all equal the accuracy.
        MicroAverage = new ClassScores(MicroAverageName, Accuracy, Accuracy, Accuracy, total);
        WeightedAverage = total == 0
            ? new ClassScores(WeightedAverageName, 0, 0, 0, 0)
            : new ClassScores(WeightedAverageName, weightedPrecision / total, weightedRecall / total, weightedF1 / total, total);
    }

    /// <summary>The scores of each class, in class order.</summary>
    public IReadOnlyList<ClassScores> Classes { get; }

    /// <summary>The fraction of samples classified correctly (0 without samples).</summary>
    public double Accuracy { get; }

    /// <summary>The scores pooled over all samples (true positives, false positives and negatives summed over the classes): for single-label data each equals <see cref="Accuracy"/>.</summary>
    public ClassScores MicroAverage { get; }

    /// <summary>
    /// The report with a "micro avg" line in place of the accuracy line (the layout of scikit-learn's report when it
    /// is given a subset of labels, and of a tagger's report): per class, then micro, macro and weighted averages.
    /// </summary>
    /// <param name="digits">Decimals of the scores, in [0, 20].</param>
    /// <returns>The text, lines ending in <c>\n</c>.</returns>
    public string ToStringWithMicroAverage(int digits) => Format(digits, micro: true);

    /// <summary>The unweighted mean of the per-class scores; its support is all samples.</summary>
    public ClassScores MacroAverage { get; }

    /// <summary>The mean of the per-class scores weighted by their support; its support is all samples.</summary>
    public ClassScores WeightedAverage { get; }

    /// <summary>The number of samples.</summary>
    public long Support { get; }

    /// <summary>The report laid out like scikit-learn's <c>classification_report(..., digits=4)</c>.</summary>
    /// <returns>The text, lines ending in <c>\n</c>.</returns>
    public override string ToString() => ToString(4);

    /// <summary>
    /// The report laid out like scikit-learn's <c>classification_report</c> with <paramref name="digits"/> decimals:
    /// a header line, a blank line, one line per class, a blank line, then the accuracy, macro-average and
    /// weighted-average lines. The first column is right-aligned to the longest class name (at least
    /// <c>"weighted avg"</c>), the others to 9 characters after two spaces (one before the first). Numbers are
    /// rounded half to even on their exact binary values, like Python's formatting, with a '.' decimal point.
    /// </summary>
    /// <param name="digits">Decimals of the scores, in [0, 20].</param>
    /// <returns>The text, lines ending in <c>\n</c>.</returns>
    public string ToString(int digits) => Format(digits, micro: false);

    private string Format(int digits, bool micro)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(digits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, MaxDigits);
        int width = Math.Max(WeightedAverageName.Length, digits);
        foreach (ClassScores scores in Classes)
        {
            width = Math.Max(width, scores.Name.Length);
        }

        var text = new StringBuilder();
        text.Append(' ', width).Append(' ');
        AppendCell(text, "precision");
        AppendCell(text, "recall");
        AppendCell(text, "f1-score");
        AppendCell(text, "support");

        text.Append("\n\n");
        foreach (ClassScores scores in Classes)
        {
            AppendRow(text, scores, width, digits);
        }

        text.Append('\n');
        if (micro)
        {
            AppendRow(text, MicroAverage, width, digits);
        }
        else
        {
            text.Append("accuracy".PadLeft(width)).Append(' ');
            AppendCell(text, string.Empty);
            AppendCell(text, string.Empty);
            AppendCell(text, FormatFixed(Accuracy, digits));
            AppendCell(text, Support.ToString(CultureInfo.InvariantCulture));
            text.Append('\n');
        }

        AppendRow(text, MacroAverage, width, digits);
        AppendRow(text, WeightedAverage, width, digits);
        return text.ToString();
    }

    /// <summary>
    /// <paramref name="value"/> (finite, ≥ 0) with <paramref name="digits"/> decimals, rounded half to even on its
    /// exact binary value, as Python's <c>format(value, '.{digits}f')</c> writes it.
    /// </summary>
    internal static string FormatFixed(double value, int digits)
    {
        if (!(value >= 0 && double.IsFinite(value)))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Only finite values ≥ 0 are formatted.");
        }

        // value = mantissa · 2^exponent exactly.
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biased = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xF_FFFF_FFFF_FFFFL;
        BigInteger mantissa = biased == 0 ? fraction : fraction | (1L << 52);
        int exponent = biased == 0 ? -1074 : biased - 1075;
        BigInteger scaled = mantissa * BigInteger.Pow(10, digits);
        BigInteger units;
        if (exponent >= 0)
        {
            units = scaled << exponent;
        }
        else
        {
            BigInteger denominator = BigInteger.One << -exponent;
            units = BigInteger.DivRem(scaled, denominator, out BigInteger remainder);
            int half = (remainder * 2).CompareTo(denominator);
            if (half > 0 || (half == 0 && !units.IsEven))
            {
                units += 1;
            }
        }

        string s = units.ToString(CultureInfo.InvariantCulture).PadLeft(digits + 1, '0');
        return digits == 0 ? s : string.Concat(s.AsSpan(0, s.Length - digits), ".", s.AsSpan(s.Length - digits));
    }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;

    private static void AppendCell(StringBuilder text, string cell) => text.Append(' ').Append(cell.PadLeft(ColumnWidth));

    private static void AppendRow(StringBuilder text, ClassScores scores, int width, int digits)
    {
        text.Append(scores.Name.PadLeft(width)).Append(' ');
        AppendCell(text, FormatFixed(scores.Precision, digits));
        AppendCell(text, FormatFixed(scores.Recall, digits));
        AppendCell(text, FormatFixed(scores.F1Score, digits));
        AppendCell(text, scores.Support.ToString(CultureInfo.InvariantCulture));
        text.Append('\n');
    }
}
