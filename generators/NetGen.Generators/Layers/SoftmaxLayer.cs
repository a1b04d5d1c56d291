using System.Collections.Generic;
using NetGen.Generators.Diagnostics;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Softmax over a 1-D shape, computed stably (max subtracted). As the last layer it is fused into the
/// cross-entropy loss, which starts backward from the logits; elsewhere backward is dx = y ⊙ (dy − ⟨dy, y⟩).
/// </summary>
internal sealed class SoftmaxLayer : LayerKind
{
    public override string DisplayName => "Softmax";

    public override string NamePrefix => "softmax";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuSoftmaxLayer();

    public override OutputFunction FusesIntoLoss => OutputFunction.Softmax;

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
}
