using System.Collections.Generic;
using System.Linq;
using NetGen.Generators.Diagnostics;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Softmax over a 1-D shape, computed stably (max subtracted). As the last layer it is fused into the
/// cross-entropy loss, which starts backward from the logits; elsewhere backward is dx = y ⊙ (dy − ⟨dy, y⟩).
/// </summary>
/// <remarks>
/// The vector kernels make three passes of <see cref="VectorCode.Elementwise"/> (max; exp and sum; scale) and two
/// backward (the dot product; dx); a last partial vector is the full vector ending at the last value, masked
/// where it would count values twice (the sums) or scale them twice. Exp is the vector exp of
/// System.Runtime.Intrinsics (the scalar loops use MathF.Exp: the paths agree to rounding, not bits).
/// Fewer than 8 values run the scalar loops.
/// </remarks>
internal sealed class SoftmaxLayer : LayerKind
{
    public override string DisplayName => "Softmax";

    public override string NamePrefix => "softmax";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuSoftmaxLayer();

    public override OutputFunction FusesIntoLoss => OutputFunction.Softmax;

    public override bool HasVectorKernels => true;

    private static bool Vectorizes(LayerPlan layer, int width) => VectorCode.Lanes(layer.Input.Size, width) > 1;

    public override string? ScalarFallback(LayerPlan layer, int width) =>
        Vectorizes(layer, width) ? null : "forward and backward: " + I(layer.Input.Size) + " values, fewer than 8";

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics)
    {
        if (input.IsFlat)
        {
            return input;
        }

        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxNeedsFlatInput, spec.Location, name, "[" + input + "]"));
        return null;
    }

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        string n = I(layer.Input.Size);
        Summary(w, Head(layer) + ": y = exp(x − max x) / Σ exp(x − max x).");
        w.Open("private static void " + Forward(layer) + "(" + ReadOnlySpan + " x, " + Span + " y)");
        w.Line("float max = float.NegativeInfinity;");
        w.Open("for (int i = 0; i < " + n + "; i++)");
        w.Line("max = global::System.MathF.Max(max, x[i]);");
        w.Close();
        w.Line("float sum = 0f;");
        w.Open("for (int i = 0; i < " + n + "; i++)");
        w.Line("y[i] = global::System.MathF.Exp(x[i] - max);");
        w.Line("sum += y[i];");
        w.Close();
        w.Line("float scale = 1f / sum;");
        w.Open("for (int i = 0; i < " + n + "; i++)");
        w.Line("y[i] *= scale;");
        w.Close();
        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) => Forward(layer) + "(" + o.X + ", " + o.Y + ");";

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
        string n = I(layer.Input.Size);
        Summary(w, Head(layer) + ", backward: dx = y ⊙ (dy − ⟨dy, y⟩).");
        w.Open("private static void " + Backward(layer) + "(" + ReadOnlySpan + " y, " + ReadOnlySpan + " dy, " + Span + " dx)");
        w.Line("float dot = 0f;");
        w.Open("for (int i = 0; i < " + n + "; i++)");
        w.Line("dot += dy[i] * y[i];");
        w.Close();
        w.Open("for (int i = 0; i < " + n + "; i++)");
        w.Line("dx[i] = y[i] * (dy[i] - dot);");
        w.Close();
        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) => Backward(layer) + "(" + o.Y + ", " + o.Dy + ", " + o.Dx + ");";

    public override void EmitVectorForward(CodeWriter w, LayerPlan layer, int width)
    {
        if (!OpenVectorKernel(w, layer, width, Forward(layer), "forward: y = exp(x − max x) / Σ exp(x − max x)", ["x", "y"], out int n, out int lanes))
        {
            return;
        }

        string vec = VectorCode.Vec(lanes);
        w.Line("var top = " + vec + ".Create(float.NegativeInfinity);");
        VectorCode.Elementwise(w, n, width, 1, (l, at, k, _) => w.Line("top = " + vec + ".Max(top, " + VectorCode.Load(l, "xr", at) + ");"), _ => { });
        w.Line("float max = top[0];");
        w.Open("for (int i = 1; i < " + I(lanes) + "; i++)");
        w.Line("max = global::System.MathF.Max(max, top[i]);");
        w.Close();
        w.Line("var shift = " + vec + ".Create(max);");
        w.Line("var total = " + VectorCode.Zero(lanes) + ";");
        VectorCode.Elementwise(w, n, width, 1, (l, at, k, keep) =>
        {
            string e = "e" + I(k);
            w.Line("var " + e + " = " + vec + ".Exp(" + VectorCode.Load(l, "xr", at) + " - shift);");
            w.Line(VectorCode.Store(l, e, "yr", at));
            w.Line("total += " + (keep is null ? e : "(" + e + " & " + keep + ")") + ";");
        }, _ => { });
        w.Line("var scale = " + vec + ".Create(1f / " + vec + ".Sum(total));");
        VectorCode.Elementwise(w, n, width, 1, (l, at, k, keep) =>
        {
            string v = "v" + I(k);
            w.Line("var " + v + " = " + VectorCode.Load(l, "yr", at) + ";");
            w.Line(VectorCode.Store(l, keep is null ? v + " * scale" : vec + ".ConditionalSelect(" + keep + ", " + v + " * scale, " + v + ")", "yr", at));
        }, _ => { });
        w.Close();
    }

    public override string VectorForwardCall(LayerPlan layer, LayerOperands o, int width) =>
        Vectorizes(layer, width) ? Forward(layer) + Suffix(width) + "(" + o.X + ", " + o.Y + ");" : ForwardCall(layer, o);

    public override void EmitVectorBackward(CodeWriter w, LayerPlan layer, int width)
    {
        if (!OpenVectorKernel(w, layer, width, Backward(layer), "backward: dx = y ⊙ (dy − ⟨dy, y⟩)", ["y", "dy", "dx"], out int n, out int lanes))
        {
            return;
        }

        string vec = VectorCode.Vec(lanes);
        w.Line("var products = " + VectorCode.Zero(lanes) + ";");
        VectorCode.Elementwise(w, n, width, 1, (l, at, k, keep) =>
        {
            string p = VectorCode.Load(l, "dyr", at) + " * " + VectorCode.Load(l, "yr", at);
            w.Line("products += " + (keep is null ? p : "((" + p + ") & " + keep + ")") + ";");
        }, _ => { });
        w.Line("var dot = " + vec + ".Create(" + vec + ".Sum(products));");
        VectorCode.Elementwise(w, n, width, 1, (l, at, k, _) =>
            w.Line(VectorCode.Store(l, VectorCode.Load(l, "yr", at) + " * (" + VectorCode.Load(l, "dyr", at) + " - dot)", "dxr", at)), _ => { });
        w.Close();
    }

    public override string VectorBackwardCall(LayerPlan layer, LayerOperands o, int width) =>
        Vectorizes(layer, width) ? Backward(layer) + Suffix(width) + "(" + o.Y + ", " + o.Dy + ", " + o.Dx + ");" : BackwardCall(layer, o);

    /// <summary>
    /// Opens a vector kernel <paramref name="name"/> of <paramref name="spans"/> (the last one written, the others
    /// read) with a reference to each (<c>xr</c> for <c>x</c>); false, writing nothing, when the layer is too
    /// small for a vector.
    /// </summary>
    private bool OpenVectorKernel(CodeWriter w, LayerPlan layer, int width, string name, string formula, string[] spans, out int n, out int lanes)
    {
        n = layer.Input.Size;
        lanes = VectorCode.Lanes(n, width);
        if (!Vectorizes(layer, width))
        {
            return false;
        }

        Summary(w, Head(layer) + ", " + Suffix(width) + " " + formula + "; each pass " + VectorCode.ElementwisePlan(n, width, 1) + ".");
        w.Open("private static void " + name + Suffix(width) + "(" + string.Join(", ", spans.Select((span, i) => (i == spans.Length - 1 ? Span : ReadOnlySpan) + " " + span)) + ")");
        foreach (string span in spans)
        {
            w.Line(VectorCode.Ref(span + "r", span));
        }

        return true;
    }
}
