using System.Collections.Generic;
using NetGen.Generators.Diagnostics;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Inverted dropout. In training each value is kept with probability 1 − rate and scaled by 1 / (1 − rate);
/// the mask is drawn from the sample's own generator (seeded per sample, so thread scheduling does not
/// matter) and kept in the workspace for backward. In evaluation the layer is the identity.
/// </summary>
internal sealed class DropoutLayer : LayerKind
{
    public override string DisplayName => "Dropout";

    public override string NamePrefix => "dropout";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuDropoutLayer();

    public override bool HasMask => true;

    public override bool HasVectorKernels => true;

    /// <summary><c>[Dropout(rate)]</c>; a rate that is not a number reads as NaN, which <see cref="InferOutput"/> reports.</summary>
    public override LayerSpec ReadArguments(LayerArguments a) => a.Spec(new DropoutOptions(a.Number(0) ?? double.NaN));

    /// <summary>Inverted dropout keeps the expected scale: the layer before initialises for the layer after.</summary>
    public override bool TransparentToInit => true;

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics)
    {
        // Written so that NaN fails too. The kernels use the nearest float, so a rate that rounds to 1 fails as well.
        double rate = Options<DropoutOptions>(spec).WrittenRate;
        if (rate >= 0 && rate < 1)
        {
            if ((float)rate < 1f)
            {
                return input;
            }

            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidDropoutRate, spec.Location, name, AsFloat(rate)));
            return null;
        }

        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidDropoutRate, spec.Location, name, Written(rate)));
        return null;
    }

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        string n = I(layer.Input.Size);
        Summary(w, Head(layer) + ", rate " + F(Rate(layer)) + ": y = x ⊙ mask in training, y = x otherwise.");
        w.Open("private static void " + Forward(layer) + "(" + ReadOnlySpan + " x, " + Span + " y, " + Span + " mask, bool training, ref global::NetGen.Rng rng)");
        w.Open("if (!training)");
        w.Line("x.CopyTo(y);");
        w.Line("mask.Fill(1f);");
        w.Line("return;");
        w.Close();
        w.Open("for (int i = 0; i < " + n + "; i++)");
        w.Line("float keep = rng.NextFloat() < " + F(Rate(layer)) + " ? 0f : " + F(1f / (1f - Rate(layer))) + ";");
        w.Line("mask[i] = keep;");
        w.Line("y[i] = x[i] * keep;");
        w.Close();
        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) =>
        Forward(layer) + "(" + o.X + ", " + o.Y + ", " + o.Mask + ", training, ref rng);";

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
        Summary(w, Head(layer) + ", backward: dx = dy ⊙ mask.");
        w.Open("private static void " + Backward(layer) + "(" + ReadOnlySpan + " mask, " + ReadOnlySpan + " dy, " + Span + " dx)");
        w.Open("for (int i = 0; i < " + I(layer.Input.Size) + "; i++)");
        w.Line("dx[i] = dy[i] * mask[i];");
        w.Close();
        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) => Backward(layer) + "(" + o.Mask + ", " + o.Dy + ", " + o.Dx + ");";

    /// <summary>
    /// The mask is drawn exactly as on the scalar path (one <c>rng.NextFloat()</c> per value, in order), so every
    /// path drops the same values; only the multiply by the mask is vectorized.
    /// </summary>
    public override void EmitVectorForward(CodeWriter w, LayerPlan layer, int width)
    {
        int n = layer.Input.Size;
        Summary(w, Head(layer) + ", rate " + F(Rate(layer)) + ", " + Suffix(width) + " forward: the mask is drawn value by value as on the scalar path, then y = x ⊙ mask over "
            + VectorCode.ElementwisePlan(n, width, Unroll) + ".");
        w.Open("private static void " + Forward(layer) + Suffix(width) + "(" + ReadOnlySpan + " x, " + Span + " y, " + Span + " mask, bool training, ref global::NetGen.Rng rng)");
        w.Open("if (!training)");
        w.Line("x.CopyTo(y);");
        w.Line("mask.Fill(1f);");
        w.Line("return;");
        w.Close();
        w.Line(VectorCode.Ref("xr", "x"));
        w.Line(VectorCode.Ref("yr", "y"));
        w.Line(VectorCode.Ref("mr", "mask"));
        w.Open("for (int i = 0; i < " + I(n) + "; i++)");
        w.Line(VectorCode.At("mr", "i") + " = rng.NextFloat() < " + F(Rate(layer)) + " ? 0f : " + F(1f / (1f - Rate(layer))) + ";");
        w.Close();
        VectorCode.Elementwise(
            w,
            n,
            width,
            Unroll,
            (lanes, at, k, _) => w.Line(VectorCode.Store(lanes, VectorCode.Load(lanes, "xr", at) + " * " + VectorCode.Load(lanes, "mr", at), "yr", at)),
            at => w.Line(VectorCode.At("yr", at) + " = " + VectorCode.At("xr", at) + " * " + VectorCode.At("mr", at) + ";"));
        w.Close();
    }

    public override string VectorForwardCall(LayerPlan layer, LayerOperands o, int width) =>
        Forward(layer) + Suffix(width) + "(" + o.X + ", " + o.Y + ", " + o.Mask + ", training, ref rng);";

    public override void EmitVectorBackward(CodeWriter w, LayerPlan layer, int width)
    {
        int n = layer.Input.Size;
        Summary(w, Head(layer) + ", " + Suffix(width) + " backward: dx = dy ⊙ mask over " + VectorCode.ElementwisePlan(n, width, Unroll) + ".");
        w.Open("private static void " + Backward(layer) + Suffix(width) + "(" + ReadOnlySpan + " mask, " + ReadOnlySpan + " dy, " + Span + " dx)");
        w.Line(VectorCode.Ref("mr", "mask"));
        w.Line(VectorCode.Ref("dyr", "dy"));
        w.Line(VectorCode.Ref("dxr", "dx"));
        VectorCode.Elementwise(
            w,
            n,
            width,
            Unroll,
            (lanes, at, k, _) => w.Line(VectorCode.Store(lanes, VectorCode.Load(lanes, "dyr", at) + " * " + VectorCode.Load(lanes, "mr", at), "dxr", at)),
            at => w.Line(VectorCode.At("dxr", at) + " = " + VectorCode.At("dyr", at) + " * " + VectorCode.At("mr", at) + ";"));
        w.Close();
    }

    public override string VectorBackwardCall(LayerPlan layer, LayerOperands o, int width) =>
        Backward(layer) + Suffix(width) + "(" + o.Mask + ", " + o.Dy + ", " + o.Dx + ");";

    /// <summary>Vectors per loop iteration of the multiply by the mask.</summary>
    private const int Unroll = 4;

    /// <summary>The rate the kernels use.</summary>
    private static float Rate(LayerPlan layer) => Options<DropoutOptions>(layer).Rate;
}

/// <summary>Dropout's rate as written (checked by the kind) and as the kernels use it (the nearest float).</summary>
/// <param name="WrittenRate">The probability of dropping a value, in [0, 1); NaN when the argument was not a number.</param>
internal sealed record DropoutOptions(double WrittenRate) : LayerOptions
{
    /// <summary>The rate the kernels use.</summary>
    public float Rate => (float)WrittenRate;
}
