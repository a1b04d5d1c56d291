using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.Reference;

/// <summary>
/// Builds a TorchSharp <c>nn.Sequential</c> layer by layer the way NetGen reads its attributes: the same default
/// names (<c>conv1</c>, <c>dense1</c>, <c>bn1</c>, …, one counter per kind), the same output shapes
/// (floor((in + 2·pad − k) / stride) + 1), a Flatten implied before a Dense after a 3-D shape, and a trailing
/// Softmax or Sigmoid kept out of the module (NetGen fuses it into the loss; the logits are the values before it).
/// Graphs read as NetGen's attributes do: <see cref="From"/> makes the next layer read an earlier one's output,
/// <see cref="Add"/> and <see cref="Concat"/> join the previous output with named ones, <see cref="As"/> names the
/// last layer (its kind's counter still counts it, as NetGen's does).
/// </summary>
internal sealed class ReferenceNet
{
    private readonly List<GraphModule.Node> _layers = [];
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int[]> _shapes = new(StringComparer.Ordinal);
    private int[] _shape;
    private string? _from;
    private bool _graph;

    public ReferenceNet(params int[] inputShape)
    {
        InputShape = inputShape;
        _shape = inputShape;
    }

    public int[] InputShape { get; }

    /// <summary>The output shape so far.</summary>
    public int[] Shape => _shape;

    /// <summary>"softmax" or "sigmoid" when the network ends with one (fused into the loss), else null.</summary>
    public string? Trailing { get; private set; }

    public ReferenceNet Conv(int filters, int kernel, int stride = 1, int padding = 0, bool bias = true)
    {
        Require3D("Conv2D");
        int h = ((_shape[1] + (2 * padding) - kernel) / stride) + 1, w = ((_shape[2] + (2 * padding) - kernel) / stride) + 1;
        Append("conv", nn.Conv2d(_shape[0], filters, kernel, stride: stride, padding: padding, bias: bias), [filters, h, w]);
        return this;
    }

    public ReferenceNet Dense(int units, bool bias = true)
    {
        if (_sequence)
        {
            // On a sequence [T, F] the layer applies to every step (Linear on the last axis).
            Append("dense", nn.Linear(_shape[1], units, hasBias: bias), [_shape[0], units]);
            return this;
        }

        if (_shape.Length == 3)
        {
            Append("flatten", nn.Flatten(), [_shape[0] * _shape[1] * _shape[2]]);
        }

        Append("dense", nn.Linear(_shape[0], units, hasBias: bias), [units]);
        return this;
    }

    /// <summary>Whether the shape so far is a sequence [T, F] (after an Embedding, while the steps are kept).</summary>
    private bool _sequence;

    /// <summary>NetGen's [Embedding] on a 1-D input of token ids: [T] → [T, D].</summary>
    public ReferenceNet Embedding(int vocabulary, int dimensions)
    {
        Append("embedding", new EmbeddingNode(vocabulary, dimensions), [_shape[0], dimensions]);
        _sequence = true;
        return this;
    }

    /// <summary>NetGen's [SimpleRNN] on a sequence: nn.RNN with tanh, as <see cref="Lstm"/> otherwise.</summary>
    public ReferenceNet SimpleRnn(int units, bool returnSequences = false, bool bidirectional = false)
    {
        int width = units * (bidirectional ? 2 : 1);
        Append("rnn", new RnnNode(_shape[1], units, returnSequences, bidirectional), returnSequences ? [_shape[0], width] : [width]);
        _sequence = returnSequences;
        return this;
    }

    /// <summary>NetGen's [LSTM] on a sequence: [T, F] → [T, units × directions], or the final states [units × directions].</summary>
    public ReferenceNet Lstm(int units, bool returnSequences = false, bool bidirectional = false)
    {
        int width = units * (bidirectional ? 2 : 1);
        Append("lstm", new LstmNode(_shape[1], units, returnSequences, bidirectional), returnSequences ? [_shape[0], width] : [width]);
        _sequence = returnSequences;
        return this;
    }

    public ReferenceNet MaxPool(int size, int? stride = null) => Pool("maxpool", size, stride ?? size, max: true);

    public ReferenceNet AvgPool(int size, int? stride = null) => Pool("avgpool", size, stride ?? size, max: false);

    public ReferenceNet ReLU() => Append("relu", nn.ReLU(), _shape);

    public ReferenceNet Sigmoid() => Append("sigmoid", nn.Sigmoid(), _shape);

    public ReferenceNet Tanh() => Append("tanh", nn.Tanh(), _shape);

    public ReferenceNet LeakyReLU(double negativeSlope = 0.01) => Append("leakyrelu", nn.LeakyReLU(negativeSlope), _shape);

    /// <summary>GELU with PyTorch's tanh approximation, NetGen's [GELU].</summary>
    public ReferenceNet GELU() => Append("gelu", nn.GELU(TorchSharp.Modules.GELU.Approximate.tanh), _shape);

    public ReferenceNet Softmax() => Append("softmax", nn.Softmax(1), _shape);

    public ReferenceNet Dropout(double rate) => Append("dropout", nn.Dropout(rate), _shape);

    /// <summary>BatchNorm2d over channels after a 3-D shape, BatchNorm1d over features after a 1-D one.</summary>
    public ReferenceNet BatchNorm(double epsilon = 1e-5, double momentum = 0.1) =>
        Append("bn", _shape.Length == 3 ? nn.BatchNorm2d(_shape[0], eps: epsilon, momentum: momentum) : nn.BatchNorm1d(_shape[0], eps: epsilon, momentum: momentum), _shape);

    /// <summary>A last Softmax or Sigmoid: NetGen's loss takes the logits before it.</summary>
    public ReferenceNet EndWith(string activation)
    {
        if (activation is not ("softmax" or "sigmoid"))
        {
            throw new ArgumentException("Only a softmax or a sigmoid is fused into the loss.", nameof(activation));
        }

        Trailing = activation;
        return this;
    }

    /// <summary>The next layer reads <paramref name="name"/>'s output instead of the previous layer's (NetGen's <c>From</c>).</summary>
    public ReferenceNet From(string name)
    {
        _shape = _shapes[name];
        _from = name;
        _graph = true;
        return this;
    }

    /// <summary>Names the last layer (NetGen's <c>Name = "…"</c>).</summary>
    public ReferenceNet As(string name)
    {
        GraphModule.Node last = _layers[^1];
        _shapes.Remove(last.Name);
        _layers[^1] = last with { Name = name };
        _shapes[name] = _shape;
        return this;
    }

    /// <summary>The element-wise sum of the previous output and the named ones (NetGen's <c>[Add]</c>).</summary>
    public ReferenceNet Add(params string[] names)
    {
        _graph = true;
        return Push("add", null, _shape, names);
    }

    /// <summary>The previous output followed by the named ones along the channel (3-D) or feature (1-D) axis (NetGen's <c>[Concat]</c>).</summary>
    public ReferenceNet Concat(params string[] names)
    {
        _graph = true;
        int[] shape = [.. _shape];
        shape[0] += names.Sum(n => _shapes[n][0]);
        return Push("concat", null, shape, names);
    }

    /// <summary>The mean over each channel's plane, [C, H, W] → [C] (NetGen's <c>[GlobalAvgPool2D]</c>).</summary>
    public ReferenceNet GlobalAvgPool()
    {
        Require3D("GlobalAvgPool2D");
        _graph = true;
        return Push("gap", null, [_shape[0]], []);
    }

    /// <summary>A chain as <c>nn.Sequential</c>; a graph as a module that evaluates its nodes in order.</summary>
    public nn.Module<Tensor, Tensor> Build() =>
        _graph ? new GraphModule(_layers) : nn.Sequential(_layers.Select(l => (l.Name, l.Module!)));

    private ReferenceNet Pool(string prefix, int size, int stride, bool max)
    {
        Require3D(prefix);
        int h = ((_shape[1] - size) / stride) + 1, w = ((_shape[2] - size) / stride) + 1;
        Append(prefix, max ? nn.MaxPool2d(size, stride) : nn.AvgPool2d(size, stride), [_shape[0], h, w]);
        return this;
    }

    private ReferenceNet Append(string prefix, nn.Module<Tensor, Tensor> module, int[] output) => Push(prefix, module, output, []);

    private ReferenceNet Push(string prefix, nn.Module<Tensor, Tensor>? module, int[] output, string[] joins)
    {
        if (Trailing is not null)
        {
            throw new InvalidOperationException("Nothing may follow the trailing " + Trailing + ".");
        }

        _counters[prefix] = _counters.GetValueOrDefault(prefix) + 1;
        string name = prefix + _counters[prefix].ToString(CultureInfo.InvariantCulture);
        string? input = _from ?? (_layers.Count == 0 ? null : _layers[^1].Name);
        _layers.Add(new GraphModule.Node(name, module, prefix, [input, .. joins]));
        _shapes[name] = output;
        _shape = output;
        _from = null;
        return this;
    }

    private void Require3D(string what)
    {
        if (_shape.Length != 3)
        {
            throw new InvalidOperationException(what + " needs a (channels, height, width) input.");
        }
    }
}
