using System;

namespace NetGen;

/// <summary>
/// Leaky rectified linear unit, <c>x</c> where <c>x &gt; 0</c> and <c>negativeSlope · x</c> elsewhere (PyTorch's
/// <c>LeakyReLU</c>, same default). The slope is a <c>double</c>, so <c>[LeakyReLU(0.2)]</c> and
/// <c>[LeakyReLU(0.2f)]</c> both compile; it must be finite and ≥ 0 (NG0017), since the gradient is read from
/// the output.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReLUAttribute(double negativeSlope = 0.01) : LayerAttribute
{
    /// <summary>The slope below zero, 0.01 unless given.</summary>
    public double NegativeSlope { get; } = negativeSlope;
}
