using System;

namespace NetGen;

/// <summary>Checks shared by the losses that compare each output with a target value.</summary>
internal static class LossTargets
{
    /// <summary>Throws unless the logits, the gradient and a non-empty target have matching lengths.</summary>
    public static void CheckLengths(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, Span<float> logitsGradient)
    {
        if (logits.IsEmpty)
        {
            throw new ArgumentException("At least one logit is needed.", nameof(logits));
        }

        if (logitsGradient.Length != logits.Length)
        {
            throw new ArgumentException($"Expected {logits.Length} floats, one per logit; got {logitsGradient.Length}.", nameof(logitsGradient));
        }

        if (!target.IsEmpty && target.Length != logits.Length)
        {
            throw new ArgumentException($"Expected a target of {logits.Length} floats, one per logit (or none); got {target.Length}.", nameof(target));
        }
    }

    /// <summary>Throws unless <paramref name="label"/> is a class index in [0, <paramref name="classes"/>).</summary>
    public static void CheckLabel(int label, int classes, string what)
    {
        if ((uint)label >= (uint)classes)
        {
            throw new ArgumentOutOfRangeException(nameof(label), label, $"Without a target vector the label must be {what} in [0, {classes}).");
        }
    }
}
