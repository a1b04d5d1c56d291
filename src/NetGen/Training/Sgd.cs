using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>
/// Stochastic gradient descent with optional momentum and weight decay, with PyTorch's <c>torch.optim.SGD</c>
/// semantics: <c>g ← g + weightDecay·θ</c>; with momentum μ, <c>v ← μ·v + g</c> (on the first step
/// <c>v ← g</c>); then <c>θ ← θ − lr·v</c> (or <c>θ ← θ − lr·g</c> without momentum).
/// </summary>
/// <remarks>
/// The velocity buffer is allocated on the first <see cref="Step"/>, sized to the parameters; after that a step
/// allocates nothing. Each element is computed with the same operations in the vector body and the scalar tail,
/// so the result does not depend on the buffer's length or alignment.
/// </remarks>
public sealed class Sgd : IOptimizer
{
    private float _learningRate;
    private float[]? _velocity;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">Step size, finite and ≥ 0.</param>
    /// <param name="momentum">Momentum factor μ in [0, 1); 0 turns momentum off.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient as <c>weightDecay·θ</c>, finite and ≥ 0.</param>
    public Sgd(float learningRate, float momentum = 0f, float weightDecay = 0f)
    {
        _learningRate = CheckLearningRate(learningRate, nameof(learningRate));
        if (!(momentum >= 0f && momentum < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        }

        if (!(weightDecay >= 0f && float.IsFinite(weightDecay)))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Weight decay must be finite and ≥ 0.");
        }

        Momentum = momentum;
        WeightDecay = weightDecay;
    }

    /// <inheritdoc />
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = CheckLearningRate(value, nameof(value));
    }

    /// <summary>The momentum factor μ (0: plain SGD).</summary>
    public float Momentum { get; }

    /// <summary>The L2 weight-decay factor added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc />
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (gradients.Length != parameters.Length)
        {
            throw new ArgumentException($"Expected one gradient per parameter ({parameters.Length}); got {gradients.Length}.", nameof(gradients));
        }

        if (Momentum == 0f)
        {
            Plain(parameters, gradients, _learningRate, WeightDecay);
            return;
        }

        if (_velocity is null)
        {
            _velocity = new float[parameters.Length];
            First(parameters, gradients, _velocity, _learningRate, WeightDecay);
            return;
        }

        if (_velocity.Length != parameters.Length)
        {
            throw new ArgumentException(
                $"This optimizer holds momentum for {_velocity.Length} parameters; got {parameters.Length}. Use one optimizer per network.",
                nameof(parameters));
        }

        WithMomentum(parameters, gradients, _velocity, _learningRate, Momentum, WeightDecay);
    }

    private static float CheckLearningRate(float value, string paramName) =>
        value >= 0f && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, "The learning rate must be finite and ≥ 0.");

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

    private static void First(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> velocity, float lr, float wd)
    {
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float v = ref MemoryMarshal.GetReference(velocity);
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

                gi.StoreUnsafe(ref v, (nuint)i);
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

            velocity[i] = gi;
            parameters[i] -= lr * gi;
        }
    }

    private static void WithMomentum(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> velocity, float lr, float mu, float wd)
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

                Vector<float> vi = (vmu * Vector.LoadUnsafe(ref v, (nuint)i)) + gi;
                vi.StoreUnsafe(ref v, (nuint)i);
                (pi - (vlr * vi)).StoreUnsafe(ref p, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float gi = gradients[i];
            if (wd != 0f)
            {
                gi += wd * parameters[i];
            }

            float vi = (mu * velocity[i]) + gi;
            velocity[i] = vi;
            parameters[i] -= lr * vi;
        }
    }
}
