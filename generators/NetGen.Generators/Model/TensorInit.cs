namespace NetGen.Generators.Model;

/// <summary>How a tensor starts in a network created with a seed.</summary>
internal enum InitScheme
{
    /// <summary>All zeros (what a fresh buffer holds, so nothing is written).</summary>
    Zeros,

    /// <summary>All ones (BatchNorm's scale and running variance).</summary>
    Ones,

    /// <summary>Normal with variance 2 / fan-in.</summary>
    HeNormal,

    /// <summary>Uniform in ±√(6 / (fan-in + fan-out)).</summary>
    GlorotUniform,

    /// <summary>Uniform in ±1/√h with h the fan-in (PyTorch's recurrent layers: every weight and bias).</summary>
    RecurrentUniform,

    /// <summary>N(0, 1), the first fan-out floats zero (PyTorch's Embedding; the zero row is <c>padding_idx = 0</c>, when fan-out is not 0).</summary>
    StandardNormal,
}

/// <summary>
/// A tensor's initialisation, decided by its kind: the scheme and the fans it reads. A weight marked
/// <paramref name="HeBeforeReLU"/> is Glorot-uniform unless the plan finds that its layer feeds a ReLU, where it is
/// He-normal (<see cref="ForLayerFeedingReLU"/>).
/// </summary>
internal sealed record TensorInit(InitScheme Scheme, int FanIn = 0, int FanOut = 0, bool HeBeforeReLU = false)
{
    public static readonly TensorInit Zeros = new(InitScheme.Zeros);

    public static readonly TensorInit Ones = new(InitScheme.Ones);

    /// <summary>A recurrent layer's weight or bias: U(±1/√<paramref name="hidden"/>).</summary>
    public static TensorInit Recurrent(int hidden) => new(InitScheme.RecurrentUniform, hidden);

    /// <summary>An embedding table: N(0, 1), its first <paramref name="zeroLeading"/> floats zero (the padding row).</summary>
    public static TensorInit Embedding(int zeroLeading) => new(InitScheme.StandardNormal, 0, zeroLeading);

    /// <summary>A weight: He-normal before a ReLU, Glorot-uniform otherwise, with these fans.</summary>
    public static TensorInit Weight(int fanIn, int fanOut) => new(InitScheme.GlorotUniform, fanIn, fanOut, HeBeforeReLU: true);

    /// <summary>The initialisation once the plan knows whether the layer feeds a ReLU.</summary>
    public TensorInit ForLayerFeedingReLU(bool feedsReLU) =>
        HeBeforeReLU && feedsReLU ? this with { Scheme = InitScheme.HeNormal } : this;
}

/// <summary>A tensor a kind declares: its checkpoint key suffix, PyTorch shape and initialisation.</summary>
internal sealed record TensorSpec(string Suffix, int[] Shape, TensorInit Init);
