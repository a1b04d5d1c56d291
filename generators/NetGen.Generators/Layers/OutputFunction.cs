namespace NetGen.Generators.Layers;

/// <summary>An output function that the loss takes over when it ends the network (<see cref="LayerKind.FusesIntoLoss"/>).</summary>
internal enum OutputFunction
{
    /// <summary>The kind is an ordinary layer, wherever it stands.</summary>
    None,

    /// <summary>A trailing softmax: the cross-entropy starts backward from the logits.</summary>
    Softmax,

    /// <summary>A trailing sigmoid: the binary cross-entropy with logits starts backward from the logits.</summary>
    Sigmoid,
}
