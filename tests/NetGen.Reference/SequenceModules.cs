using TorchSharp;
using static TorchSharp.torch;

namespace NetGen.Reference;

/// <summary>
/// NetGen's [Embedding]: token ids that arrive as floats (as NetGen reads them) cast to int64 for <c>nn.Embedding</c>.
/// Its one parameter is registered under the node's name, so the key is <c>embedding1.weight</c>.
/// </summary>
internal sealed class EmbeddingNode : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Embedding _embedding;

    public EmbeddingNode(int vocabulary, int dimensions)
        : base("embedding")
    {
        _embedding = nn.Embedding(vocabulary, dimensions);
        register_parameter("weight", _embedding.weight!);
    }

    public override Tensor forward(Tensor input) => _embedding.forward(input.to_type(ScalarType.Int64));
}

/// <summary>
/// NetGen's [LSTM] on <c>nn.LSTM(batch_first: true)</c>: every step's output, or the final hidden state of each
/// direction concatenated (the forward direction's after the last step, the reverse one's after the first). The
/// LSTM's parameters are registered on this node directly, so the keys are <c>lstm1.weight_ih_l0</c> and so on.
/// </summary>
internal sealed class LstmNode : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.LSTM _lstm;
    private readonly bool _returnSequences;
    private readonly bool _bidirectional;

    public LstmNode(int features, int units, bool returnSequences, bool bidirectional)
        : base("lstm")
    {
        _lstm = nn.LSTM(features, units, numLayers: 1, bias: true, batchFirst: true, bidirectional: bidirectional);
        _returnSequences = returnSequences;
        _bidirectional = bidirectional;
        foreach ((string name, TorchSharp.Modules.Parameter p) in _lstm.named_parameters())
        {
            register_parameter(name, p);
        }
    }

    public override Tensor forward(Tensor input)
    {
        (Tensor output, Tensor h, Tensor _) = _lstm.forward(input);
        if (_returnSequences)
        {
            return output;
        }

        return _bidirectional ? torch.cat([h[0], h[1]], 1) : h[0];
    }
}
