using System;

namespace NetGen;

/// <summary>
/// A per-sample loss on a network's logits (the outputs before any trailing softmax or sigmoid), fused with its
/// gradient so it can be computed in a numerically stable form.
/// </summary>
public interface ILoss
{
    /// <summary>A short name for logs and checkpoints (PyTorch's <c>torch.nn.functional</c> name).</summary>
    string Name { get; }

    /// <summary>
    /// Computes the loss of one sample and writes <c>scale · dLoss/dlogits</c> into <paramref name="logitsGradient"/>.
    /// </summary>
    /// <param name="logits">The network's pre-activation outputs for the sample.</param>
    /// <param name="label">The sample's class label (<see cref="Dataset.Labels"/>).</param>
    /// <param name="target">The sample's float target vector (<see cref="Dataset.Target"/>) when the data set has one; empty otherwise.</param>
    /// <param name="logitsGradient">Receives the scaled gradient; same length as <paramref name="logits"/>, not overlapping it.</param>
    /// <param name="scale">Multiplies the gradient (not the returned loss); <c>1 / batchSize</c> gives the gradient of the batch mean.</param>
    /// <returns>The unscaled loss of the sample.</returns>
    float LossAndGradient(ReadOnlySpan<float> logits, int label, ReadOnlySpan<float> target, Span<float> logitsGradient, float scale);

    /// <summary>
    /// Whether the sample counts as correct in the trainer's accuracy: by default its predicted class is its label (the
    /// arg-max of the logits, or for a single logit whether it is positive); a sequence loss asks every real step to be right.
    /// </summary>
    bool IsCorrect(ReadOnlySpan<float> logits, int label, ReadOnlySpan<float> target) => Evaluation.PredictedClass(logits) == label;
}
