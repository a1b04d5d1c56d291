using System;
using System.Collections.Generic;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.Reference;

/// <summary>
/// Builds a TorchSharp <c>nn.Sequential</c> layer by layer the way NetGen reads its attributes: the same default
/// names (<c>conv1</c>, <c>dense1</c>, <c>bn1</c>, …, one counter per kind), the same output shapes
/// (floor((in + 2·pad − k) / stride) + 1), a Flatten implied before a Dense after a 3-D shape, and a trailing
/// Softmax or Sigmoid kept out of the module (NetGen fuses it into the loss; the logits are the values before it).
/// </summary>
internal sealed class ReferenceNet
{
    private readonly List<(string Name, nn.Module<Tensor, Tensor> Module)> _layers = [];
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private int[] _shape;

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
        Add("conv", nn.Conv2d(_shape[0], filters, kernel, stride: stride, padding: padding, bias: bias), [filters, h, w]);
        return this;
    }

    public ReferenceNet Dense(int units, bool bias = true)
    {
        if (_shape.Length == 3)
        {
            Add("flatten", nn.Flatten(), [_shape[0] * _shape[1] * _shape[2]]);
        }

        Add("dense", nn.Linear(_shape[0], units, hasBias: bias), [units]);
        return this;
    }

    public ReferenceNet MaxPool(int size, int? stride = null) => Pool("maxpool", size, stride ?? size, max: true);

    public ReferenceNet AvgPool(int size, int? stride = null) => Pool("avgpool", size, stride ?? size, max: false);

    public ReferenceNet ReLU() => Add("relu", nn.ReLU(), _shape);

    public ReferenceNet Sigmoid() => Add("sigmoid", nn.Sigmoid(), _shape);

    public ReferenceNet Tanh() => Add("tanh", nn.Tanh(), _shape);

    public ReferenceNet LeakyReLU(double negativeSlope = 0.01) => Add("leakyrelu", nn.LeakyReLU(negativeSlope), _shape);

    /// <summary>GELU with PyTorch's tanh approximation, NetGen's [GELU].</summary>
    public ReferenceNet GELU() => Add("gelu", nn.GELU(TorchSharp.Modules.GELU.Approximate.tanh), _shape);

    public ReferenceNet Softmax() => Add("softmax", nn.Softmax(1), _shape);

    public ReferenceNet Dropout(double rate) => Add("dropout", nn.Dropout(rate), _shape);

    /// <summary>BatchNorm2d over channels after a 3-D shape, BatchNorm1d over features after a 1-D one.</summary>
    public ReferenceNet BatchNorm(double epsilon = 1e-5, double momentum = 0.1) =>
        Add("bn", _shape.Length == 3 ? nn.BatchNorm2d(_shape[0], eps: epsilon, momentum: momentum) : nn.BatchNorm1d(_shape[0], eps: epsilon, momentum: momentum), _shape);

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

    public nn.Module<Tensor, Tensor> Build() => nn.Sequential(_layers);

    private ReferenceNet Pool(string prefix, int size, int stride, bool max)
    {
        Require3D(prefix);
        int h = ((_shape[1] - size) / stride) + 1, w = ((_shape[2] - size) / stride) + 1;
        Add(prefix, max ? nn.MaxPool2d(size, stride) : nn.AvgPool2d(size, stride), [_shape[0], h, w]);
        return this;
    }

    private ReferenceNet Add(string prefix, nn.Module<Tensor, Tensor> module, int[] output)
    {
        if (Trailing is not null)
        {
            throw new InvalidOperationException("Nothing may follow the trailing " + Trailing + ".");
        }

        _counters[prefix] = _counters.GetValueOrDefault(prefix) + 1;
        _layers.Add((prefix + _counters[prefix].ToString(CultureInfo.InvariantCulture), module));
        _shape = output;
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
