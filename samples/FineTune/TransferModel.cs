using System;
using System.Linq;
using NetGen;
using System.Globalization;
using NetGen.Samples;

namespace FineTune;

/// <summary>
/// A network the sample transfers: the one pretrained on Fashion-MNIST, the digits' network (LeNet-5: a twin with
/// the same layer names below a new, differently named head, so a non-strict load fills everything but the head;
/// ResNet-8: the same network, whose head <see cref="ReplaceHead"/> puts back to its fresh initialization after the
/// load), and the layers fine-tuning freezes.
/// </summary>
/// <param name="DisplayName">What the output calls it.</param>
/// <param name="Pretrained">The network pretrained on Fashion-MNIST, from a seed.</param>
/// <param name="Digits">The digits' network, from a seed.</param>
/// <param name="Frozen">The layers fine-tuning keeps fixed, given the digits' network.</param>
/// <param name="Head">The layer <see cref="ReplaceHead"/> re-initializes after loading, or null when the load leaves the head fresh.</param>
internal sealed record TransferModel(string DisplayName, Func<int, INetwork> Pretrained, Func<int, INetwork> Digits, Func<INetwork, string[]> Frozen, string? Head = null)
{
    /// <summary>
    /// Gives <paramref name="net"/>'s <see cref="Head"/> the weights a fresh digits network of <paramref name="seed"/>
    /// has (the pretrained head classifies clothes); returns what it did, or null without a head to replace.
    /// </summary>
    public string? ReplaceHead(INetwork net, int seed)
    {
        if (Head is null)
        {
            return null;
        }

        INetwork fresh = Digits(seed);
        LayerInfo layer = net.Layers.Single(l => l.Name == Head);
        foreach (TensorInfo tensor in layer.Tensors.Where(t => !t.IsBuffer))
        {
            fresh.Parameters.Slice(tensor.Offset, tensor.Length).CopyTo(net.Parameters.Slice(tensor.Offset, tensor.Length));
        }

        return string.Create(CultureInfo.InvariantCulture, $"replaced the head: {string.Join(", ", layer.Tensors.Select(t => t.Key))} re-initialized from seed {seed}");
    }

    /// <summary>The model <c>--model</c> names; <paramref name="dropout"/> (<c>--dropout</c>) exists for LeNet-5 only.</summary>
    public static TransferModel Named(string name, bool dropout)
    {
        if (name == "resnet")
        {
            if (dropout)
            {
                throw new OptionException("--dropout", "expected it only with --model lenet: ResNet-8's head is one dense layer, with nothing to drop out between");
            }

            // Everything below the new head: the stem, the three blocks and their BatchNorms (which then keep the
            // running statistics of Fashion-MNIST, as frozen layers do).
            return new("ResNet-8", seed => new ResNet.ResNet8(seed), seed => new ResNet.ResNet8(seed),
                net => [.. net.Layers.Where(l => l.ParameterCount > 0 && l.Name != "fc").Select(l => l.Name)], Head: "fc");
        }

        return new("LeNet-5", seed => new LeNet5(seed), seed => dropout ? new LeNet5DigitsDropout(seed) : new LeNet5Digits(seed), _ => ["conv1", "conv2"]);
    }
}
