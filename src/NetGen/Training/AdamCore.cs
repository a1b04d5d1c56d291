using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NetGen;

/// <summary>
/// The state and the update shared by <see cref="Adam"/> (L2 weight decay added to the gradient) and
/// <see cref="AdamW"/> (decoupled weight decay), following PyTorch's single-tensor implementation: with
/// <c>t</c> the step number from 1, <c>step = lr / (1 − β1^t)</c> and <c>denom = √v / √(1 − β2^t) + ε</c>,
/// both bias corrections in double; then <c>θ ← θ − step·m/denom</c>. Like PyTorch, which counts steps per
/// tensor, <c>t</c> counts the steps each parameter has taken: a layer left out of the groups (frozen) does not
/// advance, and when it joins later its first update is bias-corrected as a first step.
/// </summary>
internal sealed class AdamCore
{
    private const string FirstMoment = OptimizerKeys.FirstMoment;
    private const string SecondMoment = OptimizerKeys.SecondMoment;
    private const string Steps = OptimizerKeys.Steps;

    private readonly string _kind;
    private readonly OptimizerDescription _description;
    private float _learningRate;
    private float[]? _m;
    private float[]? _v;
    private int[]? _steps;    // steps taken by each parameter; runs of equal counts share one set of constants
    private long _stepCount;

    public AdamCore(string kind, bool decoupled, float learningRate, float beta1, float beta2, float epsilon, float weightDecay)
    {
        _kind = kind;
        _learningRate = OptimizerSupport.CheckLearningRate(learningRate, nameof(learningRate));
        Beta1 = CheckBeta(beta1, nameof(beta1));
        Beta2 = CheckBeta(beta2, nameof(beta2));
        Epsilon = epsilon > 0f && float.IsFinite(epsilon)
            ? epsilon
            : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be finite and > 0.");
        WeightDecay = OptimizerSupport.CheckWeightDecay(weightDecay, nameof(weightDecay));
        _description = OptimizerDescription.ForAdam(kind, decoupled, Beta1, Beta2, Epsilon, WeightDecay);
    }

    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = OptimizerSupport.CheckLearningRate(value, nameof(value));
    }

    public float Beta1 { get; }

    public float Beta2 { get; }

    public float Epsilon { get; }

    public float WeightDecay { get; }

    public long StepCount => _stepCount;

    public OptimizerDescription Describe() => _description;

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, ReadOnlySpan<ParameterGroup> groups)
    {
        OptimizerSupport.CheckStep(parameters.Length, gradients.Length, _m?.Length ?? -1, groups);
        _m ??= new float[parameters.Length];
        _v ??= new float[parameters.Length];
        _steps ??= new int[parameters.Length];
        foreach (ParameterGroup group in groups)
        {
            double lr = (double)_learningRate * group.LearningRateScale;
            int end = group.Offset + group.Length;
            for (int start = group.Offset; start < end;)
            {
                (int length, int taken) = OptimizerSupport.StepRun(_steps, start, end);
                int t = checked(taken + 1);
                AdamCoefficients c = _description.AdamStep(lr, t);
                var kernel = new Kernel(Beta1, Beta2, Epsilon, c.StepSize, c.BiasCorrection2Sqrt, c.L2, c.Decay);
                kernel.Run(
                    parameters.Slice(start, length),
                    gradients.Slice(start, length),
                    _m.AsSpan(start, length),
                    _v.AsSpan(start, length));
                _steps.AsSpan(start, length).Fill(t);
                start += length;
            }
        }

        _stepCount++;
    }

    public OptimizerState ExportState()
    {
        var buffers = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (_m is not null && _v is not null && _steps is not null)
        {
            buffers.Add(FirstMoment, (float[])_m.Clone());
            buffers.Add(SecondMoment, (float[])_v.Clone());
            if (OptimizerSupport.ExportSteps(_steps, _stepCount) is float[] steps)
            {
                buffers.Add(Steps, steps);
            }
        }

        return new OptimizerState(_kind, _stepCount, buffers);
    }

    public void ImportState(OptimizerState state)
    {
        float[]?[]? buffers = OptimizerSupport.ReadState(state, _kind, [FirstMoment, SecondMoment], _m?.Length ?? -1, [Steps]);
        int[]? steps = null;
        if (buffers is not null)
        {
            steps = new int[buffers[0]!.Length];
            OptimizerSupport.ImportSteps(buffers[2], state.StepCount, steps, nameof(state));
        }

        _m = buffers?[0];
        _v = buffers?[1];
        _steps = steps;
        _stepCount = state.StepCount;
    }

    private static float CheckBeta(float value, string paramName) =>
        value >= 0f && value < 1f
            ? value
            : throw new ArgumentOutOfRangeException(paramName, value, $"'{paramName}' must be in [0, 1).");

    /// <summary>The per-element update of one group, with its constants.</summary>
    /// <param name="Beta1">β1.</param>
    /// <param name="Beta2">β2.</param>
    /// <param name="Epsilon">ε.</param>
    /// <param name="StepSize">lr / (1 − β1^t).</param>
    /// <param name="BiasCorrection2Sqrt">√(1 − β2^t).</param>
    /// <param name="L2">Adam's weight decay added to the gradient (0 for AdamW).</param>
    /// <param name="Decay">AdamW's factor 1 − lr·λ applied to θ first (1 for Adam).</param>
    private readonly record struct Kernel(float Beta1, float Beta2, float Epsilon, float StepSize, float BiasCorrection2Sqrt, float L2, float Decay)
    {
        /// <summary>
        /// <c>g ← g + L2·θ</c>; <c>m ← β1·m + (1 − β1)·g</c>; <c>v ← β2·v + (1 − β2)·(g·g)</c>;
        /// <c>θ ← θ·decay − step·(m / (√v / √bc2 + ε))</c>, the same operations in the vector body and the tail.
        /// </summary>
        public void Run(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> firstMoment, Span<float> secondMoment)
        {
            ref float p = ref MemoryMarshal.GetReference(parameters);
            ref float g = ref MemoryMarshal.GetReference(gradients);
            ref float m = ref MemoryMarshal.GetReference(firstMoment);
            ref float v = ref MemoryMarshal.GetReference(secondMoment);
            float b1 = Beta1, c1 = 1f - Beta1, b2 = Beta2, c2 = 1f - Beta2;
            float eps = Epsilon, step = StepSize, bc2 = BiasCorrection2Sqrt, l2 = L2, decay = Decay;
            bool hasL2 = l2 != 0f, hasDecay = decay != 1f;
            int n = parameters.Length;
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                Vector<float> vb1 = new(b1), vc1 = new(c1), vb2 = new(b2), vc2 = new(c2);
                Vector<float> veps = new(eps), vstep = new(step), vbc2 = new(bc2), vl2 = new(l2), vdecay = new(decay);
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                {
                    Vector<float> pi = Vector.LoadUnsafe(ref p, (nuint)i);
                    Vector<float> gi = Vector.LoadUnsafe(ref g, (nuint)i);
                    if (hasL2)
                    {
                        gi += vl2 * pi;
                    }

                    Vector<float> mi = (vb1 * Vector.LoadUnsafe(ref m, (nuint)i)) + (vc1 * gi);
                    Vector<float> vi = (vb2 * Vector.LoadUnsafe(ref v, (nuint)i)) + (vc2 * (gi * gi));
                    mi.StoreUnsafe(ref m, (nuint)i);
                    vi.StoreUnsafe(ref v, (nuint)i);
                    Vector<float> denom = (Vector.SquareRoot(vi) / vbc2) + veps;
                    if (hasDecay)
                    {
                        pi *= vdecay;
                    }

                    (pi - (vstep * (mi / denom))).StoreUnsafe(ref p, (nuint)i);
                }
            }

            for (; i < n; i++)
            {
                float pi = parameters[i];
                float gi = gradients[i];
                if (hasL2)
                {
                    gi += l2 * pi;
                }

                float mi = (b1 * firstMoment[i]) + (c1 * gi);
                float vi = (b2 * secondMoment[i]) + (c2 * (gi * gi));
                firstMoment[i] = mi;
                secondMoment[i] = vi;
                float denom = (MathF.Sqrt(vi) / bc2) + eps;
                if (hasDecay)
                {
                    pi *= decay;
                }

                parameters[i] = pi - (step * (mi / denom));
            }
        }
    }
}
