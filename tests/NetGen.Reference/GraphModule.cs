using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.Reference;

/// <summary>
/// A network that is a graph: nodes in evaluation order, each reading the outputs of earlier nodes by name (null:
/// the network's input). Module nodes are registered under their names, so the state dict's keys are
/// <c>&lt;layer&gt;.&lt;tensor&gt;</c> as in NetGen's checkpoints; <c>add</c> sums its inputs, <c>concat</c> joins
/// them along dimension 1 (channels or features), <c>gap</c> averages each channel's plane.
/// </summary>
internal sealed class GraphModule : nn.Module<Tensor, Tensor>
{
    private readonly List<Node> _nodes;

    public GraphModule(IEnumerable<Node> nodes)
        : base("graph")
    {
        _nodes = nodes.ToList();
        foreach (Node node in _nodes.Where(n => n.Module is not null))
        {
            register_module(node.Name, node.Module!);
        }
    }

    /// <summary>One node: its name, its module (none for the joins and the pooling), its kind and its inputs.</summary>
    internal sealed record Node(string Name, nn.Module<Tensor, Tensor>? Module, string Kind, string?[] Inputs);

    public override Tensor forward(Tensor input)
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        Tensor Read(string? name) => name is null ? input : values[name];
        Tensor last = input;
        foreach (Node node in _nodes)
        {
            Tensor[] inputs = node.Inputs.Select(Read).ToArray();
            last = node.Kind switch
            {
                "add" => inputs.Skip(1).Aggregate(inputs[0], (sum, x) => sum + x),
                "concat" => torch.cat(inputs, 1),
                "gap" => inputs[0].mean([2L, 3L]),
                _ => node.Module!.forward(inputs[0]),
            };
            values[node.Name] = last;
        }

        return last;
    }
}
