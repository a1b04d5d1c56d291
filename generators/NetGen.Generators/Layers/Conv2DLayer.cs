using System.Collections.Generic;
using NetGen.Generators.Diagnostics;
using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// 2-D convolution (cross-correlation, as PyTorch's Conv2d) with square kernels, stride and zero padding.
/// w is [F, C, K, K]; output size is floor((in + 2·pad − K) / stride) + 1.
/// </summary>
internal sealed class Conv2DLayer : LayerKind
{
    public override string DisplayName => "Conv2D";

    public override string NamePrefix => "conv";

    public override bool HasParameters => true;

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics)
    {
        bool ok = RequirePositive(spec.Size, "Filters", name, spec, diagnostics);
        ok &= RequirePositive(spec.Kernel, "Kernel", name, spec, diagnostics);
        ok &= RequirePositive(spec.Stride, "Stride", name, spec, diagnostics);
        if (spec.Padding < 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSize, spec.Location, "Padding", name, "zero or more", spec.Padding));
            ok = false;
        }

        if (!ok || !RequireSpatial(input, name, spec, diagnostics))
        {
            return null;
        }

        long h = (long)input.H + (2L * spec.Padding), w = (long)input.W + (2L * spec.Padding);
        if (spec.Kernel > h || spec.Kernel > w)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WindowTooLarge, spec.Location, name, spec.Kernel, h, w));
            return null;
        }

        return Shape.Spatial(spec.Size, (int)(((h - spec.Kernel) / spec.Stride) + 1), (int)(((w - spec.Kernel) / spec.Stride) + 1));
    }

    public override IEnumerable<(string Suffix, int[] Shape)> ParameterShapes(LayerSpec spec, Shape input, Shape output)
    {
        yield return ("weight", new[] { output.C, input.C, spec.Kernel, spec.Kernel });
        yield return ("bias", new[] { output.C });
    }

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        Shape i = layer.Input, o = layer.Output;
        Summary(w, Head(layer) + ", kernel " + I(layer.Kernel) + ", stride " + I(layer.Stride) + ", padding " + I(layer.Padding)
            + ". x is [" + i + "], w is [" + I(o.C) + ", " + I(i.C) + ", " + I(layer.Kernel) + ", " + I(layer.Kernel) + "], y is [" + o + "].");
        w.Open("private static void " + Forward(layer) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + ReadOnlySpan + " b, " + Span + " y)");
        w.Open("for (int f = 0; f < " + I(o.C) + "; f++)");
        w.Open("for (int oy = 0; oy < " + I(o.H) + "; oy++)");
        w.Open("for (int ox = 0; ox < " + I(o.W) + "; ox++)");
        w.Line("float sum = b[f];");
        OpenWindow(w, layer);
        w.Line("sum += w[" + WeightIndex(layer) + "] * x[" + InputIndex(layer) + "];");
        CloseWindow(w);
        w.Line("y[((f * " + I(o.H) + ") + oy) * " + I(o.W) + " + ox] = sum;");
        w.Close();
        w.Close();
        w.Close();
        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) =>
        Forward(layer) + "(" + o.X + ", " + o.W + ", " + o.B + ", " + o.Y + ");";

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
        Shape o = layer.Output;
        bool dx = layer.NeedsInputGradient;
        Summary(w, Head(layer) + ", backward: dw += dy ⋆ x, db += Σ dy" + (dx ? ", dx = full convolution of dy with w" : " (no input gradient: nothing below learns)") + ".");
        w.Open("private static void " + Backward(layer) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + ReadOnlySpan + " dy, " + Span + " dw, " + Span + " db" + (dx ? ", " + Span + " dx" : "") + ")");
        if (dx)
        {
            w.Line("dx.Clear();");
        }

        w.Open("for (int f = 0; f < " + I(o.C) + "; f++)");
        w.Open("for (int oy = 0; oy < " + I(o.H) + "; oy++)");
        w.Open("for (int ox = 0; ox < " + I(o.W) + "; ox++)");
        w.Line("float g = dy[((f * " + I(o.H) + ") + oy) * " + I(o.W) + " + ox];");
        w.Line("db[f] += g;");
        OpenWindow(w, layer);
        w.Line("dw[" + WeightIndex(layer) + "] += g * x[" + InputIndex(layer) + "];");
        if (dx)
        {
            w.Line("dx[" + InputIndex(layer) + "] += w[" + WeightIndex(layer) + "] * g;");
        }

        CloseWindow(w);
        w.Close();
        w.Close();
        w.Close();
        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) =>
        Backward(layer) + "(" + o.X + ", " + o.W + ", " + o.Dy + ", " + o.DW + ", " + o.DB + (layer.NeedsInputGradient ? ", " + o.Dx : "") + ");";

    /// <summary>Opens the c / ky / kx loops, skipping taps that fall into the zero padding.</summary>
    private static void OpenWindow(CodeWriter w, LayerPlan layer)
    {
        Shape i = layer.Input;
        int k = layer.Kernel;
        w.Open("for (int c = 0; c < " + I(i.C) + "; c++)");
        w.Open("for (int ky = 0; ky < " + I(k) + "; ky++)");
        w.Line("int iy = (oy * " + I(layer.Stride) + ") + ky" + (layer.Padding > 0 ? " - " + I(layer.Padding) : "") + ";");
        if (layer.Padding > 0)
        {
            w.Open("if ((uint)iy >= " + I(i.H) + "u)");
            w.Line("continue;");
            w.Close();
        }

        w.Open("for (int kx = 0; kx < " + I(k) + "; kx++)");
        w.Line("int ix = (ox * " + I(layer.Stride) + ") + kx" + (layer.Padding > 0 ? " - " + I(layer.Padding) : "") + ";");
        if (layer.Padding > 0)
        {
            w.Open("if ((uint)ix >= " + I(i.W) + "u)");
            w.Line("continue;");
            w.Close();
        }
    }

    private static void CloseWindow(CodeWriter w)
    {
        w.Close();
        w.Close();
        w.Close();
    }

    private static string WeightIndex(LayerPlan layer) =>
        "((((f * " + I(layer.Input.C) + ") + c) * " + I(layer.Kernel) + ") + ky) * " + I(layer.Kernel) + " + kx";

    private static string InputIndex(LayerPlan layer) =>
        "((c * " + I(layer.Input.H) + ") + iy) * " + I(layer.Input.W) + " + ix";
}
