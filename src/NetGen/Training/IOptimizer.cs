using System;
using System.Diagnostics.CodeAnalysis;

namespace NetGen;

/// <summary>
/// Updates a network's flat parameter buffer from the gradient of one training step. An optimizer keeps its own
/// state (momentum, moment estimates) for the whole parameter buffer, allocated on the first step and sized to
/// the parameters, so one instance serves one parameter buffer.
/// </summary>
/// <remarks>
/// <para>
/// A step may cover a subset of the parameters (<see cref="ParameterGroup"/>): elements outside every group keep
/// their values and their optimizer state bit for bit, which freezes them; each group's elements are updated with
/// <see cref="LearningRate"/> × <see cref="ParameterGroup.LearningRateScale"/>.
/// </para>
/// <para>
/// <see cref="ExportState"/> and <see cref="ImportState"/> save and restore everything a step depends on besides
/// the hyperparameters (which the constructor and <see cref="LearningRate"/> set), so an optimizer restored from a
/// checkpoint continues exactly like one that never stopped.
/// </para>
/// </remarks>
public interface IOptimizer
{
    /// <summary>The base step size, finite and ≥ 0; settable between steps so schedules can change it.</summary>
    float LearningRate { get; set; }

    /// <summary>The number of <c>Step</c> calls so far (Adam's <c>t</c> before the next step); restored by <see cref="ImportState"/>.</summary>
    long StepCount { get; }

    /// <summary>Applies one update to all of <paramref name="parameters"/> in place, with <see cref="LearningRate"/>.</summary>
    /// <param name="parameters">The network's parameters (<see cref="INetwork.Parameters"/>); the same length at every step.</param>
    /// <param name="gradients">The gradient of the loss with respect to each parameter; same length.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the optimizer holds state for another number of parameters.</exception>
    [SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "PyTorch's name (optimizer.step()); VB callers can still call it.")]
    void Step(Span<float> parameters, ReadOnlySpan<float> gradients);

    /// <summary>
    /// Applies one update to the elements inside <paramref name="groups"/> only, each group with
    /// <see cref="LearningRate"/> × <see cref="ParameterGroup.LearningRateScale"/>; the other elements and their
    /// optimizer state stay untouched. <see cref="StepCount"/> still counts the call once.
    /// </summary>
    /// <param name="parameters">The network's whole parameter buffer; the same length at every step.</param>
    /// <param name="gradients">The gradient of the loss with respect to each parameter; same length.</param>
    /// <param name="groups">Ranges inside [0, <paramref name="parameters"/>.Length) that do not overlap, in any order.</param>
    /// <exception cref="ArgumentException">The lengths differ, the optimizer holds state for another number of parameters, or a group is out of range, overlaps another or has an invalid scale.</exception>
    [SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "PyTorch's name (optimizer.step()); VB callers can still call it.")]
    void Step(Span<float> parameters, ReadOnlySpan<float> gradients, ReadOnlySpan<ParameterGroup> groups);

    /// <summary>A copy of the optimizer's state (step count and buffers) for a checkpoint; later steps do not change it.</summary>
    /// <returns>The state; its buffers are empty before the first step.</returns>
    OptimizerState ExportState();

    /// <summary>
    /// Replaces the optimizer's state with a copy of <paramref name="state"/>, as exported by an optimizer of the
    /// same kind and settings, so the next step continues where that one stopped.
    /// </summary>
    /// <param name="state">The state to restore.</param>
    /// <exception cref="ArgumentException">The state is of another kind, lacks or adds buffers, or its buffers' lengths disagree with each other or with the state this optimizer already holds.</exception>
    void ImportState(OptimizerState state);
}
