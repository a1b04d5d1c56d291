using System.Collections.Generic;
using NetGen.Generators.Diagnostics;
using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Max or average pooling over square windows without padding; stride defaults to the window size.
/// Output size is floor((in − size) / stride) + 1. Max pooling routes the gradient to the first maximum of
/// each window, as PyTorch does.
/// </summary>
internal sealed class Pool2DLayer(bool isMax) : LayerKind
{
    public override string DisplayName => isMax ? "MaxPool2D" : "AvgPool2D";

    public override string NamePrefix => isMax ? "maxpool" : "avgpool";

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics)
    {
        bool ok = RequirePositive(spec.Size, "Size", name, spec, diagnostics);
        ok &= RequirePositive(spec.Stride, "Stride", name, spec, diagnostics);
        if (!ok || !RequireSpatial(input, name, spec, diagnostics))
        {
            return null;
        }

        if (spec.Size > input.H || spec.Size > input.W)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WindowTooLarge, spec.Location, name, spec.Size, input.H, input.W));
            return null;
        }

        return Shape.Spatial(input.C, ((input.H - spec.Size) / spec.Stride) + 1, ((input.W - spec.Size) / spec.Stride) + 1);
    }

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        Shape o = layer.Output;
        Summary(w, Head(layer) + ", " + (isMax ? "max" : "mean") + " over " + I(layer.Kernel) + "×" + I(layer.Kernel) + " windows, stride " + I(layer.Stride) + ".");
        w.Open("private static void " + Forward(layer) + "(" + ReadOnlySpan + " x, " + Span + " y)");
        OpenOutputLoops(w, o);
        if (isMax)
        {
            w.Line("float best = float.NegativeInfinity;");
            OpenWindow(w, layer);
            w.Line("float v = x[" + InputIndex(layer) + "];");
            w.Open("if (v > best)");
            w.Line("best = v;");
            w.Close();
            CloseWindow(w);
            w.Line("y[" + OutputIndex(o) + "] = best;");
        }
        else
        {
            w.Line("float sum = 0f;");
            OpenWindow(w, layer);
            w.Line("sum += x[" + InputIndex(layer) + "];");
            CloseWindow(w);
            w.Line("y[" + OutputIndex(o) + "] = sum * " + F(1f / (layer.Kernel * layer.Kernel)) + ";");
        }

        CloseOutputLoops(w);
        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) => Forward(layer) + "(" + o.X + ", " + o.Y + ");";

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
        Shape o = layer.Output;
        Summary(w, Head(layer) + ", backward: " + (isMax ? "dy goes to the first maximum of each window" : "dy is spread evenly over each window") + ".");
        w.Open("private static void " + Backward(layer) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " dy, " + Span + " dx)");
        w.Line("dx.Clear();");
        OpenOutputLoops(w, o);
        if (isMax)
        {
            w.Line("float best = float.NegativeInfinity;");
            w.Line("int at = -1;");
            OpenWindow(w, layer);
            w.Line("int index = " + InputIndex(layer) + ";");
            w.Open("if (x[index] > best)");
            w.Line("best = x[index];");
            w.Line("at = index;");
            w.Close();
            CloseWindow(w);
            w.Open("if (at >= 0)");
            w.Line("dx[at] += dy[" + OutputIndex(o) + "];");
            w.Close();
        }
        else
        {
            w.Line("float g = dy[" + OutputIndex(o) + "] * " + F(1f / (layer.Kernel * layer.Kernel)) + ";");
            OpenWindow(w, layer);
            w.Line("dx[" + InputIndex(layer) + "] += g;");
            CloseWindow(w);
        }

        CloseOutputLoops(w);
        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) => Backward(layer) + "(" + o.X + ", " + o.Dy + ", " + o.Dx + ");";

    private static void OpenOutputLoops(CodeWriter w, Shape o)
    {
        w.Open("for (int c = 0; c < " + I(o.C) + "; c++)");
        w.Open("for (int oy = 0; oy < " + I(o.H) + "; oy++)");
        w.Open("for (int ox = 0; ox < " + I(o.W) + "; ox++)");
    }

    private static void CloseOutputLoops(CodeWriter w)
    {
        w.Close();
        w.Close();
        w.Close();
    }

    private static void OpenWindow(CodeWriter w, LayerPlan layer)
    {
        w.Open("for (int ky = 0; ky < " + I(layer.Kernel) + "; ky++)");
        w.Open("for (int kx = 0; kx < " + I(layer.Kernel) + "; kx++)");
    }

    private static void CloseWindow(CodeWriter w)
    {
        w.Close();
        w.Close();
    }

    private static string OutputIndex(Shape o) => "((c * " + I(o.H) + ") + oy) * " + I(o.W) + " + ox";

    private static string InputIndex(LayerPlan layer) =>
        "((c * " + I(layer.Input.H) + ") + (oy * " + I(layer.Stride) + ") + ky) * " + I(layer.Input.W) + " + (ox * " + I(layer.Stride) + ") + kx";
}
