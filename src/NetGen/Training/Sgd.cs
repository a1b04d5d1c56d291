using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>
/// Stochastic gradient descent with optional momentum (classical or Nesterov) and weight decay, with PyTorch's
/// <c>torch.optim.SGD</c> semantics (no dampening): <c>g ← g + weightDecay·θ</c>; with momentum μ,
/// <c>v ← μ·v + g</c> (on the first step <c>v ← g</c>), then <c>g ← v</c>, or <c>g ← g + μ·v</c> with Nesterov;
/// finally <c>θ ← θ − lr·g</c>.
/// </summary>
/// <remarks>
/// The momentum buffer (<c>"momentum_buffer"</c> in <see cref="ExportState"/>) is allocated on the first
/// <see cref="Step(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{ParameterGroup})"/>, sized to the whole parameter
/// buffer; after that a step allocates nothing. Elements that first enter a group after the first step start
/// from a zero buffer, which gives them <c>v ← g</c> like PyTorch's first step. Each element is computed with the
/// same operations in the vector body and the scalar tail, so the result does not depend on the buffer's length
/// or alignment.
/// </remarks>
public sealed class Sgd : IOptimizer, IDescribedOptimizer
{
    private const string MomentumBuffer = OptimizerKeys.MomentumBuffer;

    private float _learningRate;
    private float[]? _velocity;
    private long _stepCount;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Step size, finite and ≥ 0.</param>
    /// <param name="momentum">Momentum factor μ in [0, 1); 0 turns momentum off.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient as <c>weightDecay·θ</c>, finite and ≥ 0.</param>
    /// <param name="nesterov">Nesterov momentum (<c>g ← g + μ·v</c> after updating v); needs <paramref name="momentum"/> &gt; 0.</param>
    public Sgd(float learningRate, float momentum = 0f, float weightDecay = 0f, bool nesterov = false)
    {
        _learningRate = OptimizerSupport.CheckLearningRate(learningRate, nameof(learningRate));
        if (!(momentum >= 0f && momentum < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        }

        if (nesterov && momentum == 0f)
        {
            throw new ArgumentException("Nesterov momentum needs a momentum in (0, 1); the momentum is 0.", nameof(nesterov));
        }

        Momentum = momentum;
        WeightDecay = OptimizerSupport.CheckWeightDecay(weightDecay, nameof(weightDecay));
        Nesterov = nesterov;
    }

    /// <inheritdoc />
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = OptimizerSupport.CheckLearningRate(value, nameof(value));
    }

    /// <summary>The momentum factor μ (0: plain SGD).</summary>
    public float Momentum { get; }

    /// <summary>The L2 weight-decay factor added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether the momentum is Nesterov's.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc />
    public long StepCount => _stepCount;

    /// <inheritdoc />
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        var all = new ParameterGroup(0, parameters.Length);
        Step(parameters, gradients, new ReadOnlySpan<ParameterGroup>(in all));
    }

    /// <inheritdoc />
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, ReadOnlySpan<ParameterGroup> groups)
    {
        OptimizerSupport.CheckStep(parameters.Length, gradients.Length, _velocity?.Length ?? -1, groups);
        if (Momentum == 0f)
        {
            foreach (ParameterGroup group in groups)
            {
                Plain(
                    parameters.Slice(group.Offset, group.Length),
                    gradients.Slice(group.Offset, group.Length),
                    _learningRate * group.LearningRateScale,
                    WeightDecay);
            }
        }
        else
        {
            bool first = _velocity is null;
            _velocity ??= new float[parameters.Length];
            foreach (ParameterGroup group in groups)
            {
                WithMomentum(
                    parameters.Slice(group.Offset, group.Length),
                    gradients.Slice(group.Offset, group.Length),
                    _velocity.AsSpan(group.Offset, group.Length),
                    _learningRate * group.LearningRateScale,
                    Momentum,
                    WeightDecay,
                    first,
                    Nesterov);
            }
        }

        _stepCount++;
    }

    /// <inheritdoc />
    public OptimizerState ExportState()
    {
        var buffers = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (_velocity is not null)
        {
            buffers.Add(MomentumBuffer, (float[])_velocity.Clone());
        }

        return new OptimizerState(OptimizerKeys.Sgd, _stepCount, buffers);
    }

    /// <inheritdoc />
    public void ImportState(OptimizerState state)
    {
        ReadOnlySpan<string> names = Momentum == 0f ? [] : [MomentumBuffer];
        float[]?[]? buffers = OptimizerSupport.ReadState(state, OptimizerKeys.Sgd, names, _velocity?.Length ?? -1);
        _velocity = buffers?[0];
        _stepCount = state.StepCount;
    }

    /// <inheritdoc />
    OptimizerDescription IDescribedOptimizer.Describe() => OptimizerDescription.ForSgd(Momentum, WeightDecay, Nesterov);

    private static void Plain(Span<float> parameters, ReadOnlySpan<float> gradients, float lr, float wd)
    {
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        int n = parameters.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> vlr = new(lr), vwd = new(wd);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> pi = Vector.LoadUnsafe(ref p, (nuint)i);
                Vector<float> gi = Vector.LoadUnsafe(ref g, (nuint)i);
                if (wd != 0f)
                {
                    gi += vwd * pi;
                }

                (pi - (vlr * gi)).StoreUnsafe(ref p, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float gi = gradients[i];
            if (wd != 0f)
            {
                gi += wd * parameters[i];
            }

            parameters[i] -= lr * gi;
        }
    }

    /// <summary>
    /// <c>g' = g + wd·θ</c>; <c>v = g'</c> on the first step, else <c>μ·v + g'</c>; <c>d = v</c>, or <c>g' + μ·v</c>
    /// with Nesterov; <c>θ −= lr·d</c>.
    /// </summary>
    private static void WithMomentum(
        Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> velocity, float lr, float mu, float wd, bool first, bool nesterov)
    {
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float v = ref MemoryMarshal.GetReference(velocity);
        int n = parameters.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Vector<float> vlr = new(lr), vmu = new(mu), vwd = new(wd);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> pi = Vector.LoadUnsafe(ref p, (nuint)i);
                Vector<float> gi = Vector.LoadUnsafe(ref g, (nuint)i);
                if (wd != 0f)
                {
                    gi += vwd * pi;
                }

                Vector<float> vi = first ? gi : (vmu * Vector.LoadUnsafe(ref v, (nuint)i)) + gi;
                vi.StoreUnsafe(ref v, (nuint)i);
                Vector<float> di = nesterov ? gi + (vmu * vi) : vi;
                (pi - (vlr * di)).StoreUnsafe(ref p, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float gi = gradients[i];
            if (wd != 0f)
            {
                gi += wd * parameters[i];
            }

            float vi = first ? gi : (mu * velocity[i]) + gi;
            velocity[i] = vi;
            float di = nesterov ? gi + (mu * vi) : vi;
            parameters[i] -= lr * di;
        }
    }
}
