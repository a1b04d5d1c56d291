using System;

namespace NetGen;

/// <summary>
/// Adam (Kingma &amp; Ba) with PyTorch's <c>torch.optim.Adam</c> semantics (<c>amsgrad=False</c>): at step
/// <c>t</c> (from 1), <c>g ← g + λ·θ</c> (L2 weight decay); <c>m ← β1·m + (1 − β1)·g</c>;
/// <c>v ← β2·v + (1 − β2)·g²</c>; <c>θ ← θ − lr·(m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)</c>.
/// </summary>
/// <remarks>
/// The moment buffers (<c>"exp_avg"</c>, <c>"exp_avg_sq"</c> in <see cref="ExportState"/>) are allocated on the
/// first step, sized to the whole parameter buffer; after that a step allocates nothing. The bias corrections use
/// <c>t</c> = <see cref="StepCount"/> + 1 for every group, also for ranges that were frozen during earlier steps
/// (PyTorch counts steps per parameter tensor instead). Each element is computed with the same operations in the
/// vector body and the scalar tail, so the result does not depend on the buffer's length or alignment. For weight
/// decay that does not scale with the gradient's statistics, use <see cref="AdamW"/>.
/// </remarks>
public sealed class Adam : IOptimizer, IDescribedOptimizer
{
    private readonly AdamCore _core;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Step size, finite and ≥ 0.</param>
    /// <param name="beta1">Decay of the first-moment (mean) estimate, in [0, 1).</param>
    /// <param name="beta2">Decay of the second-moment (uncentred variance) estimate, in [0, 1).</param>
    /// <param name="epsilon">Added to the denominator for stability, finite and &gt; 0.</param>
    /// <param name="weightDecay">L2 penalty λ added to the gradient as <c>λ·θ</c>, finite and ≥ 0.</param>
    public Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f) =>
        _core = new AdamCore(OptimizerKeys.Adam, decoupled: false, learningRate, beta1, beta2, epsilon, weightDecay);

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

    /// <summary>The L2 weight-decay factor λ added to the gradient.</summary>
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
