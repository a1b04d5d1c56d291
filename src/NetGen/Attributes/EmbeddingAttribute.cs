using System;

namespace NetGen;

/// <summary>
/// Reads each value of a 1-D input as a token id in [0, <see cref="Vocabulary"/>) and makes a sequence
/// [steps, <see cref="Dimensions"/>] of the ids' rows of a table (PyTorch's <c>nn.Embedding</c>, key
/// <c>&lt;name&gt;.weight</c> [vocabulary, dimensions], initialised N(0, 1)). It must be the network's first layer.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EmbeddingAttribute(int vocabulary, int dimensions) : LayerAttribute
{
    /// <summary>Token ids the table holds: each id must be in [0, vocabulary).</summary>
    public int Vocabulary { get; } = vocabulary;

    /// <summary>Floats per token.</summary>
    public int Dimensions { get; } = dimensions;

    /// <summary>
    /// Whether id 0 is padding (PyTorch's <c>padding_idx=0</c>): its row starts at zero and never learns, recurrent
    /// layers leave padded steps out (the state passes through, the output there is zero) and losses skip them.
    /// </summary>
    public bool MaskZero { get; set; }
}
