using System;

namespace NetGen;

/// <summary>
/// Gaussian error linear unit, the tanh approximation: <c>½x(1 + tanh(√(2/π)(x + 0.044715x³)))</c>, PyTorch's
/// <c>GELU(approximate="tanh")</c> (GPT-2's and BERT's). Not PyTorch's default <c>GELU()</c>, the exact erf form,
/// which differs by up to about 5·10⁻⁴.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GELUAttribute : LayerAttribute;
