using System;

namespace NetGen;

/// <summary>
/// Softmax cross-entropy at every step of a sequence output [steps, classes] (a tagger's logits), against the
/// sample's target vector of one class id per step (<see cref="TaggingData"/>); a step whose target is negative
/// (<see cref="TaggingData.IgnoredTarget"/>: padding) is left out, its gradient zero. A sample's loss is the mean
/// over its real steps, so the batch loss is the mean of the sentences' mean token losses.
/// </summary>
/// <remarks>
/// PyTorch's <c>cross_entropy(..., ignore_index=-1)</c> over a batch averages over all the batch's real tokens
/// instead, weighting long sentences more; the two agree when every sentence has the same number of tokens.
/// </remarks>
public sealed class SequenceCrossEntropyLoss : ILoss
{
    /// <summary>A loss for outputs of <paramref name="classes"/> logits per step.</summary>
    public SequenceCrossEntropyLoss(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Classes = classes;
    }

    /// <summary>Logits per step.</summary>
    public int Classes { get; }

    /// <inheritdoc />
    /// <value><c>"cross_entropy"</c>, per step.</value>
    public string Name => "cross_entropy";

    /// <inheritdoc />
    public float LossAndGradient(ReadOnlySpan<float> logits, int label, ReadOnlySpan<float> target, Span<float> logitsGradient, float scale)
    {
        int steps = Check(logits, target);
        int real = RealSteps(target);
        logitsGradient.Clear();
        if (real == 0)
        {
            return 0f;
        }

        float sum = 0f;
        float stepScale = scale / real;
        for (int t = 0; t < steps; t++)
        {
            if (target[t] < 0)
            {
                continue;
            }

            sum += SoftmaxCrossEntropy.LossAndGradient(logits.Slice(t * Classes, Classes), (int)target[t], logitsGradient.Slice(t * Classes, Classes), stepScale);
        }

        return sum / real;
    }

    /// <summary>Whether every real step's highest logit is its target (a sentence tagged without a mistake).</summary>
    /// <remarks>Checks the lengths only: the trainer calls <see cref="LossAndGradient"/> on the same sample, which checks every target.</remarks>
    public bool IsCorrect(ReadOnlySpan<float> logits, int label, ReadOnlySpan<float> target)
    {
        int steps = CheckLengths(logits, target);
        for (int t = 0; t < steps; t++)
        {
            if (target[t] >= 0 && Evaluation.ArgMax(logits.Slice(t * Classes, Classes)) != (int)target[t])
            {
                return false;
            }
        }

        return true;
    }

    private static int RealSteps(ReadOnlySpan<float> target)
    {
        int real = 0;
        foreach (float v in target)
        {
            real += v >= 0 ? 1 : 0;
        }

        return real;
    }

    private int CheckLengths(ReadOnlySpan<float> logits, ReadOnlySpan<float> target)
    {
        if (target.Length == 0 || logits.Length != target.Length * Classes)
        {
            throw new ArgumentException($"A sequence loss of {Classes} classes per step needs {Classes} logits per target step; got {logits.Length} logits for {target.Length} targets (a tagging data set has one target per step).", nameof(target));
        }

        return target.Length;
    }

    private int Check(ReadOnlySpan<float> logits, ReadOnlySpan<float> target)
    {
        CheckLengths(logits, target);
        for (int t = 0; t < target.Length; t++)
        {
            float v = target[t];
            if (v >= 0 && (v != (int)v || v >= Classes))
            {
                throw new ArgumentException($"Target {t} is {v}: a class id in [0, {Classes}) or negative for a step to leave out.", nameof(target));
            }
        }

        return target.Length;
    }
}
