using System;
using System.Diagnostics.CodeAnalysis;

namespace NetGen;

/// <summary>
/// Updates a network's flat parameter buffer from the gradient of one training step. An optimizer keeps its own
/// state (momentum, moment estimates) sized to the parameters on the first <see cref="Step"/>, so one instance
/// serves one parameter buffer.
/// </summary>
public interface IOptimizer
{
    /// <summary>The step size; settable between steps so schedules can change it.</summary>
    float LearningRate { get; set; }

    /// <summary>Applies one update to <paramref name="parameters"/> in place.</summary>
    /// <param name="parameters">The network's parameters (<see cref="INetwork.Parameters"/>).</param>
    /// <param name="gradients">The gradient of the loss with respect to each parameter; same length.</param>
    [SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "PyTorch's name (optimizer.step()); VB callers can still call it.")]
    void Step(Span<float> parameters, ReadOnlySpan<float> gradients);
}
