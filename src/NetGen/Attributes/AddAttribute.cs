using System;

namespace NetGen;

/// <summary>
/// The element-wise sum of the previous layer's output (or <see cref="LayerAttribute.From"/>'s) and the outputs of
/// the named earlier layers, all of one shape: a residual connection. Backward hands d loss / d output to every
/// operand unchanged.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AddAttribute(string layer, params string[] moreLayers) : LayerAttribute
{
    /// <summary>The earlier layers whose outputs are added to the previous one's, in the order written.</summary>
    public string[] Layers { get; } = Prepend(layer, moreLayers);

    internal static string[] Prepend(string first, string[] rest)
    {
        var all = new string[1 + (rest?.Length ?? 0)];
        all[0] = first;
        rest?.CopyTo(all, 1);
        return all;
    }
}
