using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>
/// One tensor of a layer: where it lives in the network's flat buffers and its PyTorch shape. Trainable tensors
/// (weights, biases, BatchNorm's weight and bias) live in <see cref="INetwork.Parameters"/>; non-trainable state
/// (BatchNorm's <c>running_mean</c> and <c>running_var</c>) lives in <see cref="INetwork.Buffers"/>.
/// </summary>
/// <param name="Key">Checkpoint key, as in a PyTorch state dict: <c>&lt;layer&gt;.weight</c>, <c>&lt;layer&gt;.bias</c>, <c>&lt;layer&gt;.running_mean</c>, …</param>
/// <param name="Offset">Offset in <see cref="INetwork.Parameters"/>, or in <see cref="INetwork.Buffers"/> when <paramref name="IsBuffer"/>.</param>
/// <param name="Shape">Dimensions, outermost first (Linear: [out, in]; Conv2d: [out, in, kH, kW]).</param>
/// <param name="IsBuffer">True for non-trainable state kept in <see cref="INetwork.Buffers"/>.</param>
public sealed record TensorInfo(string Key, int Offset, IReadOnlyList<int> Shape, bool IsBuffer = false)
{
    /// <summary>Number of floats in the tensor.</summary>
    public int Length
    {
        get
        {
            int n = 1;
            foreach (int d in Shape)
            {
                n *= d;
            }

            return n;
        }
    }
}

/// <summary>A layer of a generated network, as the runtime sees it.</summary>
/// <param name="Name">Stable name (<c>conv1</c>, <c>dense3</c>, or the attribute's <c>Name</c>).</param>
/// <param name="Kind">Layer kind (<c>Conv2D</c>, <c>Dense</c>, <c>ReLU</c>, …).</param>
/// <param name="InputShape">Shape of one input sample of this layer.</param>
/// <param name="OutputShape">Shape of one output sample of this layer.</param>
/// <param name="Tensors">Parameter tensors (weight first, then bias), then buffers; empty for layers without parameters.</param>
/// <param name="Inputs">
/// The names of the layers whose outputs this layer reads, in order (the previous layer, or <c>From</c>'s, then
/// those an <c>Add</c> or <c>Concat</c> joins); empty for the first layer, which reads the network's input.
/// </param>
public sealed record LayerInfo(
    string Name,
    string Kind,
    IReadOnlyList<int> InputShape,
    IReadOnlyList<int> OutputShape,
    IReadOnlyList<TensorInfo> Tensors,
    IReadOnlyList<string>? Inputs = null)
{
    /// <summary>The names of the layers this layer reads (see the constructor); never null.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = Inputs ?? Array.Empty<string>();

    /// <summary>Number of trainable parameters in the layer.</summary>
    public int ParameterCount
    {
        get
        {
            int n = 0;
            foreach (TensorInfo t in Tensors)
            {
                if (!t.IsBuffer)
                {
                    n += t.Length;
                }
            }

            return n;
        }
    }
}

/// <summary>
/// A typed view of one layer's parameters inside its network's flat buffer, as returned by the generated
/// layer properties (<c>net.Dense3.Weights</c>).
/// </summary>
public readonly struct LayerView
{
    private readonly INetwork _network;

    /// <summary>Creates a view of <paramref name="layer"/> in <paramref name="network"/>.</summary>
    public LayerView(INetwork network, LayerInfo layer)
    {
        _network = network ?? throw new ArgumentNullException(nameof(network));
        Info = layer ?? throw new ArgumentNullException(nameof(layer));
    }

    /// <summary>The layer's name, kind, shapes and tensors.</summary>
    public LayerInfo Info { get; }

    /// <summary>The layer's name.</summary>
    public string Name => Info.Name;

    /// <summary>The weight tensor (PyTorch layout); empty for layers without parameters.</summary>
    public Span<float> Weights => Info.Tensors.Count > 0 ? Slice(Info.Tensors[0]) : Span<float>.Empty;

    /// <summary>The bias vector; empty for layers without one.</summary>
    public Span<float> Bias => Info.Tensors.Count > 1 ? Slice(Info.Tensors[1]) : Span<float>.Empty;

    private Span<float> Slice(TensorInfo t) => _network.Parameters.Slice(t.Offset, t.Length);
}
