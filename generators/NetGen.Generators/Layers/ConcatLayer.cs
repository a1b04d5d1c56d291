using System.Collections.Generic;
using System.Linq;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Concat: the previous layer's output (or <c>From</c>'s) followed by the named layers' outputs, along the channel
/// axis of [C, H, W] shapes of one height and width, or along the features of flat ones (PyTorch's
/// <c>torch.cat(…, dim=1)</c>). Channels are outermost, so either way the output is the operands one after the
/// other: forward copies each into its range, backward hands each operand its range of dy (adding it where
/// another reader of that value has written first). The plan writes an operand's value straight into its range where
/// it can (<see cref="LayerKind.JoinsOperandsInPlace"/>): forward copies nothing for that one, and nothing at all
/// when every operand is in place.
/// </summary>
internal sealed class ConcatLayer : LayerKind
{
    public override string DisplayName => "Concat";

    public override string NamePrefix => "concat";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuConcatLayer();

    public override bool HasVectorKernels => true;

    public override bool TransparentToInit => true;

    public override bool AccumulatesInputGradients => true;

    public override bool JoinsOperandsInPlace => true;

    public override LayerSpec ReadArguments(LayerArguments arguments) => arguments.Spec(joins: arguments.Strings(0));

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics) => input;

    public override Shape? InferOutput(LayerSpec spec, string name, IReadOnlyList<(string Name, Shape Shape)> operands, List<DiagnosticInfo> diagnostics)
    {
        (string firstName, Shape first) = operands[0];
        foreach ((string _, Shape shape) in operands)
        {
            if (!RejectSequence(shape, name, spec, diagnostics))
            {
                return null;
            }
        }

        int channels = first.C;
        foreach ((string other, Shape shape) in operands.Skip(1))
        {
            string? why = shape.IsFlat != first.IsFlat ? "Concat cannot join a 1-D shape with a [C, H, W] one; add [Flatten] or [GlobalAvgPool2D] to the [C, H, W] operand"
                : shape.H != first.H || shape.W != first.W ? "Concat joins [C, H, W] shapes along C, so their height and width must be equal"
                : null;
            if (why is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.OperandShapesDiffer, spec.Location, DisplayName, name, firstName, first.ToString(), other, shape.ToString(), why));
                return null;
            }

            channels += shape.C;
        }

        return first.IsFlat ? Shape.Flat(channels) : Shape.Spatial(channels, first.H, first.W);
    }

    /// <summary>Where operand <paramref name="j"/> starts in the output.</summary>
    internal static int Start(LayerPlan layer, int j) => layer.Operands.Take(j).Sum(o => o.Shape.Size);

    /// <summary>Whether operand <paramref name="j"/>'s value already lies in its range of the output (the plan placed it there).</summary>
    internal static bool InPlace(LayerPlan layer, int j) => layer.Operands[j].Producer >= 0 && layer.Operands[j].Offset == layer.OutputOffset + Start(layer, j);

    /// <summary>
    /// Every value the plan wrote in place into a Concat's output: the value (its layer, through a Flatten to the one
    /// that owns the floats), the Concat, and where in the Concat's output it starts.
    /// </summary>
    internal static IEnumerable<(int Value, int Concat, int Start)> InPlaceValues(NetworkPlan plan)
    {
        for (int c = 0; c < plan.Layers.Count; c++)
        {
            LayerPlan layer = plan.Layers[c];
            for (int j = 0; layer.Kind.JoinsOperandsInPlace && j < layer.Operands.Count; j++)
            {
                if (InPlace(layer, j))
                {
                    yield return (plan.ValueOf(layer.Operands[j].Producer), c, Start(layer, j));
                }
            }
        }
    }

    /// <summary>Whether every operand lies in its range already: forward has nothing to do.</summary>
    internal static bool AllInPlace(LayerPlan layer) => Enumerable.Range(0, layer.Operands.Count).All(j => InPlace(layer, j));

    private static string Operands(LayerPlan layer) => string.Join(", ", layer.Operands.Select((o, j) => o.Name + " [" + o.Shape + "]" + (InPlace(layer, j) ? " (in place)" : "")));

    private static string Range(LayerPlan layer, int j) => "dy[" + I(Start(layer, j)) + " … " + I(Start(layer, j) + layer.Operands[j].Shape.Size - 1) + "]";

    private static string GradientRule(LayerPlan layer) =>
        string.Join(", ", AddLayer.GradientOrder(layer).Select(j => "dx" + I(j) + (layer.Operands[j].Accumulates ? " += " : " = ") + Range(layer, j)));

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        if (AllInPlace(layer))
        {
            return;
        }

        Summary(w, Head(layer) + ": y = " + Operands(layer) + ", one after the other.");
        w.Open("private static void " + Forward(layer) + "(" + AddLayer.Parameters(layer) + ")");
        foreach (int j in Enumerable.Range(0, layer.Operands.Count).Where(j => !InPlace(layer, j)))
        {
            string i = w.For("i", layer.Operands[j].Shape.Size);
            w.Line("y[" + VectorCode.Plus(i, Start(layer, j)) + "] = x" + I(j) + "[" + i + "];");
            w.EndFor();
        }

        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) =>
        AllInPlace(layer) ? "// " + layer.Name + ": every operand was written in place" : Forward(layer) + "(" + string.Join(", ", o.Inputs) + ", " + o.Y + ");";

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
        Summary(w, Head(layer) + ", backward: " + GradientRule(layer) + ".");
        w.Open("private static void " + Backward(layer) + "(" + AddLayer.BackwardParameters(layer) + ")");
        foreach (int j in AddLayer.GradientOrder(layer))
        {
            string i = w.For("i", layer.Operands[j].Shape.Size);
            w.Line("dx" + I(j) + "[" + i + "] " + (layer.Operands[j].Accumulates ? "+=" : "=") + " dy[" + VectorCode.Plus(i, Start(layer, j)) + "];");
            w.EndFor();
        }

        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) => Backward(layer) + "(" + AddLayer.BackwardArguments(layer, o) + ");";

    public override void EmitVectorForward(CodeWriter w, LayerPlan layer, int width)
    {
        if (AllInPlace(layer))
        {
            return;
        }

        Summary(w, Head(layer) + ", " + Suffix(width) + " forward: each operand not in place block-copied into its range of y.");
        w.Open("private static void " + Forward(layer) + Suffix(width) + "(" + AddLayer.Parameters(layer) + ")");
        foreach (int j in Enumerable.Range(0, layer.Operands.Count).Where(j => !InPlace(layer, j)))
        {
            w.Line("x" + I(j) + ".Slice(0, " + I(layer.Operands[j].Shape.Size) + ").CopyTo(y.Slice(" + I(Start(layer, j)) + ", " + I(layer.Operands[j].Shape.Size) + "));");
        }

        w.Close();
    }

    public override string VectorForwardCall(LayerPlan layer, LayerOperands o, int width) =>
        AllInPlace(layer) ? ForwardCall(layer, o) : Forward(layer) + Suffix(width) + "(" + string.Join(", ", o.Inputs) + ", " + o.Y + ");";

    public override void EmitVectorBackward(CodeWriter w, LayerPlan layer, int width)
    {
        Summary(w, Head(layer) + ", " + Suffix(width) + " backward: " + GradientRule(layer) + ", a vector at a time.");
        w.Open("private static void " + Backward(layer) + Suffix(width) + "(" + AddLayer.BackwardParameters(layer) + ")");
        foreach (int j in AddLayer.GradientOrder(layer))
        {
            int n = layer.Operands[j].Shape.Size;
            string part = "dy" + I(j);
            w.Line(ReadOnlySpan + " " + part + " = dy.Slice(" + I(Start(layer, j)) + ", " + I(n) + ");");
            w.Line(VectorCode.Ref(part + "r", part));
            AddLayer.EmitGradientStore(w, n, width, part + "r", part, "dx" + I(j), layer.Operands[j].Accumulates);
        }

        w.Close();
    }

    public override string VectorBackwardCall(LayerPlan layer, LayerOperands o, int width) => Backward(layer) + Suffix(width) + "(" + AddLayer.BackwardArguments(layer, o) + ");";
}
