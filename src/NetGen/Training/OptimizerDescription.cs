using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>The optimizers' kinds and state keys (PyTorch's names), once for the optimizers and every device that runs them.</summary>
internal static class OptimizerKeys
{
    /// <summary><see cref="Sgd"/>'s kind.</summary>
    public const string Sgd = "sgd";

    /// <summary><see cref="NetGen.Adam"/>'s kind.</summary>
    public const string Adam = "adam";

    /// <summary><see cref="NetGen.AdamW"/>'s kind.</summary>
    public const string AdamW = "adamw";

    /// <summary>SGD's velocity.</summary>
    public const string MomentumBuffer = "momentum_buffer";

    /// <summary>Adam's first moment m.</summary>
    public const string FirstMoment = "exp_avg";

    /// <summary>Adam's second moment v.</summary>
    public const string SecondMoment = "exp_avg_sq";

    /// <summary>Adam's per-parameter step counts (when they differ from the step count).</summary>
    public const string Steps = "step";
}

/// <summary>Which update formula an optimizer applies.</summary>
internal enum UpdateRule
{
    /// <summary>SGD with optional momentum (classical or Nesterov) and L2 weight decay.</summary>
    Sgd,

    /// <summary>Adam with bias correction; L2 weight decay (Adam) or decoupled (AdamW).</summary>
    Adam,
}

/// <summary>An optimizer that can say what it computes, so a device can run its update (<see cref="OptimizerDescription"/>).</summary>
internal interface IDescribedOptimizer
{
    /// <summary>The optimizer's kind, hyper-parameters and state.</summary>
    /// <returns>Its description; the learning rate is read from the optimizer at each step.</returns>
    OptimizerDescription Describe();
}

/// <summary>
/// What an optimizer computes: its kind, update rule and hyper-parameters, the parameter-sized state tensors it
/// keeps (their keys in <see cref="OptimizerState"/>, in the order a device holds them), and the coefficients of a
/// step (<see cref="AdamStep"/>), computed here for the CPU optimizer and every device alike.
/// </summary>
/// <param name="Kind">The kind written in <see cref="OptimizerState.Kind"/>.</param>
/// <param name="Rule">The update formula.</param>
/// <param name="StateKeys">The parameter-sized state tensors, in order (SGD: the velocity when it has momentum; Adam: m, v).</param>
/// <param name="WeightDecay">SGD's and Adam's L2 factor, AdamW's decoupled λ.</param>
internal sealed record OptimizerDescription(string Kind, UpdateRule Rule, IReadOnlyList<string> StateKeys, float WeightDecay)
{
    /// <summary>SGD's momentum μ (0: none).</summary>
    public float Momentum { get; init; }

    /// <summary>Whether SGD's momentum is Nesterov's.</summary>
    public bool Nesterov { get; init; }

    /// <summary>Adam's β1.</summary>
    public float Beta1 { get; init; }

    /// <summary>Adam's β2.</summary>
    public float Beta2 { get; init; }

    /// <summary>Adam's ε.</summary>
    public float Epsilon { get; init; }

    /// <summary>Whether the weight decay is decoupled (AdamW).</summary>
    public bool Decoupled { get; init; }

    /// <summary>Whether each parameter counts its own steps (Adam; under <see cref="OptimizerKeys.Steps"/>).</summary>
    public bool CountsSteps => Rule == UpdateRule.Adam;

    /// <summary>SGD's description.</summary>
    public static OptimizerDescription ForSgd(float momentum, float weightDecay, bool nesterov) =>
        new(OptimizerKeys.Sgd, UpdateRule.Sgd, momentum == 0f ? [] : [OptimizerKeys.MomentumBuffer], weightDecay) { Momentum = momentum, Nesterov = nesterov };

    /// <summary>Adam's or AdamW's description.</summary>
    public static OptimizerDescription ForAdam(string kind, bool decoupled, float beta1, float beta2, float epsilon, float weightDecay) =>
        new(kind, UpdateRule.Adam, [OptimizerKeys.FirstMoment, OptimizerKeys.SecondMoment], weightDecay) { Beta1 = beta1, Beta2 = beta2, Epsilon = epsilon, Decoupled = decoupled };

    /// <summary>
    /// The constants of Adam's update for parameters taking their <paramref name="t"/>-th step with learning rate
    /// <paramref name="learningRate"/> (the group's): both bias corrections in double, as PyTorch computes them.
    /// </summary>
    /// <param name="learningRate">The base rate times the group's scale, in double.</param>
    /// <param name="t">The step number, from 1.</param>
    /// <returns>lr / (1 − β1^t), √(1 − β2^t), the L2 factor added to the gradient, and the decoupled decay factor.</returns>
    public AdamCoefficients AdamStep(double learningRate, int t) => new(
        (float)(learningRate / (1.0 - Math.Pow(Beta1, t))),
        (float)Math.Sqrt(1.0 - Math.Pow(Beta2, t)),
        Decoupled ? 0f : WeightDecay,
        Decoupled && WeightDecay != 0f ? (float)(1.0 - (learningRate * WeightDecay)) : 1f);
}

/// <summary>The constants of one Adam step of a run of parameters.</summary>
/// <param name="StepSize">lr / (1 − β1^t).</param>
/// <param name="BiasCorrection2Sqrt">√(1 − β2^t).</param>
/// <param name="L2">Adam's weight decay added to the gradient (0 for AdamW).</param>
/// <param name="Decay">AdamW's factor 1 − lr·λ applied to θ first (1 for Adam).</param>
internal readonly record struct AdamCoefficients(float StepSize, float BiasCorrection2Sqrt, float L2, float Decay);
