using System;
using System.Collections.Generic;

namespace NetGen.Benchmarks.Onnx;

/// <summary>
/// An ONNX model under construction: float initializers, nodes in topological order, one float input and one
/// float output whose first dimension is the batch (<c>N</c>); <see cref="ToModel"/> serializes it.
/// </summary>
/// <remarks>
/// Field numbers are onnx.proto's (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto): ModelProto ir_version 1,
/// producer_name 2, graph 7, opset_import 8; GraphProto node 1, name 2, initializer 5, input 11, output 12;
/// NodeProto input 1, output 2, name 3, op_type 4, attribute 5; AttributeProto name 1, f 2, i 3, ints 8, type 20;
/// TensorProto dims 1, data_type 2, name 8, raw_data 9; ValueInfoProto name 1, type 2; TypeProto tensor_type 1;
/// TypeProto.Tensor elem_type 1, shape 2; TensorShapeProto dim 1; Dimension dim_value 1, dim_param 2.
/// </remarks>
internal sealed class OnnxGraph(string name)
{
    /// <summary>IR version 8 (ONNX 1.10+) with opset 17: what every ONNX Runtime since 1.11 reads.</summary>
    private const long IrVersion = 8;
    private const long Opset = 17;

    private const int FloatType = 1;
    private const int AttributeFloat = 1;
    private const int AttributeInt = 2;
    private const int AttributeInts = 7;

    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly HashSet<string> _names = [];

    /// <summary>One node attribute.</summary>
    internal abstract record Attribute(string Name)
    {
        public abstract ProtoWriter Write();
    }

    /// <summary>An int64 attribute.</summary>
    internal sealed record IntAttribute(string Name, long Value) : Attribute(Name)
    {
        public override ProtoWriter Write() => new ProtoWriter().String(1, Name).Int(3, Value).Int(20, AttributeInt);
    }

    /// <summary>An int64-list attribute.</summary>
    internal sealed record IntsAttribute(string Name, long[] Values) : Attribute(Name)
    {
        public override ProtoWriter Write() => new ProtoWriter().String(1, Name).PackedInts(8, Values).Int(20, AttributeInts);
    }

    /// <summary>A float attribute.</summary>
    internal sealed record FloatAttribute(string Name, float Value) : Attribute(Name)
    {
        public override ProtoWriter Write() => new ProtoWriter().String(1, Name).Float(2, Value).Int(20, AttributeFloat);
    }

    /// <summary>Adds a constant float tensor; returns its name.</summary>
    public string Initializer(string tensorName, ReadOnlySpan<float> values, params long[] dims)
    {
        Claim(tensorName);
        long count = 1;
        foreach (long d in dims)
        {
            count *= d;
        }

        if (count != values.Length)
        {
            throw new ArgumentException($"Initializer '{tensorName}' has {values.Length} values for dims [{string.Join(", ", dims)}].", nameof(values));
        }

        _initializers.Add(new ProtoWriter().PackedInts(1, dims).Int(2, FloatType).String(8, tensorName).RawFloats(9, values));
        return tensorName;
    }

    /// <summary>Adds a node computing <paramref name="output"/> from <paramref name="inputs"/>; returns <paramref name="output"/>.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, string output, params Attribute[] attributes)
    {
        Claim(output);
        var node = new ProtoWriter();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output).String(3, output + "_" + opType).String(4, opType);
        foreach (Attribute a in attributes)
        {
            node.Message(5, a.Write());
        }

        _nodes.Add(node);
        return output;
    }

    /// <summary>
    /// The serialized model, with graph input <paramref name="input"/> of per-sample shape <paramref name="inputShape"/>
    /// and output <paramref name="output"/> of per-sample shape <paramref name="outputShape"/>, both batched by <c>N</c>.
    /// </summary>
    public byte[] ToModel(string input, IReadOnlyList<int> inputShape, string output, IReadOnlyList<int> outputShape)
    {
        var graph = new ProtoWriter();
        foreach (ProtoWriter node in _nodes)
        {
            graph.Message(1, node);
        }

        graph.String(2, name);
        foreach (ProtoWriter initializer in _initializers)
        {
            graph.Message(5, initializer);
        }

        graph.Message(11, ValueInfo(input, inputShape)).Message(12, ValueInfo(output, outputShape));
        return new ProtoWriter()
            .Int(1, IrVersion)
            .String(2, "NetGen.Benchmarks")
            .Message(7, graph)
            .Message(8, new ProtoWriter().String(1, "").Int(2, Opset))
            .ToArray();
    }

    private static ProtoWriter ValueInfo(string valueName, IReadOnlyList<int> sampleShape)
    {
        var shape = new ProtoWriter().Message(1, new ProtoWriter().String(2, "N"));
        foreach (int d in sampleShape)
        {
            shape.Message(1, new ProtoWriter().Int(1, d));
        }

        var tensor = new ProtoWriter().Int(1, FloatType).Message(2, shape);
        return new ProtoWriter().String(1, valueName).Message(2, new ProtoWriter().Message(1, tensor));
    }

    private void Claim(string valueName)
    {
        if (!_names.Add(valueName))
        {
            throw new ArgumentException($"The ONNX graph already has a value called '{valueName}'.", nameof(valueName));
        }
    }
}
