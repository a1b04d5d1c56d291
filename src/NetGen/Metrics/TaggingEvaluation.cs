using System;

namespace NetGen;

/// <summary>A tagger's figures over the real tokens of a data set (<see cref="TaggingData"/>: padded steps left out).</summary>
public static class TaggingEvaluation
{
    /// <summary>
    /// Runs every sentence through <paramref name="network"/> (its <c>Predict</c>) and counts, for each real token,
    /// its tag against the highest of its step's logits.
    /// </summary>
    /// <returns>The confusion matrix over real tokens (rows the tags, columns the predictions); its accuracy is the token accuracy.</returns>
    public static ConfusionMatrix TokenConfusion(INetwork network, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        FitArguments.CheckData(network, data, nameof(data));
        int steps = data.TargetSize, classes = data.ClassCount;
        if (data.Targets is null || steps * classes != network.OutputSize)
        {
            throw new ArgumentException($"A tagging data set has one target per step and {classes} classes per step ({network.OutputSize} outputs); this one has {steps} targets per sample.", nameof(data));
        }

        var matrix = new ConfusionMatrix(classes);
        var output = new float[network.OutputSize];
        for (int s = 0; s < data.Count; s++)
        {
            network.Predict(data.Sample(s), output);
            ReadOnlySpan<float> target = data.Target(s);
            for (int t = 0; t < steps; t++)
            {
                if (target[t] >= 0)
                {
                    matrix.Add((int)target[t], Evaluation.ArgMax(output.AsSpan(t * classes, classes)));
                }
            }
        }

        return matrix;
    }

    /// <summary>The per-tag report over real tokens, with micro, macro and weighted averages.</summary>
    public static ClassificationReport Report(INetwork network, Dataset data) => new(TokenConfusion(network, data), data.ClassNames);
}
