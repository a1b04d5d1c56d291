using System;

namespace NetGen;

/// <summary>What the recurrent layers ([LSTM], [SimpleRNN]) share: the units and the two options.</summary>
public abstract class RecurrentLayerAttribute(int units) : LayerAttribute
{
    /// <summary>Floats of hidden state per direction.</summary>
    public int Units { get; } = units;

    /// <summary>Whether the output is every step's hidden state [steps, units × directions]; by default the last one's [units × directions].</summary>
    public bool ReturnSequences { get; set; }

    /// <summary>Whether a second direction runs from the last step to the first, its output concatenated after the first's.</summary>
    public bool Bidirectional { get; set; }
}
