using System.Collections.Generic;
using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>Fully connected: y[o] = b[o] + Σi W[o, i]·x[i], W of shape [out, in] (PyTorch's Linear). A 3-D input is flattened in (C, H, W) order.</summary>
internal sealed class DenseLayer : LayerKind
{
    public override string DisplayName => "Dense";

    public override string NamePrefix => "dense";

    public override bool HasParameters => true;

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics) =>
        RequirePositive(spec.Size, "Units", name, spec, diagnostics) ? Shape.Flat(spec.Size) : null;

    public override IEnumerable<(string Suffix, int[] Shape)> ParameterShapes(LayerSpec spec, Shape input, Shape output)
    {
        yield return ("weight", new[] { output.Size, input.Size });
        yield return ("bias", new[] { output.Size });
    }

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        int n = layer.Input.Size, m = layer.Output.Size;
        Summary(w, Head(layer) + ". x is [" + I(n) + "], w is [" + I(m) + ", " + I(n) + "], b is [" + I(m) + "], y is [" + I(m) + "].");
        w.Open("private static void " + Forward(layer) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + ReadOnlySpan + " b, " + Span + " y)");
        w.Open("for (int o = 0; o < " + I(m) + "; o++)");
        w.Line("float sum = b[o];");
        w.Line("int row = o * " + I(n) + ";");
        w.Open("for (int i = 0; i < " + I(n) + "; i++)");
        w.Line("sum += w[row + i] * x[i];");
        w.Close();
        w.Line("y[o] = sum;");
        w.Close();
        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) =>
        Forward(layer) + "(" + o.X + ", " + o.W + ", " + o.B + ", " + o.Y + ");";

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
        int n = layer.Input.Size, m = layer.Output.Size;
        bool dx = layer.NeedsInputGradient;
        Summary(w, Head(layer) + ", backward: dw += dy ⊗ x, db += dy" + (dx ? ", dx = wᵀ·dy" : " (no input gradient: nothing below learns)") + ".");
        w.Open("private static void " + Backward(layer) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + ReadOnlySpan + " dy, " + Span + " dw, " + Span + " db" + (dx ? ", " + Span + " dx" : "") + ")");
        if (dx)
        {
            w.Line("dx.Clear();");
        }

        w.Open("for (int o = 0; o < " + I(m) + "; o++)");
        w.Line("float g = dy[o];");
        w.Line("db[o] += g;");
        w.Line("int row = o * " + I(n) + ";");
        w.Open("for (int i = 0; i < " + I(n) + "; i++)");
        w.Line("dw[row + i] += g * x[i];");
        if (dx)
        {
            w.Line("dx[i] += w[row + i] * g;");
        }

        w.Close();
        w.Close();
        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) =>
        Backward(layer) + "(" + o.X + ", " + o.W + ", " + o.Dy + ", " + o.DW + ", " + o.DB + (layer.NeedsInputGradient ? ", " + o.Dx : "") + ");";
}
