using System;
using System.Globalization;

namespace NetGen;

/// <summary>
/// The argument checks of <c>Fit</c>, shared by the CPU and GPU trainers so both refuse the same mistakes with the
/// same messages: data that does not fit the network, an empty or missing validation set, options out of range,
/// and a loss that does not go with the network's output layer.
/// </summary>
internal static class FitArguments
{
    /// <summary>The options of the trainers' short <c>Fit</c> overloads.</summary>
    /// <param name="epochs">Number of passes, ≥ 0.</param>
    /// <param name="batchSize">Samples per optimizer step, ≥ 1.</param>
    /// <param name="seed">Fixes the shuffling and the dropout masks.</param>
    /// <param name="onEpoch">Called after each epoch.</param>
    /// <returns>Options with those settings and the defaults otherwise.</returns>
    public static TrainingOptions Options(int epochs, int batchSize, ulong seed, Action<EpochResult>? onEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return new TrainingOptions { Epochs = epochs, BatchSize = batchSize, Seed = seed, OnEpoch = onEpoch };
    }

    /// <summary>
    /// Checks <paramref name="options"/> (every field, NaN and infinities included), the data sets and the
    /// checkpoint path against <paramref name="network"/> before any work, and returns the parameter groups the
    /// options make. Each error names the property and the accepted range.
    /// </summary>
    public static (ParameterGroup[] Groups, int LowestTrainable) Check(INetwork network, Dataset train, Dataset? validation, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Epochs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), OutOfRange(nameof(options.Epochs), "≥ 0 (the last epoch to run)", options.Epochs));
        }

        if (options.StartEpoch < 0 || options.StartEpoch > options.Epochs)
        {
            throw new ArgumentOutOfRangeException(nameof(options), OutOfRange(
                nameof(options.StartEpoch),
                string.Create(CultureInfo.InvariantCulture, $"0 ≤ StartEpoch ≤ Epochs ({options.Epochs}; Epochs is the last epoch, not a count of more epochs)"),
                options.StartEpoch));
        }

        if (options.BatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), OutOfRange(nameof(options.BatchSize), "≥ 1", options.BatchSize));
        }

        if (options.MaxGradientNorm is float norm && !(norm > 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(options), OutOfRange(nameof(options.MaxGradientNorm), "> 0 (or +∞ to measure without clipping, or null for none)", norm));
        }

        if (options.Loss is null)
        {
            throw new ArgumentException("TrainingOptions.Loss: expected a loss, got null.", nameof(options));
        }

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
            throw new ArgumentException("TrainingOptions.EarlyStopping watches the validation set; pass one.", nameof(validation));
        }

        if (options.Epochs > options.StartEpoch && train.Count == 0)
        {
            throw new ArgumentException("The training set has no samples.", nameof(train));
        }

        (ParameterGroup[] Groups, int LowestTrainable) plan = TrainableLayers.Plan(network, options);
        if (options.CheckpointPath is not null)
        {
            OutputFile.CheckWritable(options.CheckpointPath, "TrainingOptions.CheckpointPath");
        }

        return plan;
    }

    /// <summary>The message for <c>TrainingOptions.<paramref name="property"/></c>: <c>TrainingOptions.BatchSize: expected ≥ 1, got 0.</c></summary>
    private static string OutOfRange(string property, string expected, float got) =>
        OutOfRange(property, expected, got.ToString(CultureInfo.InvariantCulture));

    private static string OutOfRange(string property, string expected, int got) =>
        OutOfRange(property, expected, got.ToString(CultureInfo.InvariantCulture));

    private static string OutOfRange(string property, string expected, string got) =>
        $"TrainingOptions.{property}: expected {expected}, got {got}.";

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
        bool perStep = data.TargetSize > 1 && (long)data.ClassCount * data.TargetSize == classes; // a tagger: classes at every step
        if (data.ClassCount != classes && !(classes == 1 && data.ClassCount == 2) && !perStep)
        {
            throw new ArgumentException(
                $"The data set has {data.ClassCount} classes but the network has {classes} outputs; they must be equal (or, for per-step targets, {data.ClassCount} × {data.TargetSize} target steps = {(long)data.ClassCount * data.TargetSize}).",
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
