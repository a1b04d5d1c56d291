using System;

namespace NetGen.Tests.Training;

/// <summary>Wraps an optimizer and counts its steps.</summary>
internal sealed class CountingOptimizer(IOptimizer inner) : IOptimizer
{
    public int Steps { get; private set; }

    public float LearningRate
    {
        get => inner.LearningRate;
        set => inner.LearningRate = value;
    }

    public long StepCount => inner.StepCount;

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        Steps++;
        inner.Step(parameters, gradients);
    }

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, ReadOnlySpan<ParameterGroup> groups)
    {
        Steps++;
        inner.Step(parameters, gradients, groups);
    }

    public OptimizerState ExportState() => inner.ExportState();

    public void ImportState(OptimizerState state) => inner.ImportState(state);
}
