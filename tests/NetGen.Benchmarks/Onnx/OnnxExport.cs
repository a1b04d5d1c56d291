using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen.Benchmarks.Onnx;

/// <summary>
/// Writes a NetGen network, with its current weights, as an ONNX graph, walking <see cref="INetwork.Layers"/>:
/// each layer becomes the ONNX operators PyTorch's exporter would write for it, named after the layer, its
/// tensors initializers under their checkpoint keys (<c>conv1.weight</c>).
/// </summary>
/// <remarks>
/// <see cref="LayerInfo"/> has the shapes but not every option: a convolution's stride and padding and a pool's
/// window and stride are the first candidates, in order of how common they are ("same" padding, then none; stride
/// 1, then 2, …; windows that tile), that give the layer's output size from its input size. A wrong guess gives a
/// different function, which <see cref="OnnxSide"/>'s check against NetGen's own Predict rejects before anything is timed.
/// </remarks>
internal static class OnnxExport
{
    /// <summary>The graph input's name.</summary>
    public const string InputName = "input";

    /// <summary>The serialized model of <paramref name="network"/>; its output is the last layer's.</summary>
    public static byte[] Model(INetwork network, string graphName)
    {
        ArgumentNullException.ThrowIfNull(network);
        var graph = new OnnxGraph(graphName);
        IReadOnlyList<LayerInfo> layers = network.Layers;
        string previous = InputName;
        foreach (LayerInfo layer in layers)
        {
            IReadOnlyList<string> inputs = layer.Inputs.Count == 0 ? [InputName] : layer.Inputs;
            previous = Layer(graph, network, layer, inputs);
        }

        return graph.ToModel(InputName, layers[0].InputShape, previous, layers[^1].OutputShape);
    }

    private static string Layer(OnnxGraph g, INetwork net, LayerInfo layer, IReadOnlyList<string> inputs)
    {
        string x = inputs[0], y = layer.Name;
        switch (layer.Kind)
        {
            case "Conv2D":
            {
                TensorInfo w = layer.Tensors[0];
                int k = w.Shape[2];
                (int stride, int padding) = ConvolutionOptions(layer, k);
                var operands = new List<string> { Initialize(g, net, w) };
                if (layer.Tensors.Count > 1)
                {
                    operands.Add(Initialize(g, net, layer.Tensors[1]));
                }

                return g.Node("Conv", [x, .. operands], y,
                    new OnnxGraph.IntsAttribute("kernel_shape", [k, k]),
                    new OnnxGraph.IntsAttribute("strides", [stride, stride]),
                    new OnnxGraph.IntsAttribute("pads", [padding, padding, padding, padding]));
            }

            case "BatchNorm":
            {
                BatchNormInfo info = net.BatchNorms.First(b => b.Name == layer.Name);
                string[] tensors = ["weight", "bias", "running_mean", "running_var"];
                return g.Node("BatchNormalization", [x, .. tensors.Select(t => Initialize(g, net, layer.Tensors.First(i => i.Key == layer.Name + "." + t)))], y,
                    new OnnxGraph.FloatAttribute("epsilon", info.Epsilon));
            }

            case "ReLU":
                return g.Node("Relu", [x], y);
            case "Sigmoid":
                return g.Node("Sigmoid", [x], y);
            case "Tanh":
                return g.Node("Tanh", [x], y);
            case "Softmax":
                return g.Node("Softmax", [x], y, new OnnxGraph.IntAttribute("axis", 1));
            case "Dropout":
                return g.Node("Identity", [x], y); // the identity in evaluation
            case "Flatten":
                return g.Node("Flatten", [x], y, new OnnxGraph.IntAttribute("axis", 1));
            case "MaxPool2D":
            case "AvgPool2D":
            {
                (int window, int stride) = PoolOptions(layer);
                return g.Node(layer.Kind == "MaxPool2D" ? "MaxPool" : "AveragePool", [x], y,
                    new OnnxGraph.IntsAttribute("kernel_shape", [window, window]),
                    new OnnxGraph.IntsAttribute("strides", [stride, stride]));
            }

            case "GlobalAvgPool2D":
                return g.Node("Flatten", [g.Node("GlobalAveragePool", [x], y + "_nchw")], y, new OnnxGraph.IntAttribute("axis", 1));
            case "Add":
                return inputs.Skip(1).Select((operand, i) => (operand, i)).Aggregate(x, (sum, o) =>
                    g.Node("Add", [sum, o.operand], o.i == inputs.Count - 2 ? y : y + "_partial" + o.i));
            case "Concat":
                return g.Node("Concat", inputs, y, new OnnxGraph.IntAttribute("axis", 1));
            case "Dense":
            {
                string flat = layer.InputShape.Count == 1 ? x : g.Node("Flatten", [x], y + "_flat", new OnnxGraph.IntAttribute("axis", 1));
                return g.Node("Gemm", [flat, .. layer.Tensors.Where(t => !t.IsBuffer).Select(t => Initialize(g, net, t))], y,
                    new OnnxGraph.IntAttribute("transB", 1));
            }

            default:
                throw new NotSupportedException($"Layer '{layer.Name}' is a {layer.Kind}, which the ONNX export does not write.");
        }
    }

    private static string Initialize(OnnxGraph g, INetwork net, TensorInfo t)
    {
        ReadOnlySpan<float> values = (t.IsBuffer ? net.Buffers : net.Parameters).Slice(t.Offset, t.Length);
        return g.Initializer(t.Key, values, [.. t.Shape.Select(d => (long)d)]);
    }

    /// <summary>The first (stride, padding) that maps the layer's input height to its output height.</summary>
    private static (int Stride, int Padding) ConvolutionOptions(LayerInfo layer, int k)
    {
        int input = layer.InputShape[1], output = layer.OutputShape[1];
        int[] paddings = [.. new[] { (k - 1) / 2, 0 }.Concat(Enumerable.Range(1, k - 1)).Distinct()];
        for (int stride = 1; stride <= Math.Max(k, 2); stride++)
        {
            foreach (int padding in paddings)
            {
                if (((input + (2 * padding) - k) / stride) + 1 == output)
                {
                    return (stride, padding);
                }
            }
        }

        throw new NotSupportedException($"No stride and padding of a {k}×{k} convolution map {input} to {output} in layer '{layer.Name}'.");
    }

    /// <summary>The first (window, stride) that maps the layer's input height to its output height: tiling windows first.</summary>
    private static (int Window, int Stride) PoolOptions(LayerInfo layer)
    {
        int input = layer.InputShape[1], output = layer.OutputShape[1];
        IEnumerable<(int, int)> candidates = Enumerable.Range(1, input).Select(s => (s, s))
            .Concat(from w in Enumerable.Range(2, input - 1) from s in Enumerable.Range(1, w - 1) select (w, s));
        foreach ((int window, int stride) in candidates)
        {
            if (((input - window) / stride) + 1 == output)
            {
                return (window, stride);
            }
        }

        throw new NotSupportedException($"No window and stride map {input} to {output} in layer '{layer.Name}'.");
    }
}
