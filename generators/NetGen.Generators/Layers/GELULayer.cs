using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// GELU, the tanh approximation (PyTorch's <c>GELU(approximate="tanh")</c>): y = ½x(1 + tanh u) with
/// u = √(2/π)(x + 0.044715x³), written as the identical x · σ(2u) so every path needs one exp and no tanh.
/// The derivative, from the input x: with s = σ(2u), dy/dx = s(1 + x(1 − s) · 2√(2/π)(1 + 3 · 0.044715x²)).
/// Because it is read from x, Dense and Conv2D do not fuse the layer (they keep only their output).
/// </summary>
internal sealed class GELULayer : ActivationLayer
{
    /// <summary>2√(2/π): the factor of 2u.</summary>
    private const float TwoC = 1.5957691216057308f;

    /// <summary>The cubic term's coefficient, and three times it (the derivative's).</summary>
    private const float A = 0.044715f, ThreeA = 3 * 0.044715f;

    public override string DisplayName => "GELU";

    /// <summary>Layers feeding it draw their weights with He's gain: GELU passes about half its input's energy, as ReLU does.</summary>
    public override bool WantsReLUGain => true;

    public override bool DerivativeFromInput => true;

    /// <summary>σ(2u) of the scalar <paramref name="x"/>.</summary>
    private static string Gate(string x) => "(1f / (1f + global::System.MathF.Exp(" + F(-TwoC) + " * (" + x + " + (" + F(A) + " * " + x + " * " + x + " * " + x + ")))))";

    public override string Scalar(LayerOptions options, string x) =>
        x + " / (1f + global::System.MathF.Exp(" + F(-TwoC) + " * (" + x + " + (" + F(A) + " * " + x + " * " + x + " * " + x + "))))";

    /// <summary>The scalar form computes the gate twice (it must stay one expression, for the GPU's kernels); the vector kernels once, in <c>GeluGradV</c>.</summary>
    public override string ScalarDerivative(LayerOptions options, string dy, string x) =>
        dy + " * " + Gate(x) + " * (1f + (" + x + " * (1f - " + Gate(x) + ") * " + F(TwoC) + " * (1f + (" + F(ThreeA) + " * " + x + " * " + x + "))))";

    public override string Vector(LayerOptions options, int lanes, string v) =>
        v + " / (" + VectorCode.One(lanes) + " + " + VectorCode.Vec(lanes) + ".Exp((" + v + " + (" + v + " * " + v + " * " + v + " * " + F(A) + ")) * " + F(-TwoC) + "))";

    /// <summary>The kernel's local <c>GeluGradV</c> (see <see cref="EmitVectorDerivativeHelpers"/>).</summary>
    public override string VectorDerivative(LayerOptions options, int lanes, string dy, string x) => dy + " * GeluGradV(" + x + ")";

    /// <summary><c>GeluGradV</c>: dy/dx on vectors of <paramref name="lanes"/> floats (1: none, the scalar path inlines it).</summary>
    public override void EmitVectorDerivativeHelpers(CodeWriter w, int lanes)
    {
        if (lanes == 1)
        {
            return;
        }

        string v = VectorCode.Vec(lanes), vf = VectorCode.VecOfFloat(lanes), one = VectorCode.One(lanes);
        w.Line();
        w.Line("// d GELU / dx: s = σ(2u), s · (1 + x(1 − s) · 2√(2/π)(1 + 3 · 0.044715x²)).");
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
        w.Open("static " + vf + " GeluGradV(" + vf + " x)");
        w.Line(vf + " x2 = x * x;");
        w.Line(vf + " s = " + one + " / (" + one + " + " + v + ".Exp(x * (" + one + " + (x2 * " + F(A) + ")) * " + F(-TwoC) + "));");
        w.Line("return s * (" + one + " + (x * (" + one + " - s) * (" + one + " + (x2 * " + F(ThreeA) + ")) * " + F(TwoC) + "));");
        w.Close();
    }
}
