using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NetGen;

/// <summary>
/// A learning-rate schedule: the factor by which the base learning rate is multiplied at each optimizer step,
/// counted from 0 over the whole run (not reset at each epoch). Set
/// <c>optimizer.LearningRate = baseLearningRate * schedule.Factor(step, stepsPerEpoch)</c> before each step.
/// </summary>
/// <remarks>
/// The factories mirror PyTorch's schedulers (<see cref="StepDecay"/>: <c>StepLR</c> stepped per epoch;
/// <see cref="Cosine"/>: <c>CosineAnnealingLR</c> stepped per batch) in closed form, so a schedule has no state
/// and a resumed run only needs its step number. Schedules are immutable and thread-safe.
/// </remarks>
public abstract class LearningRateSchedule
{
    /// <summary>Creates a schedule (for subclasses).</summary>
    protected LearningRateSchedule()
    {
    }

    /// <summary>The factor 1 at every step.</summary>
    /// <returns>The schedule.</returns>
    public static LearningRateSchedule Constant() => new ConstantSchedule();

    /// <summary>
    /// PyTorch's <c>StepLR</c> stepped once per epoch: the factor is <c>gamma^⌊epoch / everyEpochs⌋</c> with
    /// <c>epoch = step / stepsPerEpoch</c> (integer division), so it drops at the first step of every
    /// <paramref name="everyEpochs"/>-th epoch.
    /// </summary>
    /// <param name="everyEpochs">Epochs between two drops, ≥ 1.</param>
    /// <param name="gamma">The factor of each drop, finite and &gt; 0 (usually &lt; 1).</param>
    /// <returns>The schedule.</returns>
    public static LearningRateSchedule StepDecay(int everyEpochs, float gamma)
    {
        if (everyEpochs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(everyEpochs), everyEpochs, "StepDecay: expected everyEpochs ≥ 1.");
        }

        if (!(gamma > 0f && float.IsFinite(gamma)))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "StepDecay: expected gamma finite and > 0.");
        }

        return new StepDecaySchedule(everyEpochs, gamma);
    }

    /// <summary>
    /// Cosine annealing (PyTorch's <c>CosineAnnealingLR</c> with <c>T_max = totalEpochs·stepsPerEpoch</c>, stepped
    /// per batch): the factor is <c>minFactor + (1 − minFactor)·(1 + cos(π·step / T_max)) / 2</c>, falling from 1 at
    /// step 0 to <paramref name="minFactor"/> at step <c>T_max</c>, and staying there afterwards (where PyTorch's
    /// would rise again).
    /// </summary>
    /// <param name="totalEpochs">The length of the decay in epochs, ≥ 1.</param>
    /// <param name="minFactor">The final factor (PyTorch's <c>eta_min / base_lr</c>), in [0, 1].</param>
    /// <returns>The schedule.</returns>
    public static LearningRateSchedule Cosine(int totalEpochs, float minFactor = 0f)
    {
        if (totalEpochs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(totalEpochs), totalEpochs, "Cosine: expected totalEpochs ≥ 1.");
        }

        if (!(minFactor >= 0f && minFactor <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(minFactor), minFactor, "Cosine: expected 0 ≤ minFactor ≤ 1.");
        }

        return new CosineSchedule(totalEpochs, minFactor);
    }

    /// <summary>
    /// This schedule with a linear warm-up: during the first <paramref name="warmUpSteps"/> steps the factor is
    /// <c>(step + 1) / warmUpSteps</c> times this schedule's factor at the same step; afterwards it is this
    /// schedule's factor unchanged.
    /// </summary>
    /// <param name="warmUpSteps">Steps of warm-up, ≥ 0 (0: none).</param>
    /// <returns>A new schedule; this one is unchanged.</returns>
    public LearningRateSchedule WithWarmUp(int warmUpSteps)
    {
        if (warmUpSteps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(warmUpSteps), warmUpSteps, "WithWarmUp: expected warmUpSteps ≥ 0 (0: no warm-up).");
        }

        return new WarmUpSchedule(this, warmUpSteps);
    }

    /// <summary>The factor of the base learning rate at optimizer step <paramref name="step"/>.</summary>
    /// <param name="step">The step, counted from 0 over the whole run, ≥ 0.</param>
    /// <param name="stepsPerEpoch">Optimizer steps per epoch (batches per epoch), ≥ 1.</param>
    /// <returns>The factor, ≥ 0.</returns>
    [SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "'step' is the natural name (PyTorch's scheduler.step()); VB implementers can still override it.")]
    public abstract float Factor(int step, int stepsPerEpoch);

    private static void CheckStep(int step, int stepsPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepsPerEpoch);
    }

    private sealed class ConstantSchedule : LearningRateSchedule
    {
        public override float Factor(int step, int stepsPerEpoch)
        {
            CheckStep(step, stepsPerEpoch);
            return 1f;
        }

        public override string ToString() => "Constant()";
    }

    private sealed class StepDecaySchedule(int everyEpochs, float gamma) : LearningRateSchedule
    {
        public override float Factor(int step, int stepsPerEpoch)
        {
            CheckStep(step, stepsPerEpoch);
            int epoch = step / stepsPerEpoch;
            return (float)Math.Pow(gamma, epoch / everyEpochs);
        }

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"StepDecay(everyEpochs: {everyEpochs}, gamma: {gamma})");
    }

    private sealed class CosineSchedule(int totalEpochs, float minFactor) : LearningRateSchedule
    {
        public override float Factor(int step, int stepsPerEpoch)
        {
            CheckStep(step, stepsPerEpoch);
            long total = (long)totalEpochs * stepsPerEpoch;
            if (step >= total)
            {
                return minFactor;
            }

            return (float)(minFactor + ((1.0 - minFactor) * (1.0 + Math.Cos(Math.PI * step / total)) / 2.0));
        }

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"Cosine(totalEpochs: {totalEpochs}, minFactor: {minFactor})");
    }

    private sealed class WarmUpSchedule(LearningRateSchedule inner, int warmUpSteps) : LearningRateSchedule
    {
        public override float Factor(int step, int stepsPerEpoch)
        {
            CheckStep(step, stepsPerEpoch);
            float factor = inner.Factor(step, stepsPerEpoch);
            return step < warmUpSteps ? (float)((step + 1.0) / warmUpSteps * factor) : factor;
        }

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{inner}.WithWarmUp({warmUpSteps})");
    }
}
