using System;

namespace NetGen;

/// <summary>
/// Counts of (actual class, predicted class) pairs: row = actual class, column = predicted class, as
/// scikit-learn's <c>confusion_matrix</c> lays them out.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    /// <summary>Creates an empty matrix.</summary>
    /// <param name="classes">Number of classes, ≥ 1.</param>
    public ConfusionMatrix(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        Classes = classes;
        _counts = new long[checked(classes * classes)];
    }

    /// <summary>Number of classes (rows and columns).</summary>
    public int Classes { get; }

    /// <summary>Number of samples added.</summary>
    public long Total { get; private set; }

    /// <summary>The fraction of samples whose predicted class is the actual one (the diagonal over <see cref="Total"/>); 0 when empty.</summary>
    public double Accuracy
    {
        get
        {
            if (Total == 0)
            {
                return 0;
            }

            long correct = 0;
            for (int c = 0; c < Classes; c++)
            {
                correct += _counts[(c * Classes) + c];
            }

            return (double)correct / Total;
        }
    }

    /// <summary>The number of samples of class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    /// <param name="actual">The true class, in [0, <see cref="Classes"/>).</param>
    /// <param name="predicted">The predicted class, in [0, <see cref="Classes"/>).</param>
    public long this[int actual, int predicted]
    {
        get
        {
            CheckClass(actual, nameof(actual));
            CheckClass(predicted, nameof(predicted));
            return _counts[(actual * Classes) + predicted];
        }
    }

    /// <summary>Counts one sample.</summary>
    /// <param name="actual">The true class, in [0, <see cref="Classes"/>).</param>
    /// <param name="predicted">The predicted class, in [0, <see cref="Classes"/>).</param>
    public void Add(int actual, int predicted)
    {
        CheckClass(actual, nameof(actual));
        CheckClass(predicted, nameof(predicted));
        _counts[(actual * Classes) + predicted]++;
        Total++;
    }

    private void CheckClass(int value, string paramName)
    {
        if ((uint)value >= (uint)Classes)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"'{paramName}' must be a class index in [0, {Classes}).");
        }
    }
}
