using System;

namespace NetGen;

/// <summary>
/// The previous layer's output (or <see cref="LayerAttribute.From"/>'s) followed by the outputs of the named
/// earlier layers: along the channel axis for [C, H, W] shapes of equal height and width, along the feature axis
/// for flat ones (PyTorch's <c>torch.cat(…, dim=1)</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConcatAttribute(string layer, params string[] moreLayers) : LayerAttribute
{
    /// <summary>The earlier layers whose outputs follow the previous one's, in the order written.</summary>
    public string[] Layers { get; } = AddAttribute.Prepend(layer, moreLayers);
}
