using NetGen;

namespace NetGen.CheckpointWriter;

/// <summary>
/// The network the writer saves (about 70,000 parameters, so a write takes long enough to be killed in the middle)
/// with a BatchNorm, so its buffers are written too. The kill test compiles this file as well, to load what it wrote.
/// </summary>
[Network]
[Input(256)]
[Dense(256)]
[BatchNorm]
[ReLU]
[Dense(10)]
public partial class WriterNetwork
{
    /// <summary>Fills every parameter and buffer with <paramref name="value"/>, the mark of one weight set.</summary>
    public void Mark(float value)
    {
        Parameters.Fill(value);
        Buffers.Fill(value);
    }
}
