using System;

namespace NetGen;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter, decoupled weight decay) with PyTorch's <c>torch.optim.AdamW</c> semantics
/// (<c>amsgrad=False</c>): at step <c>t</c> (from 1), <c>θ ← θ − lr·λ·θ</c> (computed as <c>θ·(1 − lr·λ)</c>, with
/// the group's learning rate), then Adam's update without weight decay in the gradient:
/// <c>m ← β1·m + (1 − β1)·g</c>; <c>v ← β2·v + (1 − β2)·g²</c>;
/// <c>θ ← θ − lr·(m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)</c>.
/// </summary>
/// <remarks>
/// Unlike <see cref="Adam"/>'s L2 penalty, the decay here is not divided by <c>√v</c>, so every weight shrinks
/// by the same fraction whatever its gradient's scale. The moment buffers (<c>"exp_avg"</c>, <c>"exp_avg_sq"</c>
/// in <see cref="ExportState"/>) are allocated on the first step, sized to the whole parameter buffer; after that
/// a step allocates nothing. The bias corrections use <c>t</c> = <see cref="StepCount"/> + 1 for every group, also
/// for ranges that were frozen during earlier steps (PyTorch counts steps per parameter tensor instead). Each
/// element is computed with the same operations in the vector body and the scalar tail, so the result does not
/// depend on the buffer's length or alignment.
/// </remarks>
public sealed class AdamW : IOptimizer, IDescribedOptimizer
{
    private readonly AdamCore _core;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Step size, finite and ≥ 0.</param>
    /// <param name="beta1">Decay of the first-moment (mean) estimate, in [0, 1).</param>
    /// <param name="beta2">Decay of the second-moment (uncentred variance) estimate, in [0, 1).</param>
    /// <param name="epsilon">Added to the denominator for stability, finite and &gt; 0.</param>
    /// <param name="weightDecay">Decoupled weight decay λ: each step multiplies θ by <c>1 − lr·λ</c>; finite and ≥ 0.</param>
    public AdamW(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 1e-2f) =>
        _core = new AdamCore(OptimizerKeys.AdamW, decoupled: true, learningRate, beta1, beta2, epsilon, weightDecay);

    /// <inheritdoc />
    public float LearningRate
    {
        get => _core.LearningRate;
        set => _core.LearningRate = value;
    }

    /// <summary>The first-moment decay β1.</summary>
    public float Beta1 => _core.Beta1;

    /// <summary>The second-moment decay β2.</summary>
    public float Beta2 => _core.Beta2;

    /// <summary>The denominator's ε.</summary>
    public float Epsilon => _core.Epsilon;

    /// <summary>The decoupled weight-decay factor λ.</summary>
    public float WeightDecay => _core.WeightDecay;

    /// <inheritdoc />
    public long StepCount => _core.StepCount;

    /// <inheritdoc />
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        var all = new ParameterGroup(0, parameters.Length);
        _core.Step(parameters, gradients, new ReadOnlySpan<ParameterGroup>(in all));
    }

    /// <inheritdoc />
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, ReadOnlySpan<ParameterGroup> groups) =>
        _core.Step(parameters, gradients, groups);

    /// <inheritdoc />
    public OptimizerState ExportState() => _core.ExportState();

    /// <inheritdoc />
    public void ImportState(OptimizerState state) => _core.ImportState(state);

    /// <inheritdoc />
    OptimizerDescription IDescribedOptimizer.Describe() => _core.Describe();
}
