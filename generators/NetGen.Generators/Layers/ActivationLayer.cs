using System.Collections.Generic;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// An element-wise activation: a kind that only supplies its formula, in scalar and vector form, and its
/// derivative, written either in terms of the output y (<see cref="DerivativeFromInput"/> false: ReLU' = [y &gt; 0],
/// σ' = y(1 − y), tanh' = 1 − y², so backward needs no saved pre-activation) or of the input x (GELU). This base
/// writes the kernels of every path from those formulas, the GPU's included (<see cref="GpuActivationLayer"/>), and
/// Dense and Conv2D apply a <see cref="Fusable"/> activation in registers from the same formulas.
/// </summary>
/// <remarks>
/// The vector kernels run the formulas a vector at a time; a last partial vector is recomputed as the full vector
/// ending at the last value (see <see cref="VectorCode.Elementwise"/>). An activation the previous layer applies
/// (<see cref="LayerPlan.FusedIntoPrevious"/>) gets no vector kernels or calls.
/// </remarks>
internal abstract class ActivationLayer : LayerKind
{
    protected ActivationLayer()
    {
        GpuKind = new GpuActivationLayer(this);
    }

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; }

    public override string NamePrefix => DisplayName.ToLowerInvariant();

    public override bool HasVectorKernels => true;

    /// <summary>Whether the derivative is written in terms of the input x (true) or of the output y (false).</summary>
    public virtual bool DerivativeFromInput => false;

    /// <summary>
    /// Whether Dense and Conv2D may apply the activation in their own kernels: only when its derivative comes from
    /// its output, which is all those kernels keep.
    /// </summary>
    public virtual bool Fusable => !DerivativeFromInput;

    /// <summary>Vectors per loop iteration of the forward loop (cheap formulas unroll).</summary>
    protected virtual int ForwardUnroll => 1;

    /// <summary>Vectors per loop iteration of the backward loop.</summary>
    protected virtual int BackwardUnroll => 4;

    /// <summary>The scalar activation of <paramref name="x"/> (an expression used more than once only when it is a variable or element).</summary>
    public abstract string Scalar(LayerOptions options, string x);

    /// <summary>The scalar dy ⊙ act′, from <paramref name="v"/>: the output y, or the input x when <see cref="DerivativeFromInput"/>.</summary>
    public abstract string ScalarDerivative(LayerOptions options, string dy, string v);

    /// <summary>The activation of the vector variable <paramref name="v"/> of <paramref name="lanes"/> floats.</summary>
    public abstract string Vector(LayerOptions options, int lanes, string v);

    /// <summary>The vector dy ⊙ act′ from the vector variable <paramref name="v"/> (y, or x when <see cref="DerivativeFromInput"/>).</summary>
    public abstract string VectorDerivative(LayerOptions options, int lanes, string dy, string v);

    /// <summary>
    /// The cheapest form for a value held in registers by a convolution's tile store, or null when the kind has
    /// none (then Conv2D runs <see cref="EmitInPlace"/> over its output instead).
    /// </summary>
    public virtual string? InRegisters(LayerOptions options, int lanes, string v) => null;

    /// <summary>Writes the local helpers <see cref="Vector"/> refers to, in a kernel on vectors of <paramref name="lanes"/> floats (1: the scalar form, none).</summary>
    public virtual void EmitVectorHelpers(CodeWriter w, int lanes)
    {
    }

    /// <summary>Writes the local helpers <see cref="VectorDerivative"/> refers to, in a backward kernel on vectors of <paramref name="lanes"/> floats (1: none).</summary>
    public virtual void EmitVectorDerivativeHelpers(CodeWriter w, int lanes)
    {
    }

    /// <summary>
    /// A vector pass of the activation over <paramref name="n"/> floats at the reference <paramref name="r"/>, in
    /// place, the tail scalar (Conv2D's output, when <see cref="InRegisters"/> is null).
    /// </summary>
    public void EmitInPlace(CodeWriter w, LayerOptions options, string r, int n, int width)
    {
        int full = n / width * width;
        bool helpers = false;
        w.Line("// " + DisplayName + " over the output, in place.");
        if (full > 0)
        {
            w.Open("for (int i = 0; i < " + I(full) + "; i += " + I(width) + ")");
            w.Line("var s = " + LayerKind.Vector(width) + ".LoadUnsafe(ref " + r + ", (nuint)i);");
            helpers = EmitInPlaceStep(w, options, width);
            w.Line(LayerKind.Vector(width) + ".StoreUnsafe(s, ref " + r + ", (nuint)i);");
            w.Close();
        }

        if (full < n)
        {
            w.Open("for (int i = " + I(full) + "; i < " + I(n) + "; i++)");
            w.Line("ref float s = ref " + VectorCode.Unsafe + ".Add(ref " + r + ", i);");
            w.Line("s = " + Scalar(options, "s") + ";");
            w.Close();
        }

        if (full > 0 && helpers)
        {
            EmitVectorHelpers(w, width);
        }
    }

    /// <summary>
    /// Writes the step of <see cref="EmitInPlace"/> that turns the vector variable <c>s</c> into its activation;
    /// returns whether it uses the helpers of <see cref="EmitVectorHelpers"/>.
    /// </summary>
    protected virtual bool EmitInPlaceStep(CodeWriter w, LayerOptions options, int width)
    {
        w.Line("s = " + Vector(options, width, "s") + ";");
        return true;
    }

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics) => input;

    /// <summary>The name of the backward kernels' first argument: what the derivative is written in.</summary>
    private string From => DerivativeFromInput ? "x" : "y";

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        Summary(w, Head(layer) + ", element-wise over " + I(layer.Input.Size) + " values.");
        w.Open("private static void " + Forward(layer) + "(" + ReadOnlySpan + " x, " + Span + " y)");
        w.Open("for (int i = 0; i < " + I(layer.Input.Size) + "; i++)");
        w.Line("y[i] = " + Scalar(layer.Options, "x[i]") + ";");
        w.Close();
        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) => Forward(layer) + "(" + o.X + ", " + o.Y + ");";

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
        Summary(w, Head(layer) + ", backward from the " + (DerivativeFromInput ? "input x" : "output y") + ".");
        w.Open("private static void " + Backward(layer) + "(" + ReadOnlySpan + " " + From + ", " + ReadOnlySpan + " dy, " + Span + " dx)");
        w.Open("for (int i = 0; i < " + I(layer.Input.Size) + "; i++)");
        w.Line("dx[i] = " + ScalarDerivative(layer.Options, "dy[i]", From + "[i]") + ";");
        w.Close();
        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) => Backward(layer) + "(" + Operand(o) + ", " + o.Dy + ", " + o.Dx + ");";

    public override void EmitVectorForward(CodeWriter w, LayerPlan layer, int width)
    {
        int n = layer.Input.Size;
        Summary(w, Head(layer) + ", " + Suffix(width) + " forward: " + VectorCode.ElementwisePlan(n, width, ForwardUnroll) + ".");
        w.Open("private static void " + Forward(layer) + Suffix(width) + "(" + ReadOnlySpan + " x, " + Span + " y)");
        w.Line(VectorCode.Ref("xr", "x"));
        w.Line(VectorCode.Ref("yr", "y"));
        VectorCode.Elementwise(
            w,
            n,
            width,
            ForwardUnroll,
            (lanes, at, k, _) =>
            {
                string v = "v" + k;
                w.Line("var " + v + " = " + VectorCode.Load(lanes, "xr", at) + ";");
                w.Line(VectorCode.Store(lanes, Vector(layer.Options, lanes, v), "yr", at));
            },
            at => w.Line(VectorCode.At("yr", at) + " = " + Scalar(layer.Options, VectorCode.At("xr", at)) + ";"));
        EmitVectorHelpers(w, VectorCode.Lanes(n, width));
        w.Close();
    }

    public override string VectorForwardCall(LayerPlan layer, LayerOperands operands, int width) =>
        Forward(layer) + Suffix(width) + "(" + operands.X + ", " + operands.Y + ");";

    public override void EmitVectorBackward(CodeWriter w, LayerPlan layer, int width)
    {
        int n = layer.Input.Size;
        string from = From;
        Summary(w, Head(layer) + ", " + Suffix(width) + " backward from the " + (DerivativeFromInput ? "input x" : "output y") + ": " + VectorCode.ElementwisePlan(n, width, BackwardUnroll) + ".");
        w.Open("private static void " + Backward(layer) + Suffix(width) + "(" + ReadOnlySpan + " " + from + ", " + ReadOnlySpan + " dy, " + Span + " dx)");
        w.Line(VectorCode.Ref(from + "r", from));
        w.Line(VectorCode.Ref("dyr", "dy"));
        w.Line(VectorCode.Ref("dxr", "dx"));
        VectorCode.Elementwise(
            w,
            n,
            width,
            BackwardUnroll,
            (lanes, at, k, _) =>
            {
                string v = from + k;
                w.Line("var " + v + " = " + VectorCode.Load(lanes, from + "r", at) + ";");
                w.Line(VectorCode.Store(lanes, VectorDerivative(layer.Options, lanes, VectorCode.Load(lanes, "dyr", at), v), "dxr", at));
            },
            at => w.Line(VectorCode.At("dxr", at) + " = " + ScalarDerivative(layer.Options, VectorCode.At("dyr", at), VectorCode.At(from + "r", at)) + ";"));
        EmitVectorDerivativeHelpers(w, VectorCode.Lanes(n, width));

        w.Close();
    }

    public override string VectorBackwardCall(LayerPlan layer, LayerOperands operands, int width) =>
        Backward(layer) + Suffix(width) + "(" + Operand(operands) + ", " + operands.Dy + ", " + operands.Dx + ");";

    /// <summary>The backward kernels' first operand: the layer's output, or its input when the derivative is written in x.</summary>
    private string Operand(LayerOperands o) => DerivativeFromInput ? o.X : o.Y;
}
