using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace NetGen;

/// <summary>
/// A snapshot of an <see cref="IOptimizer"/>'s state, for checkpoints: its kind, the number of steps taken and
/// its per-parameter buffers, named as PyTorch names them in <c>optimizer.state_dict()</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description><c>"sgd"</c> (<see cref="Sgd"/>): <c>"momentum_buffer"</c> when momentum is on.</description></item>
/// <item><description><c>"adam"</c> (<see cref="Adam"/>) and <c>"adamw"</c> (<see cref="AdamW"/>): <c>"exp_avg"</c> (first moment) and <c>"exp_avg_sq"</c> (second moment); and <c>"step"</c>, the steps each parameter has taken, when they differ from <see cref="StepCount"/> (parameters left out of the groups, e.g. frozen, do not count steps, as in PyTorch).</description></item>
/// </list>
/// Every buffer covers the whole parameter buffer. There are none before the first step.
/// <see cref="IOptimizer.ExportState"/> hands out fresh arrays and <see cref="IOptimizer.ImportState"/> copies
/// them, so a state never aliases an optimizer's buffers. The hyperparameters (learning rate, betas …) are not
/// part of the state.
/// </remarks>
public sealed class OptimizerState
{
    /// <summary>Creates a state; the dictionary is copied, the arrays are kept as given.</summary>
    /// <param name="kind">The optimizer's kind: <c>"sgd"</c>, <c>"adam"</c> or <c>"adamw"</c>.</param>
    /// <param name="stepCount">The number of steps taken, ≥ 0.</param>
    /// <param name="buffers">The state buffers by name; none may be null.</param>
    public OptimizerState(string kind, long stepCount, IReadOnlyDictionary<string, float[]> buffers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        ArgumentNullException.ThrowIfNull(buffers);
        var copy = new Dictionary<string, float[]>(buffers.Count, StringComparer.Ordinal);
        foreach (KeyValuePair<string, float[]> buffer in buffers)
        {
            if (buffer.Value is null)
            {
                throw new ArgumentException($"Buffer '{buffer.Key}' is null.", nameof(buffers));
            }

            copy.Add(buffer.Key, buffer.Value);
        }

        Kind = kind;
        StepCount = stepCount;
        Buffers = new ReadOnlyDictionary<string, float[]>(copy);
    }

    /// <summary>The optimizer's kind: <c>"sgd"</c>, <c>"adam"</c> or <c>"adamw"</c>.</summary>
    public string Kind { get; }

    /// <summary>The number of steps the optimizer had taken.</summary>
    public long StepCount { get; }

    /// <summary>The state buffers by name (see the remarks), each as long as the parameter buffer.</summary>
    public IReadOnlyDictionary<string, float[]> Buffers { get; }
}
