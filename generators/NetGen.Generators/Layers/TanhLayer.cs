using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>tanh: y = tanh x, dx = dy · (1 − y²).</summary>
internal sealed class TanhLayer : ActivationLayer
{
    public override string DisplayName => "Tanh";

    public override string Scalar(LayerOptions options, string x) => "global::System.MathF.Tanh(" + x + ")";

    public override string ScalarDerivative(LayerOptions options, string dy, string y) => dy + " * (1f - (" + y + " * " + y + "))";

    /// <summary>The kernel's local <c>TanhV</c> (see <see cref="EmitVectorHelpers"/>).</summary>
    public override string Vector(LayerOptions options, int lanes, string v) => "TanhV(" + v + ")";

    public override string VectorDerivative(LayerOptions options, int lanes, string dy, string y) => dy + " * (" + VectorCode.One(lanes) + " - (" + y + " * " + y + "))";

    /// <summary>
    /// <c>TanhV</c> on vectors of <paramref name="lanes"/> floats (1: none, the scalar path uses MathF). tanh(a) for
    /// a = |v| is (1 − e) / (1 + e) with e = exp(−2a), and an odd Taylor polynomial below a = 0.125 where 1 − e would
    /// cancel; the sign of v is put back last. Agrees with MathF.Tanh to a few ulp.
    /// </summary>
    public override void EmitVectorHelpers(CodeWriter w, int lanes)
    {
        if (lanes == 1)
        {
            return;
        }

        string v = VectorCode.Vec(lanes), vf = VectorCode.VecOfFloat(lanes), one = VectorCode.One(lanes);
        w.Line();
        w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
        w.Open("static " + vf + " TanhV(" + vf + " v)");
        w.Line(vf + " a = " + v + ".Abs(v);");
        w.Line(vf + " e = " + v + ".Exp(a * -2f);");
        w.Line(vf + " large = (" + one + " - e) / (" + one + " + e);");
        w.Line(vf + " a2 = a * a;");
        w.Line("// a − a³/3 + 2a⁵/15 − 17a⁷/315 + 62a⁹/2835");
        w.Line(vf + " small = a + (a * a2 * (" + v + ".Create(-1f / 3f) + (a2 * (" + v + ".Create(2f / 15f) + (a2 * (" + v + ".Create(-17f / 315f) + (a2 * " + v + ".Create(62f / 2835f))))))));");
        w.Line("return " + v + ".ConditionalSelect(" + v + ".LessThan(a, " + v + ".Create(0.125f)), small, large) | (v & " + v + ".Create(-0f));");
        w.Close();
    }

    /// <summary>
    /// Conv2D's pass over its output: a Taylor series to s¹¹ below |s| = 0.4, written out with FMAs, so the pass
    /// needs no helper.
    /// </summary>
    protected override bool EmitInPlaceStep(CodeWriter w, LayerOptions options, int width)
    {
        string v = LayerKind.Vector(width), vf = VectorOfFloat(width);
        // tanh(|s|) = (1 − e) / (1 + e), e = exp(−2|s|), accurate once |s| ≥ 0.4; below, its Taylor series to s¹¹.
        w.Line("var a = " + v + ".Abs(s);");
        w.Line("var e = " + v + ".Exp(a * -2f);");
        w.Line("var large = (" + vf + ".One - e) / (" + vf + ".One + e);");
        w.Line("large = " + v + ".ConditionalSelect(" + v + ".LessThan(s, " + vf + ".Zero), -large, large);");
        w.Line("var s2 = s * s;");
        w.Line("var poly = " + v + ".Create(" + F(-1382f / 155925f) + ");");
        foreach (float coefficient in new[] { 62f / 2835f, -17f / 315f, 2f / 15f, -1f / 3f })
        {
            w.Line("poly = " + v + ".FusedMultiplyAdd(poly, s2, " + v + ".Create(" + F(coefficient) + "));");
        }

        w.Line("var small = " + v + ".FusedMultiplyAdd(s * s2, poly, s);");
        w.Line("s = " + v + ".ConditionalSelect(" + v + ".LessThan(a, " + v + ".Create(0.4f)), small, large);");
        return false;
    }
}
