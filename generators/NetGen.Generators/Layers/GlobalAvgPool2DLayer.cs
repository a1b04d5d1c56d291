using System.Collections.Generic;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Global average pooling: [C, H, W] → [C], each channel's mean over its H·W plane (PyTorch's
/// <c>AdaptiveAvgPool2d(1)</c> followed by <c>flatten(1)</c>). Backward spreads dy[c] / (H·W) over the plane.
/// The vector kernels sum a plane a vector at a time (the last partial vector masked) and add the lanes once.
/// </summary>
internal sealed class GlobalAvgPool2DLayer : LayerKind
{
    public override string DisplayName => "GlobalAvgPool2D";

    public override string NamePrefix => "gap";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuGlobalAvgPool2DLayer();

    public override bool HasVectorKernels => true;

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics) =>
        RequireSpatial(input, name, spec, diagnostics) ? Shape.Flat(input.C) : null;

    private static int Plane(LayerPlan layer) => layer.Input.H * layer.Input.W;

    public override string? ScalarFallback(LayerPlan layer, int width) =>
        Vectorizes(layer) ? null : "forward and backward: planes of " + I(Plane(layer)) + " values, fewer than one Vector256";

    /// <summary>Whether the vector paths run vector kernels: a plane of at least one Vector256.</summary>
    private static bool Vectorizes(LayerPlan layer) => Plane(layer) >= 8;

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        int plane = Plane(layer);
        Summary(w, Head(layer) + ": y[c] = Σ x[c, ·, ·] / " + I(plane) + ".");
        w.Open("private static void " + Forward(layer) + "(" + ReadOnlySpan + " x, " + Span + " y)");
        string c = w.For("c", layer.Input.C);
        w.Line("float sum = 0f;");
        string i = w.For("i", plane);
        w.Line("sum += x[" + CodeWriter.Sum(0, (c, plane), (i, 1)) + "];");
        w.EndFor();
        w.Line("y[" + c + "] = sum * " + F(1f / plane) + ";");
        w.EndFor();
        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) => Forward(layer) + "(" + o.X + ", " + o.Y + ");";

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
        int plane = Plane(layer);
        Summary(w, Head(layer) + ", backward: dx[c, ·, ·] = dy[c] / " + I(plane) + ".");
        w.Open("private static void " + Backward(layer) + "(" + ReadOnlySpan + " dy, " + Span + " dx)");
        string c = w.For("c", layer.Input.C);
        w.Line("float g = dy[" + c + "] * " + F(1f / plane) + ";");
        string i = w.For("i", plane);
        w.Line("dx[" + CodeWriter.Sum(0, (c, plane), (i, 1)) + "] = g;");
        w.EndFor();
        w.EndFor();
        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) => Backward(layer) + "(" + o.Dy + ", " + o.Dx + ");";

    public override void EmitVectorForward(CodeWriter w, LayerPlan layer, int width)
    {
        if (!Vectorizes(layer))
        {
            return;
        }

        int plane = Plane(layer);
        Summary(w, Head(layer) + ", " + Suffix(width) + " forward: per channel, " + VectorCode.ElementwisePlan(plane, width, 1) + ", summed across lanes once.");
        w.Open("private static void " + Forward(layer) + Suffix(width) + "(" + ReadOnlySpan + " x, " + Span + " y)");
        w.Line(VectorCode.Ref("xr", "x"));
        string c = w.For("c", layer.Input.C);
        w.Line("ref float xc = ref " + VectorCode.At("xr", CodeWriter.Sum(0, (c, plane))) + ";");
        int lanes = VectorCode.Lanes(plane, width);
        w.Line("var acc = " + VectorCode.Zero(lanes) + ";");
        VectorCode.Elementwise(
            w,
            plane,
            width,
            1,
            (l, at, k, keep) => w.Line("acc += " + (keep is null ? VectorCode.Load(l, "xc", at) : "(" + VectorCode.Load(l, "xc", at) + " & " + keep + ")") + ";"),
            at => w.Line("acc += " + VectorCode.At("xc", at) + ";"));
        w.Line("y[" + c + "] = " + VectorCode.Vec(lanes) + ".Sum(acc) * " + F(1f / plane) + ";");
        w.EndFor();
        w.Close();
    }

    public override string VectorForwardCall(LayerPlan layer, LayerOperands o, int width) =>
        Vectorizes(layer) ? Forward(layer) + Suffix(width) + "(" + o.X + ", " + o.Y + ");" : ForwardCall(layer, o);

    public override void EmitVectorBackward(CodeWriter w, LayerPlan layer, int width)
    {
        if (!Vectorizes(layer))
        {
            return;
        }

        int plane = Plane(layer);
        int lanes = VectorCode.Lanes(plane, width);
        Summary(w, Head(layer) + ", " + Suffix(width) + " backward: per channel, dy[c] / " + I(plane) + " broadcast into " + VectorCode.ElementwisePlan(plane, width, 1) + ".");
        w.Open("private static void " + Backward(layer) + Suffix(width) + "(" + ReadOnlySpan + " dy, " + Span + " dx)");
        w.Line(VectorCode.Ref("dxr", "dx"));
        string c = w.For("c", layer.Input.C);
        w.Line("ref float dxc = ref " + VectorCode.At("dxr", CodeWriter.Sum(0, (c, plane))) + ";");
        w.Line("float g = dy[" + c + "] * " + F(1f / plane) + ";");
        w.Line("var gv = " + VectorCode.Vec(lanes) + ".Create(g);");
        VectorCode.Elementwise(
            w,
            plane,
            width,
            1,
            (l, at, k, _) => w.Line(VectorCode.Store(l, "gv", "dxc", at)),
            at => w.Line(VectorCode.At("dxc", at) + " = g;"));
        w.EndFor();
        w.Close();
    }

    public override string VectorBackwardCall(LayerPlan layer, LayerOperands o, int width) =>
        Vectorizes(layer) ? Backward(layer) + Suffix(width) + "(" + o.Dy + ", " + o.Dx + ");" : BackwardCall(layer, o);
}
