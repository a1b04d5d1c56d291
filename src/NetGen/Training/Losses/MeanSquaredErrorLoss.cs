using System;

namespace NetGen;

/// <summary>
/// Mean squared error (PyTorch's <c>mse_loss</c>, mean reduction over the outputs): the loss is the mean over the
/// outputs of <c>(z − y)²</c> and its gradient is <c>2·(z − y) / outputs</c>.
/// </summary>
/// <remarks>
/// The targets <c>y</c> are the sample's target vector when the data set has one, otherwise <c>onehot(label)</c>
/// (with one output the label must then be 0, so the target is 1). Computed in double.
/// </remarks>
public sealed class MeanSquaredErrorLoss : ILoss
{
    /// <inheritdoc />
    /// <value><c>"mse_loss"</c>.</value>
    public string Name => "mse_loss";

    /// <inheritdoc />
    public float LossAndGradient(ReadOnlySpan<float> logits, int label, ReadOnlySpan<float> target, Span<float> logitsGradient, float scale)
    {
        LossTargets.CheckLengths(logits, target, logitsGradient);
        int n = logits.Length;
        if (target.IsEmpty)
        {
            LossTargets.CheckLabel(label, n, "a class index");
        }

        double sum = 0;
        double factor = 2.0 * scale / n;
        for (int i = 0; i < n; i++)
        {
            double y = !target.IsEmpty ? target[i] : i == label ? 1.0 : 0.0;
            double d = logits[i] - y;
            sum += d * d;
            logitsGradient[i] = (float)(d * factor);
        }

        return (float)(sum / n);
    }
}
