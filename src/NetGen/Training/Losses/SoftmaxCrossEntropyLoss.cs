using System;

namespace NetGen;

/// <summary>
/// Softmax cross-entropy against the class label (PyTorch's <c>cross_entropy</c> with class indices), computed by
/// <see cref="SoftmaxCrossEntropy.LossAndGradient"/>: loss <c>log Σ exp(zᵢ) − z[label]</c>, gradient
/// <c>softmax(z) − onehot(label)</c>. The target vector is not used.
/// </summary>
public sealed class SoftmaxCrossEntropyLoss : ILoss
{
    /// <inheritdoc />
    /// <value><c>"cross_entropy"</c>.</value>
    public string Name => "cross_entropy";

    /// <inheritdoc />
    public float LossAndGradient(ReadOnlySpan<float> logits, int label, ReadOnlySpan<float> target, Span<float> logitsGradient, float scale) =>
        SoftmaxCrossEntropy.LossAndGradient(logits, label, logitsGradient, scale);
}
