using System;

namespace NetGen;

/// <summary>
/// Marks a <c>partial</c> class as a network. The layer attributes on the same declaration, read in source
/// order after an <see cref="InputAttribute"/>, describe the network; the NetGen generator checks every shape
/// at compile time and emits the class's forward and backward code.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>
    /// A safetensors checkpoint to bake into the network at compile time, e.g. <c>"lenet5.safetensors"</c>. The file
    /// must be given to the compiler as an additional file (<c>&lt;AdditionalFiles Include="lenet5.safetensors" /&gt;</c>);
    /// the name matches a file's name or the end of its path (<c>"models/lenet5.safetensors"</c>). The generator
    /// checks the file against the network (every parameter and buffer under its PyTorch key, with a float dtype
    /// and the network's shape; optimizer state is ignored) and reports a compiler error (NG0018 to NG0021) when
    /// it is missing, malformed or does not match. The network then gets a parameterless constructor that starts
    /// from the baked weights, stored as read-only data of the assembly, so no file is needed at run time.
    /// </summary>
    public string? Weights { get; set; }
}

/// <summary>The shape of one input sample: <c>(features)</c>, <c>(height, width)</c> or <c>(channels, height, width)</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class InputAttribute(params int[] shape) : Attribute
{
    /// <summary>The dimensions of one sample, outermost first.</summary>
    public int[] Shape { get; } = shape;
}

/// <summary>Base of every layer attribute: a layer may be given a stable name (the key of its checkpoint tensors).</summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>The layer's name; by default the kind and its ordinal (<c>conv1</c>, <c>dense2</c>, …).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// The earlier layer whose output this layer reads instead of the previous layer's (a branch or a shortcut);
    /// by default the previous layer. Source order is the order of evaluation, so only an earlier layer can be named.
    /// </summary>
    public string? From { get; set; }
}

/// <summary>A fully connected layer <c>y = W·x + b</c> with <c>W</c> of shape [units, inputs] (PyTorch's <c>Linear</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute(int units) : LayerAttribute
{
    /// <summary>Number of outputs.</summary>
    public int Units { get; } = units;

    /// <summary>Whether the layer has a bias tensor (default true; false is PyTorch's <c>bias=False</c>: no <c>bias</c> key, no bias term).</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>A 2-D convolution with square kernels; weights [filters, channels, kernel, kernel] (PyTorch's <c>Conv2d</c>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute(int filters, int kernel) : LayerAttribute
{
    /// <summary>Number of output channels.</summary>
    public int Filters { get; } = filters;

    /// <summary>Kernel height and width.</summary>
    public int Kernel { get; } = kernel;

    /// <summary>Step between neighbouring windows (default 1).</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Zeros added on each border (default 0).</summary>
    public int Padding { get; set; }

    /// <summary>Whether the layer has a bias tensor (default true; false is PyTorch's <c>bias=False</c>, as before a BatchNorm).</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>Max pooling over square windows; <see cref="Stride"/> defaults to the window size.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute(int size) : LayerAttribute
{
    /// <summary>Window height and width.</summary>
    public int Size { get; } = size;

    /// <summary>Step between windows; defaults to <see cref="Size"/> when not set.</summary>
    public int Stride { get; set; }
}

/// <summary>Average pooling over square windows; <see cref="Stride"/> defaults to the window size.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute(int size) : LayerAttribute
{
    /// <summary>Window height and width.</summary>
    public int Size { get; } = size;

    /// <summary>Step between windows; defaults to <see cref="Size"/> when not set.</summary>
    public int Stride { get; set; }
}

/// <summary>Flattens a [C, H, W] shape to [C·H·W] in PyTorch's order; implied before a Dense that follows a 3-D shape.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute;

/// <summary>Rectified linear unit, <c>max(0, x)</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : LayerAttribute;

/// <summary>Logistic sigmoid, <c>1 / (1 + e^-x)</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : LayerAttribute;

/// <summary>Hyperbolic tangent.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : LayerAttribute;

/// <summary>Softmax over a 1-D shape. As the last layer, training with cross-entropy fuses it into the loss.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : LayerAttribute;

/// <summary>
/// Batch normalization over the channels of the previous layer's output (PyTorch's <c>BatchNorm2d</c> after a
/// Conv2D or pool, <c>BatchNorm1d</c> after a Dense): in training each channel is normalized with the mean and
/// biased variance of the batch and the running statistics are updated; in evaluation the running statistics are
/// used. Its tensors are <c>weight</c> and <c>bias</c> (trainable, [C]) and <c>running_mean</c> and
/// <c>running_var</c> (buffers, [C]).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : LayerAttribute
{
    /// <summary>
    /// Added to the variance before the square root; finite and &gt; 0 as a float (PyTorch's default 1e-5). A
    /// <c>double</c>, so <c>Epsilon = 1e-3</c> compiles as written; the kernels use the nearest float, and a value
    /// that rounds to 0 or infinity is a compiler error (NG0017).
    /// </summary>
    public double Epsilon { get; set; } = 1e-5;

    /// <summary>
    /// Weight of the batch statistics in the running statistics' update, in [0, 1] (PyTorch's default 0.1); the
    /// kernels use the nearest float.
    /// </summary>
    public double Momentum { get; set; } = 0.1;
}

/// <summary>
/// Inverted dropout: in training each value is zeroed with probability <see cref="Rate"/> and the rest scaled by
/// 1/(1−rate). The rate is a <c>double</c>, so <c>[Dropout(0.2)]</c>, <c>[Dropout(0.2f)]</c> and <c>[Dropout(0)]</c>
/// all compile; the kernels use the nearest float.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute(double rate) : LayerAttribute
{
    /// <summary>Probability of dropping a value, in [0, 1) as a float (a rate that rounds to 1 is a compiler error, NG0004).</summary>
    public double Rate { get; } = rate;
}
