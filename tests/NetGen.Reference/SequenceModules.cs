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
/// What NetGen's recurrent layers return: every step's output, or the final hidden state of each direction
/// concatenated (the forward direction's after the last step, the reverse one's after the first). The wrapped
/// module's parameters are registered on this node directly, so the keys are <c>lstm1.weight_ih_l0</c> and so on.
/// </summary>
internal abstract class RecurrentNode : nn.Module<Tensor, Tensor>
{
    private readonly bool _returnSequences;
    private readonly bool _bidirectional;

    protected RecurrentNode(string name, nn.Module inner, bool returnSequences, bool bidirectional)
        : base(name)
    {
        _returnSequences = returnSequences;
        _bidirectional = bidirectional;
        foreach ((string key, TorchSharp.Modules.Parameter p) in inner.named_parameters())
        {
            register_parameter(key, p);
        }
    }

    /// <summary>The node's output from the module's output sequence and final hidden states.</summary>
    protected Tensor Output(Tensor output, Tensor h) =>
        _returnSequences ? output : _bidirectional ? torch.cat([h[0], h[1]], 1) : h[0];
}

/// <summary>NetGen's [LSTM] on <c>nn.LSTM(batch_first: true)</c>.</summary>
internal sealed class LstmNode : RecurrentNode
{
    private readonly TorchSharp.Modules.LSTM _lstm;

    public LstmNode(int features, int units, bool returnSequences, bool bidirectional)
        : this(nn.LSTM(features, units, numLayers: 1, bias: true, batchFirst: true, bidirectional: bidirectional), returnSequences, bidirectional)
    {
    }

    private LstmNode(TorchSharp.Modules.LSTM lstm, bool returnSequences, bool bidirectional)
        : base("lstm", lstm, returnSequences, bidirectional) => _lstm = lstm;

    public override Tensor forward(Tensor input)
    {
        (Tensor output, Tensor h, Tensor _) = _lstm.forward(input);
        return Output(output, h);
    }
}

/// <summary>NetGen's [SimpleRNN] on <c>nn.RNN(batch_first: true)</c>, tanh (its default).</summary>
internal sealed class RnnNode : RecurrentNode
{
    private readonly TorchSharp.Modules.RNN _rnn;

    public RnnNode(int features, int units, bool returnSequences, bool bidirectional)
        : this(nn.RNN(features, units, numLayers: 1, bias: true, batchFirst: true, bidirectional: bidirectional), returnSequences, bidirectional)
    {
    }

    private RnnNode(TorchSharp.Modules.RNN rnn, bool returnSequences, bool bidirectional)
        : base("rnn", rnn, returnSequences, bidirectional) => _rnn = rnn;

    public override Tensor forward(Tensor input)
    {
        (Tensor output, Tensor h) = _rnn.forward(input, null);
        return Output(output, h);
    }
}
