using System;

namespace NetGen;

/// <summary>Classification metrics of a network on a data set.</summary>
public static class Evaluation
{
    private const int ChunkSize = 256;

    /// <summary>
    /// The fraction of <paramref name="data"/> whose predicted class (the largest output of
    /// <see cref="INetwork.Predict(ReadOnlySpan{float}, Span{float}, int)"/>) equals its label, on the calling thread.
    /// </summary>
    /// <param name="network">The network to evaluate (dropout off).</param>
    /// <param name="data">A non-empty data set with <see cref="Dataset.SampleSize"/> equal to the network's input size and <see cref="Dataset.ClassCount"/> to its output size.</param>
    /// <returns>The accuracy in [0, 1].</returns>
    public static float Accuracy(INetwork network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        if (data.SampleSize != network.InputSize)
        {
            throw new ArgumentException($"Samples of {data.SampleSize} floats do not fit a network whose input has {network.InputSize}.", nameof(data));
        }

        if (data.ClassCount != network.OutputSize)
        {
            throw new ArgumentException($"The data set has {data.ClassCount} classes but the network has {network.OutputSize} outputs; they must be equal.", nameof(data));
        }

        if (data.Count == 0)
        {
            throw new ArgumentException("The data set has no samples.", nameof(data));
        }

        int classes = network.OutputSize;
        int chunk = Math.Min(ChunkSize, data.Count);
        float[] outputs = new float[chunk * classes];
        long correct = 0;
        for (int first = 0; first < data.Count; first += chunk)
        {
            int n = Math.Min(chunk, data.Count - first);
            network.Predict(data.Features.AsSpan(first * data.SampleSize, n * data.SampleSize), outputs.AsSpan(0, n * classes), n);
            for (int i = 0; i < n; i++)
            {
                if (ArgMax(outputs.AsSpan(i * classes, classes)) == data.Labels[first + i])
                {
                    correct++;
                }
            }
        }

        return (float)((double)correct / data.Count);
    }

    /// <summary>
    /// Predicts every sample of <paramref name="data"/> on the calling thread (evaluation mode) and tallies the
    /// predicted classes against the labels. <see cref="Trainer.ConfusionMatrix"/> does the same on all cores.
    /// </summary>
    /// <param name="network">The network to evaluate.</param>
    /// <param name="data">A data set matching the network's input and output sizes.</param>
    /// <returns>Rows are the true classes, columns the predictions.</returns>
    public static ConfusionMatrix ConfusionMatrix(INetwork network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        if (data.SampleSize != network.InputSize || data.ClassCount != network.OutputSize)
        {
            throw new ArgumentException(
                $"The data set ({data.SampleSize} floats per sample, {data.ClassCount} classes) does not fit the network ({network.InputSize} inputs, {network.OutputSize} outputs).",
                nameof(data));
        }

        var matrix = new ConfusionMatrix(data.ClassCount);
        float[] output = new float[network.OutputSize];
        for (int i = 0; i < data.Count; i++)
        {
            network.Predict(data.Sample(i), output);
            matrix.Add(data.Labels[i], ArgMax(output));
        }

        return matrix;
    }

    /// <summary>The predicted class of one sample's logits: the arg-max, or for a single output (binary), whether it is positive.</summary>
    internal static int PredictedClass(ReadOnlySpan<float> logits) => logits.Length == 1 ? (logits[0] > 0f ? 1 : 0) : ArgMax(logits);

    /// <summary>The index of the largest value (the first one on ties; NaN never wins).</summary>
    /// <param name="values">At least one value.</param>
    /// <returns>An index into <paramref name="values"/>.</returns>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("At least one value is needed.", nameof(values));
        }

        int best = 0;
        float max = values[0];
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > max || (float.IsNaN(max) && !float.IsNaN(values[i])))
            {
                max = values[i];
                best = i;
            }
        }

        return best;
    }
}
