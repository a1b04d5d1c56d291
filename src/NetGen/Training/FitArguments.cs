using System;

namespace NetGen;

/// <summary>
/// The argument checks of <c>Fit</c>, shared by the CPU and GPU trainers so both refuse the same mistakes with the
/// same messages: data that does not fit the network, an empty or missing validation set, options out of range,
/// and a loss that does not go with the network's output layer.
/// </summary>
internal static class FitArguments
{
    /// <summary>Checks <paramref name="options"/> and the data sets against <paramref name="network"/>.</summary>
    public static void Check(INetwork network, Dataset train, Dataset? validation, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Epochs, nameof(options.Epochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, nameof(options.BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.StartEpoch, nameof(options.StartEpoch));
        ArgumentNullException.ThrowIfNull(options.Loss, nameof(options.Loss));
        CheckData(network, train, nameof(train));
        if (validation is not null)
        {
            CheckData(network, validation, nameof(validation));
            if (validation.Count == 0)
            {
                throw new ArgumentException("The validation set has no samples.", nameof(validation));
            }
        }

        if (options.EarlyStopping is not null && validation is null)
        {
            throw new ArgumentException("Early stopping watches the validation set; pass one.", nameof(validation));
        }

        if (options.Epochs > options.StartEpoch && train.Count == 0)
        {
            throw new ArgumentException("The training set has no samples.", nameof(train));
        }
    }

    /// <summary>Checks that <paramref name="data"/>'s samples and classes fit <paramref name="network"/> (a single output takes two classes).</summary>
    public static void CheckData(INetwork network, Dataset data, string paramName)
    {
        if (data.SampleSize != network.InputSize)
        {
            throw new ArgumentException(
                $"Samples of {data.SampleSize} floats (shape [{string.Join(", ", data.SampleShape)}]) do not fit a network whose input has {network.InputSize}.",
                paramName);
        }

        int classes = network.OutputSize;
        if (data.ClassCount != classes && !(classes == 1 && data.ClassCount == 2))
        {
            throw new ArgumentException(
                $"The data set has {data.ClassCount} classes but the network has {classes} outputs; they must be equal.",
                paramName);
        }
    }

    /// <summary>Checks that <paramref name="loss"/> goes with a trailing softmax or sigmoid of <paramref name="network"/>.</summary>
    /// <param name="network">The network.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="crossEntropy">Whether the loss is softmax cross-entropy.</param>
    public static void CheckLoss(INetwork network, ILoss loss, bool crossEntropy)
    {
        if (network.EndsWithSigmoid && crossEntropy)
        {
            throw new ArgumentException("The network ends with a sigmoid, which goes with binary cross-entropy (BinaryCrossEntropyWithLogitsLoss), not softmax cross-entropy.", nameof(loss));
        }

        if (network.EndsWithSoftmax && !crossEntropy)
        {
            throw new ArgumentException($"The network ends with a softmax, which goes with softmax cross-entropy, not {loss.Name}.", nameof(loss));
        }
    }
}
