using System.Collections.Generic;
using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Element-wise activations. Each derivative is written in terms of the output y, so backward needs no
/// saved pre-activation: ReLU' = [y &gt; 0], σ' = y(1 − y), tanh' = 1 − y².
/// </summary>
internal sealed class ActivationLayer(LayerKindId id) : LayerKind
{
    public override string DisplayName => id.ToString();

    public override string NamePrefix => id.ToString().ToLowerInvariant();

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics) => input;

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        Summary(w, Head(layer) + ", element-wise over " + I(layer.Input.Size) + " values.");
        w.Open("private static void " + Forward(layer) + "(" + ReadOnlySpan + " x, " + Span + " y)");
        w.Open("for (int i = 0; i < " + I(layer.Input.Size) + "; i++)");
        w.Line(id switch
        {
            LayerKindId.ReLU => "y[i] = x[i] > 0f ? x[i] : 0f;",
            LayerKindId.Sigmoid => "y[i] = 1f / (1f + global::System.MathF.Exp(-x[i]));",
            _ => "y[i] = global::System.MathF.Tanh(x[i]);",
        });
        w.Close();
        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) => Forward(layer) + "(" + o.X + ", " + o.Y + ");";

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
        Summary(w, Head(layer) + ", backward from the output y.");
        w.Open("private static void " + Backward(layer) + "(" + ReadOnlySpan + " y, " + ReadOnlySpan + " dy, " + Span + " dx)");
        w.Open("for (int i = 0; i < " + I(layer.Input.Size) + "; i++)");
        w.Line(id switch
        {
            LayerKindId.ReLU => "dx[i] = y[i] > 0f ? dy[i] : 0f;",
            LayerKindId.Sigmoid => "dx[i] = dy[i] * y[i] * (1f - y[i]);",
            _ => "dx[i] = dy[i] * (1f - (y[i] * y[i]));",
        });
        w.Close();
        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) => Backward(layer) + "(" + o.Y + ", " + o.Dy + ", " + o.Dx + ");";
}
