using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;

namespace NetGen.Generators.Layers;

/// <summary>The plain recurrent layer (PyTorch's <c>nn.RNN</c>, tanh): h ← tanh(W_ih·x_t + b_ih + W_hh·h + b_hh).</summary>
internal sealed class SimpleRNNLayer : RecurrentLayer
{
    public override string DisplayName => "SimpleRNN";

    public override string NamePrefix => "rnn";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuSimpleRNNLayer();

    protected override int Gates => 1;

    protected override string GateActivation(int h) => "global::System.MathF.Tanh(a)";

    protected override void EmitStateUpdate(CodeWriter w, int cell, int h) => w.Line("float hj = st[g];");

    protected override void EmitGateGradients(CodeWriter w, int cell, int dc, int da, int h)
    {
        w.Line("float hj = st[g];");
        w.Line("st[" + I(da) + " + j] = dh * (1f - (hj * hj)); // tanh′");
    }
}
