using System.Collections.Generic;
using System.Linq;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Add: the element-wise sum of the previous layer's output (or <c>From</c>'s) and the named layers' outputs, all
/// of one shape (a residual connection). Forward sums the operands left to right on every path, so every path
/// gives the scalar loop's bits; backward hands dy to each operand that needs a gradient, adding it where another
/// reader of that value has written first (<see cref="Operand.Accumulates"/>), operands last to first as the plan orders them.
/// The vector kernels apply a following activation (a residual block's ReLU after the add) when the plan fuses it:
/// forward stores act(sum), backward hands each operand dy ⊙ act′(y), from the activation's y and dy.
/// </summary>
internal sealed class AddLayer : LayerKind
{
    public override string DisplayName => "Add";

    public override string NamePrefix => "add";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuAddLayer();

    public override bool HasVectorKernels => true;

    public override bool TransparentToInit => true;

    public override bool AccumulatesInputGradients => true;

    public override bool CanFuseActivation => true;

    public override LayerSpec ReadArguments(LayerArguments arguments) => arguments.Spec(joins: arguments.Strings(0));

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics) => input;

    public override Shape? InferOutput(LayerSpec spec, string name, IReadOnlyList<(string Name, Shape Shape)> operands, List<DiagnosticInfo> diagnostics)
    {
        (string firstName, Shape first) = operands[0];
        foreach ((string other, Shape shape) in operands.Skip(1))
        {
            if (shape != first)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.OperandShapesDiffer, spec.Location, DisplayName, name, firstName, first.ToString(), other, shape.ToString(), "Add needs operands of one shape"));
                return null;
            }
        }

        return first;
    }

    private static string Operands(LayerPlan layer) => string.Join(" + ", layer.Operands.Select(o => o.Name));

    /// <summary>The operands whose gradients backward writes, in the order it writes them (the plan's: last operand first).</summary>
    internal static IEnumerable<int> GradientOrder(LayerPlan layer) =>
        Enumerable.Range(0, layer.Operands.Count).Reverse().Where(j => layer.Operands[j].NeedsGradient);

    /// <summary>The forward kernels' parameters: one span per operand, then y (Add and Concat).</summary>
    internal static string Parameters(LayerPlan layer) =>
        string.Join(", ", Enumerable.Range(0, layer.Operands.Count).Select(j => ReadOnlySpan + " x" + I(j))) + ", " + Span + " y";

    /// <summary>The backward kernels' parameters: y when an activation is fused (its output), dy, then a span per operand that needs a gradient, in <see cref="GradientOrder"/>.</summary>
    internal static string BackwardParameters(LayerPlan layer, bool fused = false) =>
        (fused && layer.FusedActivation is not null ? ReadOnlySpan + " y, " : string.Empty) + ReadOnlySpan + " dy, " + string.Join(", ", GradientOrder(layer).Select(j => Span + " dx" + I(j)));

    /// <summary>The backward call's arguments, matching <see cref="BackwardParameters"/>.</summary>
    internal static string BackwardArguments(LayerPlan layer, LayerOperands o, bool fused = false) =>
        (fused && layer.FusedActivation is not null ? o.Y + ", " : string.Empty) + o.Dy + ", " + string.Join(", ", GradientOrder(layer).Select(j => o.InputGradients[j]));

    /// <summary>"dx1 = dy, dx0 += dy" for the comments.</summary>
    private static string GradientRule(LayerPlan layer) =>
        string.Join(", ", GradientOrder(layer).Select(j => "dx" + I(j) + (layer.Operands[j].Accumulates ? " += dy" : " = dy")));

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        int n = layer.Output.Size;
        Summary(w, Head(layer) + ": y = " + Operands(layer) + ".");
        w.Open("private static void " + Forward(layer) + "(" + Parameters(layer) + ")");
        string i = w.For("i", n);
        w.Line("y[" + i + "] = " + string.Join(" + ", Enumerable.Range(0, layer.Operands.Count).Select(j => "x" + I(j) + "[" + i + "]")) + ";");
        w.EndFor();
        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) => Forward(layer) + "(" + string.Join(", ", o.Inputs) + ", " + o.Y + ");";

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
        int n = layer.Output.Size;
        Summary(w, Head(layer) + ", backward: " + GradientRule(layer) + ".");
        w.Open("private static void " + Backward(layer) + "(" + BackwardParameters(layer) + ")");
        foreach (int j in GradientOrder(layer))
        {
            string i = w.For("i", n);
            w.Line("dx" + I(j) + "[" + i + "] " + (layer.Operands[j].Accumulates ? "+=" : "=") + " dy[" + i + "];");
            w.EndFor();
        }

        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) => Backward(layer) + "(" + BackwardArguments(layer, o) + ");";

    public override void EmitVectorForward(CodeWriter w, LayerPlan layer, int width)
    {
        int n = layer.Output.Size, count = layer.Operands.Count;
        Activation? act = layer.FusedActivation;
        string formula = act is null ? "y = " + Operands(layer) : "y = " + act.DisplayName + "(" + Operands(layer) + "), the following " + act.DisplayName + " fused";
        Summary(w, Head(layer) + ", " + Suffix(width) + " forward: " + formula + ", " + VectorCode.ElementwisePlan(n, width, 2) + ".");
        w.Open("private static void " + Forward(layer) + Suffix(width) + "(" + Parameters(layer) + ")");
        for (int j = 0; j < count; j++)
        {
            w.Line(VectorCode.Ref("x" + I(j) + "r", "x" + I(j)));
        }

        w.Line(VectorCode.Ref("yr", "y"));
        VectorCode.Elementwise(
            w,
            n,
            width,
            2,
            (lanes, at, k, _) =>
            {
                string sum = string.Join(" + ", Enumerable.Range(0, count).Select(j => VectorCode.Load(lanes, "x" + I(j) + "r", at)));
                if (act is null)
                {
                    w.Line(VectorCode.Store(lanes, sum, "yr", at));
                    return;
                }

                w.Line("var s" + I(k) + " = " + sum + ";");
                w.Line(VectorCode.Store(lanes, act.Vector(lanes, "s" + I(k)), "yr", at));
            },
            at =>
            {
                string sum = string.Join(" + ", Enumerable.Range(0, count).Select(j => "x" + I(j) + "[" + at + "]"));
                if (act is null)
                {
                    w.Line("y[" + at + "] = " + sum + ";");
                    return;
                }

                w.Line("float s = " + sum + ";");
                w.Line("y[" + at + "] = " + act.Scalar("s") + ";");
            });
        if (act is not null)
        {
            act.EmitVectorHelpers(w, VectorCode.Lanes(n, width));
        }

        w.Close();
    }

    public override string VectorForwardCall(LayerPlan layer, LayerOperands o, int width) => Forward(layer) + Suffix(width) + "(" + string.Join(", ", o.Inputs) + ", " + o.Y + ");";

    public override void EmitVectorBackward(CodeWriter w, LayerPlan layer, int width)
    {
        int n = layer.Output.Size;
        Activation? act = layer.FusedActivation;
        string rule = act is null ? GradientRule(layer) : GradientRule(layer).Replace("dy", "dy ⊙ " + act.DisplayName + "′(y)") + " (y and dy are those of the fused " + act.DisplayName + ")";
        Summary(w, Head(layer) + ", " + Suffix(width) + " backward: " + rule + ", " + VectorCode.ElementwisePlan(n, width, 2) + " each.");
        w.Open("private static void " + Backward(layer) + Suffix(width) + "(" + BackwardParameters(layer, fused: true) + ")");
        w.Line(VectorCode.Ref("dyr", "dy"));
        if (act is not null)
        {
            w.Line(VectorCode.Ref("yr", "y"));
        }

        foreach (int j in GradientOrder(layer))
        {
            EmitGradientStore(w, n, width, "dyr", "dy", "dx" + I(j), layer.Operands[j].Accumulates, act);
        }

        if (act is not null)
        {
            act.Kind.EmitVectorDerivativeHelpers(w, VectorCode.Lanes(n, width));
        }

        w.Close();
    }

    /// <summary>
    /// Writes (or, with <paramref name="accumulate"/>, adds) <paramref name="n"/> floats from a reference into a span,
    /// a vector at a time; the last partial vector adds only the lanes not done before, so nothing is added twice.
    /// With <paramref name="act"/>, each float is first multiplied by the activation's derivative at the same place of
    /// <c>y</c> (the fused activation's output, in locals <c>y</c> and <c>yr</c>).
    /// </summary>
    internal static void EmitGradientStore(CodeWriter w, int n, int width, string from, string fromSpan, string to, bool accumulate, Activation? act = null)
    {
        string toRef = to + "r";
        w.Line(VectorCode.Ref(toRef, to));
        VectorCode.Elementwise(
            w,
            n,
            width,
            2,
            (lanes, at, k, keep) =>
            {
                string share = VectorCode.Load(lanes, from, at);
                if (act is not null)
                {
                    string y = to + "y" + I(k); // per target: one kernel stores several operands' gradients
                    w.Line("var " + y + " = " + VectorCode.Load(lanes, "yr", at) + ";");
                    share = "(" + act.VectorDerivative(lanes, share, y) + ")";
                }

                string value = !accumulate ? share
                    : VectorCode.Load(lanes, toRef, at) + " + " + (keep is null ? share : "(" + share + " & " + keep + ")");
                w.Line(VectorCode.Store(lanes, value, toRef, at));
            },
            at => w.Line(to + "[" + at + "] " + (accumulate ? "+=" : "=") + " " + (act is null ? fromSpan + "[" + at + "]" : act.ScalarDerivative(fromSpan + "[" + at + "]", "y[" + at + "]")) + ";"));
    }

    public override string VectorBackwardCall(LayerPlan layer, LayerOperands o, int width) => Backward(layer) + Suffix(width) + "(" + BackwardArguments(layer, o, fused: true) + ");";
}
