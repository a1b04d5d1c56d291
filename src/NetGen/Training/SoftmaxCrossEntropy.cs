using System;

namespace NetGen;

/// <summary>
/// Fused, numerically stable softmax + cross-entropy for one sample: the loss is
/// <c>log Σ exp(zᵢ) − z[label]</c> computed with the log-sum-exp trick (the largest logit is subtracted before
/// exponentiating), and its gradient with respect to the logits is <c>softmax(z) − onehot(label)</c>.
/// </summary>
/// <remarks>
/// The logits are always the values <em>before</em> any softmax: a network that
/// <see cref="INetwork.EndsWithSoftmax"/> leaves its pre-softmax values at <see cref="INetwork.LogitsOffset"/>, so
/// the same formula applies whether or not the last layer is a softmax, and the softmax is never differentiated
/// separately (which would lose precision for confident predictions). Huge logits (±1000) give finite results.
/// </remarks>
public static class SoftmaxCrossEntropy
{
    /// <summary>The cross-entropy of softmax(<paramref name="logits"/>) against class <paramref name="label"/>, in nats.</summary>
    /// <param name="logits">Pre-softmax values, one per class.</param>
    /// <param name="label">The true class, in [0, <paramref name="logits"/>.Length).</param>
    /// <returns>The loss, ≥ 0.</returns>
    public static float Loss(ReadOnlySpan<float> logits, int label)
    {
        ValidateLabel(logits, label);
        float max = Max(logits);
        float sum = 0f;
        for (int i = 0; i < logits.Length; i++)
        {
            sum += MathF.Exp(logits[i] - max);
        }

        return MathF.Log(sum) + (max - logits[label]);
    }

    /// <summary>
    /// Computes the loss and writes <c>scale · (softmax(<paramref name="logits"/>) − onehot(<paramref name="label"/>))</c>,
    /// the gradient of <c>scale · loss</c> with respect to the logits, into <paramref name="logitsGradient"/>.
    /// </summary>
    /// <param name="logits">Pre-softmax values, one per class.</param>
    /// <param name="label">The true class, in [0, <paramref name="logits"/>.Length).</param>
    /// <param name="logitsGradient">Receives the gradient; same length as <paramref name="logits"/>. It may not overlap <paramref name="logits"/>.</param>
    /// <param name="scale">Multiplies the gradient (not the returned loss); <c>1 / batchSize</c> gives the gradient of the batch mean.</param>
    /// <returns>The unscaled loss, ≥ 0.</returns>
    public static float LossAndGradient(ReadOnlySpan<float> logits, int label, Span<float> logitsGradient, float scale = 1f)
    {
        ValidateLabel(logits, label);
        if (logitsGradient.Length != logits.Length)
        {
            throw new ArgumentException($"Expected {logits.Length} floats, one per logit; got {logitsGradient.Length}.", nameof(logitsGradient));
        }

        float max = Max(logits);
        float sum = 0f;
        for (int i = 0; i < logits.Length; i++)
        {
            float e = MathF.Exp(logits[i] - max);
            logitsGradient[i] = e;
            sum += e;
        }

        float factor = scale / sum;
        for (int i = 0; i < logitsGradient.Length; i++)
        {
            logitsGradient[i] *= factor;
        }

        logitsGradient[label] -= scale;
        return MathF.Log(sum) + (max - logits[label]);
    }

    private static float Max(ReadOnlySpan<float> values)
    {
        float max = values[0];
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > max)
            {
                max = values[i];
            }
        }

        return max;
    }

    private static void ValidateLabel(ReadOnlySpan<float> logits, int label)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException("At least one logit is needed.", nameof(logits));
        }

        if ((uint)label >= (uint)logits.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(label), label, $"The label must be a class index in [0, {logits.Length}).");
        }
    }
}
