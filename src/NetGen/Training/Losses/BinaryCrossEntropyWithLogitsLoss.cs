using System;

namespace NetGen;

/// <summary>
/// Binary cross-entropy on logits (PyTorch's <c>binary_cross_entropy_with_logits</c>, mean reduction over the
/// outputs): the loss is the mean over the outputs of <c>−[y·log σ(z) + (1 − y)·log(1 − σ(z))]</c>, computed
/// stably as <c>max(z, 0) − z·y + log(1 + exp(−|z|))</c>, and its gradient is <c>(σ(z) − y) / outputs</c>.
/// </summary>
/// <remarks>
/// The targets <c>y</c> are the sample's target vector when the data set has one (soft targets in [0, 1] are
/// fine); otherwise, with one output, <c>y = label</c> (0 or 1), and with several outputs <c>y = onehot(label)</c>.
/// Computed in double; logits of ±1000 give finite losses and gradients.
/// </remarks>
public sealed class BinaryCrossEntropyWithLogitsLoss : ILoss
{
    /// <inheritdoc />
    /// <value><c>"binary_cross_entropy_with_logits"</c>.</value>
    public string Name => "binary_cross_entropy_with_logits";

    /// <inheritdoc />
    public float LossAndGradient(ReadOnlySpan<float> logits, int label, ReadOnlySpan<float> target, Span<float> logitsGradient, float scale)
    {
        LossTargets.CheckLengths(logits, target, logitsGradient);
        int n = logits.Length;
        if (target.IsEmpty)
        {
            LossTargets.CheckLabel(label, n == 1 ? 2 : n, n == 1 ? "0 or 1 (one output)" : "a class index");
        }

        double sum = 0;
        double factor = (double)scale / n;
        for (int i = 0; i < n; i++)
        {
            double z = logits[i];
            double y = !target.IsEmpty ? target[i] : n == 1 ? label : i == label ? 1.0 : 0.0;
            double e = Math.Exp(-Math.Abs(z));
            sum += Math.Max(z, 0.0) - (z * y) + LogOnePlus(e);
            double sigmoid = z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            logitsGradient[i] = (float)((sigmoid - y) * factor);
        }

        return (float)(sum / n);
    }

    /// <summary><c>log(1 + x)</c> for x in [0, 1], accurate when x is tiny.</summary>
    private static double LogOnePlus(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }
}
