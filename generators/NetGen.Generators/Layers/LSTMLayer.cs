using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;

namespace NetGen.Generators.Layers;

/// <summary>
/// Long short-term memory (PyTorch's <c>nn.LSTM</c>): gates i, f, g, o = σ, σ, tanh, σ of a's four blocks,
/// c ← f ⊙ c + i ⊙ g, h ← o ⊙ tanh(c).
/// </summary>
internal sealed class LSTMLayer : RecurrentLayer
{
    public override string DisplayName => "LSTM";

    public override string NamePrefix => "lstm";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuLSTMLayer();

    protected override int Gates => 4;

    protected override string GateActivation(int h) =>
        "j >= " + I(2 * h) + " && j < " + I(3 * h) + " ? global::System.MathF.Tanh(a) : 1f / (1f + global::System.MathF.Exp(-a)); // g: tanh; i, f, o: sigmoid";

    protected override void EmitStateUpdate(CodeWriter w, int cell, int h)
    {
        w.Line("float cPrevious = k > 0 ? st[" + I(cell) + " + (p * " + I(h) + ") + j] : 0f;");
        w.Line("float c = (st[g + " + I(h) + "] * cPrevious) + (st[g] * st[g + " + I(2 * h) + "]); // f ⊙ c + i ⊙ g");
        w.Line("float hj = st[g + " + I(3 * h) + "] * global::System.MathF.Tanh(c); // o ⊙ tanh(c)");
        w.Line("st[" + I(cell) + " + (t * " + I(h) + ") + j] = c;");
    }

    protected override void EmitGateGradients(CodeWriter w, int cell, int dc, int da, int h)
    {
        w.Line("// d a of the four gates; dc becomes the gradient of the step before's c.");
        w.Line("float ig = st[g], fg = st[g + " + I(h) + "], gg = st[g + " + I(2 * h) + "], og = st[g + " + I(3 * h) + "];");
        w.Line("float tc = global::System.MathF.Tanh(st[" + I(cell) + " + (t * " + I(h) + ") + j]);");
        w.Line("float cPrevious = k > 0 ? st[" + I(cell) + " + (p * " + I(h) + ") + j] : 0f;");
        w.Line("float dcj = st[" + I(dc) + " + j] + (dh * og * (1f - (tc * tc)));");
        w.Line("st[" + I(da) + " + j] = dcj * gg * ig * (1f - ig);");
        w.Line("st[" + I(da + h) + " + j] = dcj * cPrevious * fg * (1f - fg);");
        w.Line("st[" + I(da + (2 * h)) + " + j] = dcj * ig * (1f - (gg * gg));");
        w.Line("st[" + I(da + (3 * h)) + " + j] = dh * tc * og * (1f - og);");
        w.Line("st[" + I(dc) + " + j] = dcj * fg;");
    }
}
