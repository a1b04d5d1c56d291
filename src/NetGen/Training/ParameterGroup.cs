namespace NetGen;

/// <summary>
/// A contiguous range of a network's flat parameter buffer and the multiplier of the optimizer's learning rate
/// for it, for <see cref="IOptimizer.Step(System.Span{float}, System.ReadOnlySpan{float}, System.ReadOnlySpan{ParameterGroup})"/>
/// (PyTorch's parameter groups, restricted to a learning-rate factor). Ranges left out of a step are frozen.
/// </summary>
/// <remarks>
/// To freeze a range, leave it out of the step. A group with <paramref name="LearningRateScale"/> 0 leaves its
/// parameters unchanged too, but still updates their optimizer state (momentum, moment estimates) from the
/// gradient. <c>default(ParameterGroup)</c> is an empty range.
/// </remarks>
/// <param name="Offset">The first parameter of the range, ≥ 0.</param>
/// <param name="Length">The number of parameters in the range, ≥ 0.</param>
/// <param name="LearningRateScale">Multiplies <see cref="IOptimizer.LearningRate"/> for this range; finite and ≥ 0.</param>
public readonly record struct ParameterGroup(int Offset, int Length, float LearningRateScale = 1f);
