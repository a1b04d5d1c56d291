using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Generators.Diagnostics;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;
using static NetGen.Generators.Layers.Conv2DCostModel;

namespace NetGen.Generators.Layers;

/// <summary>
/// 2-D convolution (cross-correlation, as PyTorch's Conv2d) with square kernels, stride and zero padding.
/// w is [F, C, K, K]; output size is floor((in + 2·pad − K) / stride) + 1.
/// </summary>
/// <remarks>
/// The scalar kernels are the plain loops, kept as the oracle. The vector kernels (stride 1) are register-tiled
/// direct convolutions: each output row is covered by vectors of output columns (the last one overlapping the one
/// before when the row is not a multiple of the vector, so no lane is masked on the way in); a tile of output
/// channels × output rows × column vectors stays in registers while the c and ky loops run and kx is unrolled;
/// bias and ReLU are applied before the store, sigmoid and tanh in one vector pass over the output. Backward
/// forms g = dy ⊙ act′(y) once; db is plane sums of g; dw is either column vectors of g times shifted x rows,
/// summed across lanes at the end (wide rows), or filters in lanes: broadcast x times gᵀ[position][filter],
/// added transposed (narrow rows, many filters), whichever a cost model of the two finds cheaper; dx is the same
/// tiled convolution applied to g zero-padded by K − 1 − padding, with the weights read transposed and flipped
/// in place. Tile shapes come from a small cost model (FMA and load issue slots, FMA latency, registers).
/// Stride ≠ 1 runs the same tiles forward over the input split into its stride × stride phases
/// (Conv2DLayer.PhaseSplit.cs), and the lowered kernels backward (Conv2DLayer.Lowered.cs: the convolution as matrix
/// products over an unrolled input); dx with padding ≥ K, and layers whose scratch would be too large, run the scalar
/// loops (with the activation fused).
/// </remarks>
internal sealed partial class Conv2DLayer : LayerKind
{
    private const string U = Aliases.Unsafe;
    private const string MM = Aliases.MemoryMarshal;

    /// <summary>Floats after each scratch region that vector loads may read (one Vector512).</summary>
    internal const int Slack = 16;

    /// <summary>The widest vector (floats); scratch is planned for it so one plan serves both vector paths.</summary>
    internal const int MaxWidth = 16;

    /// <summary>Above this many floats of scratch the layer runs its scalar kernels instead.</summary>
    internal const long MaxScratch = ShapeInference.MaxFloats / 8;

    /// <summary>Widest kernel whose kx taps are unrolled; wider kernels loop over kx.</summary>
    private const int MaxUnrolledKernel = 7;

    /// <summary>Most unrolled lines of tile code one kernel may hold before kx becomes a loop (IL stays well under 60 KB).</summary>
    private const int MaxUnrolledLines = 1600;

    public override string DisplayName => "Conv2D";

    public override string NamePrefix => "conv";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuConv2DLayer();

    public override bool HasParameters => true;

    public override bool HasVectorKernels => true;

    public override bool CanFuseActivation => true;

    /// <summary>Padded copies, g and the transposed dw (direct kernels) or col and g (lowered ones) are made afresh by every call.</summary>
    public override bool ScratchIsTransient => true;

    /// <summary><c>[Conv2D(filters, kernel, Stride = 1, Padding = 0)]</c>.</summary>
    public override LayerSpec ReadArguments(LayerArguments a)
    {
        return a.Spec(new Conv2DOptions(a.Int(0), a.Int(1), a.NamedInt("Stride") ?? 1, a.NamedInt("Padding") ?? 0, a.NamedBool("Bias") ?? true));
    }

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics)
    {
        Conv2DOptions options = Options<Conv2DOptions>(spec);
        bool ok = RequirePositive(options.Filters, "Filters", name, spec, diagnostics);
        ok &= RequirePositive(options.Kernel, "Kernel", name, spec, diagnostics);
        ok &= RequirePositive(options.Stride, "Stride", name, spec, diagnostics);
        if (options.Padding < 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSize, spec.Location, "Padding", name, "zero or more", options.Padding));
            ok = false;
        }

        if (!ok || !RequireSpatial(input, name, spec, diagnostics))
        {
            return null;
        }

        long h = (long)input.H + (2L * options.Padding), w = (long)input.W + (2L * options.Padding);
        if (options.Kernel > h || options.Kernel > w)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WindowTooLarge, spec.Location, name, options.Kernel, h, w));
            return null;
        }

        return Shape.Spatial(options.Filters, (int)(((h - options.Kernel) / options.Stride) + 1), (int)(((w - options.Kernel) / options.Stride) + 1));
    }

    /// <summary>The weight's fans count each input (output) channel once per kernel tap, as PyTorch's do.</summary>
    public override IEnumerable<TensorSpec> ParameterTensors(LayerSpec spec, Shape input, Shape output)
    {
        Conv2DOptions options = Options<Conv2DOptions>(spec);
        int taps = options.Kernel * options.Kernel;
        yield return new TensorSpec("weight", new[] { output.C, input.C, options.Kernel, options.Kernel }, TensorInit.Weight(fanIn: input.C * taps, fanOut: output.C * taps));
        if (options.Bias)
        {
            yield return new TensorSpec("bias", new[] { output.C }, TensorInit.Zeros);
        }
    }

    /// <summary>The tiles of both vector widths and the scratch layout, decided once for the plan (<see cref="Conv2DTiling"/>).</summary>
    public override LayerOptions Decide(LayerSpec spec, Shape input, Shape output)
    {
        Conv2DOptions options = Options<Conv2DOptions>(spec);
        return options with { Tiling = Conv2DTiling.Of(input, output, options) };
    }

    /// <summary>Whether the layer has a bias (<c>Bias = false</c>: none, as PyTorch's <c>bias=False</c>).</summary>
    private static bool HasBias(LayerPlan layer) => Options<Conv2DOptions>(layer).Bias;

    /// <summary>The bias operand of a forward call and its comma, or nothing without a bias.</summary>
    private static string BiasOperand(LayerPlan layer, string? operand) => HasBias(layer) ? operand + ", " : "";

    /// <summary>The bias gradient operand of a backward call, after a comma, or nothing without a bias.</summary>
    private static string DbOperand(LayerPlan layer, string? operand) => HasBias(layer) ? ", " + operand : "";

    /// <summary>What the plan decided for the layer (<see cref="Decide"/>).</summary>
    private static Conv2DTiling Tiling(LayerPlan layer) => Options<Conv2DOptions>(layer).Tiling!;

    public override int ScratchFloats(LayerSpec spec, Shape input, Shape output)
    {
        Conv2DOptions options = Options<Conv2DOptions>(spec);
        if (options.Stride == 1 || input.IsFlat)
        {
            return Conv2DScratch.Of(input, output, options).Total;
        }

        return StridedScratch(input, output, options);
    }

    /// <summary>Scratch of a strided layer: the lowered kernels' or the phase planes', whichever is larger; 0 past <see cref="MaxScratch"/>.</summary>
    internal static int StridedScratch(Shape input, Shape output, Conv2DOptions options)
    {
        long need = System.Math.Max(LoweredScratch(input, output, options.Kernel), PhaseSplitScratch(input, output, options.Kernel, options.Stride));
        return need <= MaxScratch ? (int)need : 0;
    }

    /// <summary>The zero-padded input: C × (H + 2·padding) × (W + 2·padding).</summary>
    public override long PaddedInputFloats(LayerSpec spec, Shape input)
    {
        long pad = 2L * System.Math.Max(Options<Conv2DOptions>(spec).Padding, 0);
        return input.C * (input.H + pad) * (input.W + pad);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Scalar kernels: the oracle, and (with an activation) what the vector paths run for stride ≠ 1.
    // ---------------------------------------------------------------------------------------------------------

    public override void EmitForward(CodeWriter w, LayerPlan layer) => EmitScalarForward(w, layer, Forward(layer), null);

    public override string ForwardCall(LayerPlan layer, LayerOperands o) =>
        Forward(layer) + "(" + o.X + ", " + o.W + ", " + BiasOperand(layer, o.B) + o.Y + ");";

    public override void EmitBackward(CodeWriter w, LayerPlan layer) => EmitScalarBackward(w, layer, Backward(layer), null);

    public override string BackwardCall(LayerPlan layer, LayerOperands o) =>
        Backward(layer) + "(" + o.X + ", " + o.W + ", " + o.Dy + ", " + o.DW + DbOperand(layer, o.DB) + (layer.NeedsInputGradient ? ", " + o.Dx : "") + ");";

    private void EmitScalarForward(CodeWriter w, LayerPlan layer, string name, Activation? activation)
    {
        Shape i = layer.Input, o = layer.Output;
        Summary(w, Head(layer) + ", kernel " + I(Kernel(layer)) + ", stride " + I(Stride(layer)) + ", padding " + I(Padding(layer))
            + ". x is [" + i + "], w is [" + I(o.C) + ", " + I(i.C) + ", " + I(Kernel(layer)) + ", " + I(Kernel(layer)) + "], y is [" + o + "]"
            + (activation is null ? "." : ", with " + activation.DisplayName + " applied (the scalar loops of the vector paths, which have no kernel for this stride)."));
        w.Open("private static void " + name + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + (HasBias(layer) ? ReadOnlySpan + " b, " : "") + Span + " y)");
        string f = w.For("f", o.C), oy = w.For("oy", o.H), ox = w.For("ox", o.W);
        w.Line(HasBias(layer) ? "float sum = b[" + f + "];" : "float sum = 0f;");
        Window t = OpenWindow(w, layer, f, oy, ox);
        w.Line("sum += w[" + t.Weight + "] * x[" + t.Input + "];");
        CloseWindow(w);
        w.Line("y[" + CodeWriter.RowMajor((f, o.C), (oy, o.H), (ox, o.W)) + "] = " + (activation is null ? "sum" : activation.Scalar("sum")) + ";");
        w.EndFor().EndFor().EndFor();
        w.Close();
    }

    private void EmitScalarBackward(CodeWriter w, LayerPlan layer, string name, Activation? activation)
    {
        Shape o = layer.Output;
        bool dx = layer.NeedsInputGradient;
        Summary(w, Head(layer) + ", backward: dw += dy ⋆ x" + (HasBias(layer) ? ", db += Σ dy" : "") + (dx ? ", dx = full convolution of dy with w" : " (no input gradient: nothing below learns)")
            + (activation is null ? "." : "; dy is the gradient after the fused " + activation.DisplayName + ", whose output is y (the scalar loops of the vector paths, which have no kernel for this stride or padding)."));
        w.Open("private static void " + name + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + ReadOnlySpan + " dy, "
            + (activation is null ? "" : ReadOnlySpan + " y, ") + Span + " dw" + (HasBias(layer) ? ", " + Span + " db" : "") + (dx ? ", " + Span + " dx" : "") + ")");
        if (dx)
        {
            w.Line("dx.Clear();");
        }

        string f = w.For("f", o.C), oy = w.For("oy", o.H), ox = w.For("ox", o.W);
        string at = CodeWriter.RowMajor((f, o.C), (oy, o.H), (ox, o.W));
        w.Line("float g = " + (activation is null ? "dy[" + at + "]" : activation.ScalarDerivative("dy[" + at + "]", "y[" + at + "]")) + ";");
        if (HasBias(layer))
        {
            w.Line("db[" + f + "] += g;");
        }

        Window t = OpenWindow(w, layer, f, oy, ox);
        w.Line("dw[" + t.Weight + "] += g * x[" + t.Input + "];");
        if (dx)
        {
            w.Line("dx[" + t.Input + "] += w[" + t.Weight + "] * g;");
        }

        CloseWindow(w);
        w.EndFor().EndFor().EndFor();
        w.Close();
    }

    /// <summary>The weight and input index expressions of one tap of the window.</summary>
    private readonly record struct Window(string Weight, string Input);

    /// <summary>
    /// Opens the c / ky / kx loops, skipping taps that fall into the zero padding. With padding, the ky and kx
    /// loops stay loops even of one pass: their <c>continue</c> must not skip what follows the window.
    /// </summary>
    private static Window OpenWindow(CodeWriter w, LayerPlan layer, string f, string oy, string ox)
    {
        Shape i = layer.Input;
        int k = Kernel(layer), s = Stride(layer), p = Padding(layer);
        string c = w.For("c", i.C);
        string ky = WindowLoop(w, "ky", k, p);
        w.Line("int iy = " + CodeWriter.Sum(-p, (oy, s), (ky, 1)) + ";");
        if (p > 0)
        {
            w.Open("if ((uint)iy >= " + I(i.H) + "u)");
            w.Line("continue;");
            w.Close();
        }

        string kx = WindowLoop(w, "kx", k, p);
        w.Line("int ix = " + CodeWriter.Sum(-p, (ox, s), (kx, 1)) + ";");
        if (p > 0)
        {
            w.Open("if ((uint)ix >= " + I(i.W) + "u)");
            w.Line("continue;");
            w.Close();
        }

        return new Window(
            CodeWriter.RowMajor((f, layer.Output.C), (c, i.C), (ky, k), (kx, k)),
            CodeWriter.RowMajor((c, i.C), ("iy", i.H), ("ix", i.W)));
    }

    private static string WindowLoop(CodeWriter w, string variable, int count, int padding) =>
        w.For(variable, count, keep: padding > 0);

    private static void CloseWindow(CodeWriter w)
    {
        w.EndFor().EndFor().EndFor();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Vector kernels: which path a layer takes, and the calls.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>Whether the layer has its private scratch as <see cref="Conv2DScratch"/> lays it out.</summary>
    private static bool HasScratch(LayerPlan layer) =>
        layer.ScratchOffset >= 0 && layer.ScratchSize >= Tiling(layer).Scratch.Total && Tiling(layer).Scratch.Total > 0;

    /// <summary>Whether the vector forward kernel is the tiled one (else the scalar loops, with the activation).</summary>
    private static bool TiledForward(LayerPlan layer) => Stride(layer) == 1 && HasScratch(layer);

    /// <summary>
    /// Whether the vector backward kernel is the tiled one. dx as a convolution of dy padded by K − 1 − padding
    /// needs padding ≤ K − 1; larger paddings (and stride ≠ 1) run the scalar loops.
    /// </summary>
    private static bool TiledBackward(LayerPlan layer) => Stride(layer) == 1 && Padding(layer) <= Kernel(layer) - 1 && HasScratch(layer);

    public override string? ScalarFallback(LayerPlan layer, int width)
    {
        string? forward = TiledForward(layer) || PhaseSplit(layer, width) || Lowered(layer, width) ? null : FallbackReason(layer, width);
        string? backward = TiledBackward(layer) || Lowered(layer, width) ? null
            : Stride(layer) == 1 && Padding(layer) > Kernel(layer) - 1 && HasScratch(layer)
                ? "padding " + I(Padding(layer)) + " ≥ kernel " + I(Kernel(layer)) + " in the input gradient"
                : FallbackReason(layer, width);
        return forward is null && backward is null ? null
            : forward == backward ? "forward and backward: " + forward
            : string.Join("; ", new[] { forward is null ? null : "forward: " + forward, backward is null ? null : "backward: " + backward }.Where(r => r is not null));
    }

    /// <summary>Why neither the tiled (stride 1) nor the lowered (other strides) kernel serves the layer.</summary>
    private static string FallbackReason(LayerPlan layer, int width) =>
        Stride(layer) == 1 || layer.ScratchOffset < 0 || layer.ScratchSize < LoweredScratch(layer.Input, layer.Output, Kernel(layer))
            ? "its scratch would pass the limit of " + CodeWriter.Int((int)MaxScratch) + " floats"
            : "output planes of " + I(layer.Output.H * layer.Output.W) + " positions, fewer than the " + I(width) + " lanes of the lowered kernel";

    private static string VectorForwardName(LayerPlan layer, int width) => Forward(layer) + Suffix(width);

    private static string VectorBackwardName(LayerPlan layer, int width) => Backward(layer) + Suffix(width);

    public override string VectorForwardCall(LayerPlan layer, LayerOperands o, int width)
    {
        if (TiledForward(layer) || PhaseSplit(layer, width) || Lowered(layer, width))
        {
            return VectorForwardName(layer, width) + "(" + o.X + ", " + o.W + ", " + BiasOperand(layer, o.B) + o.Y + ", " + o.Scratch + ");";
        }

        return layer.FusedActivation is null ? ForwardCall(layer, o) : VectorForwardName(layer, width) + "(" + o.X + ", " + o.W + ", " + BiasOperand(layer, o.B) + o.Y + ");";
    }

    public override string VectorBackwardCall(LayerPlan layer, LayerOperands o, int width)
    {
        string dx = layer.NeedsInputGradient ? ", " + o.Dx : "";
        if (Lowered(layer, width))
        {
            return VectorBackwardName(layer, width) + "(" + o.X + ", " + o.W + ", " + o.Dy + (layer.FusedActivation is null ? "" : ", " + o.Y)
                + ", " + o.DW + DbOperand(layer, o.DB) + dx + ", " + o.Scratch + ");";
        }

        if (TiledBackward(layer))
        {
            return VectorBackwardName(layer, width) + "(" + o.X + ", " + o.W + ", " + o.Dy + (layer.FusedActivation is null ? "" : ", " + o.Y)
                + ", " + o.DW + DbOperand(layer, o.DB) + dx + ", " + o.Scratch + ");";
        }

        return layer.FusedActivation is null
            ? BackwardCall(layer, o)
            : VectorBackwardName(layer, width) + "(" + o.X + ", " + o.W + ", " + o.Dy + ", " + o.Y + ", " + o.DW + DbOperand(layer, o.DB) + dx + ");";
    }

    // ---------------------------------------------------------------------------------------------------------
    // Vector forward.
    // ---------------------------------------------------------------------------------------------------------

    public override void EmitVectorForward(CodeWriter w, LayerPlan layer, int width)
    {
        if (PhaseSplit(layer, width))
        {
            EmitPhaseSplitForward(w, layer, width);
            return;
        }

        if (Lowered(layer, width))
        {
            EmitLoweredForward(w, layer, width);
            return;
        }

        if (!TiledForward(layer))
        {
            if (layer.FusedActivation is Activation activation)
            {
                EmitScalarForward(w, layer, VectorForwardName(layer, width), activation);
            }
            else
            {
                w.Line("// " + Head(layer) + ": the " + Suffix(width) + " path runs the scalar forward kernel (stride " + I(Stride(layer)) + ").");
            }

            return;
        }

        Shape i = layer.Input, o = layer.Output;
        int k = Kernel(layer), p = Padding(layer);
        bool copy = p > 0 || (layer.IsFirst && o.W < width);
        int hp = i.H + (2 * p), wp = i.W + (2 * p);
        DirectConv conv = ForwardConv(layer, width);
        conv.InPlane = copy ? hp * wp : i.H * i.W;
        conv.InRow = copy ? wp : i.W;
        conv.RowLo = copy ? p : 0;
        conv.RowHi = copy ? p + i.H : i.H;
        ConvTileShape tile = Tiling(layer).For(width).Forward;

        Summary(w, Head(layer) + ", kernel " + I(k) + ", padding " + I(p) + ", on " + (width == 16 ? "Vector512" : "Vector256")
            + (layer.FusedActivation is null ? "" : ", " + layer.FusedActivation.DisplayName + " fused (y is the activation's output)") + ".");
        w.Line("/// <remarks>");
        w.Line("/// Direct convolution, x [" + i + "] " + (copy ? "copied into scratch zero-padded to [" + I(i.C) + "×" + I(hp) + "×" + I(wp) + "]" : "read in place")
            + ", w [" + I(o.C) + ", " + I(i.C) + ", " + I(k) + ", " + I(k) + "], y [" + o + "].");
        w.Line("/// " + DescribeForwardTile(layer, conv, tile, width));
        w.Line("/// </remarks>");
        OpenDirectForward(w, layer, width);
        if (copy)
        {
            EmitPaddedCopy(w, layer);
        }
        else
        {
            w.Line("_ = scratch;");
            w.Line("ref float xr = ref " + MM + ".GetReference(x);");
        }

        CloseDirectForward(w, layer, conv, tile, width);
    }

    /// <summary>Opens a direct-convolution forward kernel: its signature and the refs of w, b and y.</summary>
    private static void OpenDirectForward(CodeWriter w, LayerPlan layer, int width)
    {
        w.Open("private static void " + VectorForwardName(layer, width) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + (HasBias(layer) ? ReadOnlySpan + " b, " : "") + Span + " y, " + Span + " scratch)");
        w.Line("ref float wr = ref " + MM + ".GetReference(w);");
        if (HasBias(layer))
        {
            w.Line("ref float br = ref " + MM + ".GetReference(b);");
        }

        w.Line("ref float yr = ref " + MM + ".GetReference(y);");
    }

    /// <summary>Ends a direct-convolution forward kernel: the tiles, then an activation the tiles could not apply in registers.</summary>
    private static void CloseDirectForward(CodeWriter w, LayerPlan layer, DirectConv conv, ConvTileShape tile, int width)
    {
        if (Flat(layer, width) is { } flat)
        {
            EmitFlatConv(w, conv, flat, width, "y", "yMask");
        }
        else
        {
            EmitDirectConv(w, conv, tile, width, "yMask");
        }

        if (layer.FusedActivation is { } pass && conv.InRegisters is null)
        {
            pass.EmitInPlace(w, "yr", layer.Output.Size, width);
        }

        w.Close();
    }

    /// <summary>The flattened forward of the <paramref name="width"/> path, or null where it runs row by row (or its scratch is not planned).</summary>
    private static FlatRows? Flat(LayerPlan layer, int width)
    {
        FlatRows flat = Tiling(layer).For(width).Flat;
        return flat.IsUsed && layer.ScratchOffset >= 0 && layer.ScratchSize >= flat.TempOffset + flat.TempFloats(layer.Output.C) ? flat : null;
    }

    /// <summary>dx over flattened rows in the <paramref name="width"/> path, or null where it runs row by row (or its scratch is not planned).</summary>
    private static FlatRows? FlatInputGradient(LayerPlan layer, int width)
    {
        FlatRows flat = Tiling(layer).For(width).FlatInputGradient;
        return flat.IsUsed && layer.ScratchOffset >= 0 && layer.ScratchSize >= flat.TempOffset + flat.TempFloats(layer.Input.C) ? flat : null;
    }

    /// <summary><paramref name="conv"/> over flattened rows into the scratch at the flat layout's offset, then each row of it into <paramref name="output"/> (a span of [channels, OH, OW]).</summary>
    private static void EmitFlatConv(CodeWriter w, DirectConv conv, FlatRows flat, int width, string output, string mask)
    {
        w.Line("// " + output + " over flattened rows: position q = oy·" + I(flat.Row) + " + ox, " + I(flat.Positions) + " a channel; the columns between rows are dropped below.");
        w.Line(Span + " yt = scratch.Slice(" + I(flat.TempOffset) + ", " + I(flat.TempFloats(conv.OutChannels)) + ");");
        w.Line("ref float ytr = ref " + MM + ".GetReference(yt);");
        EmitDirectConv(w, FlatConv(conv, flat), flat.Tile, width, mask);
        w.Open("for (int f = 0; f < " + I(conv.OutChannels) + "; f++)");
        w.Open("for (int oy = 0; oy < " + I(conv.OutH) + "; oy++)");
        w.Line("yt.Slice(" + Lin((c: flat.Positions, v: "f"), (c: flat.Row, v: "oy")) + ", " + I(conv.OutW) + ").CopyTo(" + output + ".Slice(" + Lin((c: conv.OutH * conv.OutW, v: "f"), (c: conv.OutW, v: "oy")) + ", " + I(conv.OutW) + "));");
        w.Close();
        w.Close();
    }

    /// <summary><paramref name="conv"/> over one row of flattened positions into <c>ytr</c>: no rows to clip (padding rows are zeros there).</summary>
    private static DirectConv FlatConv(DirectConv conv, FlatRows flat)
    {
        return new DirectConv
        {
            Input = conv.Input,
            InChannels = conv.InChannels,
            InPlane = conv.InPlane,
            InRow = conv.InRow,
            RowLo = 0,
            RowHi = conv.K,
            Weights = conv.Weights,
            WBase = conv.WBase,
            WOut = conv.WOut,
            WIn = conv.WIn,
            WKy = conv.WKy,
            WKx = conv.WKx,
            Bias = conv.Bias,
            Output = "ytr",
            OutChannels = conv.OutChannels,
            OutH = 1,
            OutW = flat.Positions,
            K = conv.K,
            InRegisters = conv.InRegisters,
            Stride = conv.Stride,
            Phases = conv.Phases,
            PhasePlane = conv.PhasePlane,
        };
    }

    /// <summary>The tile description of the forward: the flattened one where it runs so.</summary>
    private static string DescribeForwardTile(LayerPlan layer, DirectConv conv, ConvTileShape tile, int width) =>
        Flat(layer, width) is { } flat
            ? "Over flattened rows of " + I(flat.Row) + " (" + I(flat.Positions) + " positions a filter, in vectors across row ends): " + DescribeConvTile(FlatConv(conv, flat), flat.Tile, width)
            : DescribeConvTile(conv, tile, width);

    /// <summary>The forward's direct convolution of x (at <c>xr</c>) into y: weights, bias, output and activation; the caller places the input (its planes, rows and zero rows).</summary>
    private static DirectConv ForwardConv(LayerPlan layer, int width)
    {
        Shape i = layer.Input, o = layer.Output;
        int k = Kernel(layer);
        return new DirectConv
        {
            Input = "xr",
            InChannels = i.C,
            Weights = "wr",
            WOut = i.C * k * k,
            WIn = k * k,
            WKy = k,
            WKx = 1,
            Bias = HasBias(layer) ? "br" : null,
            Output = "yr",
            OutChannels = o.C,
            OutH = o.H,
            OutW = o.W,
            K = k,
            InRegisters = layer.FusedActivation?.InRegisters(width, "v") is null ? null : layer.FusedActivation,
        };
    }

    /// <summary>Copies x into the scratch's first region, zero-padded on every side, with zeroed slack after it.</summary>
    private static void EmitPaddedCopy(CodeWriter w, LayerPlan layer)
    {
        Shape i = layer.Input;
        int p = Padding(layer), hp = i.H + (2 * p), wp = i.W + (2 * p);
        int size = (i.C * hp * wp) + Slack;
        w.Line("// x, zero-padded by " + I(p) + " on every side: [" + I(i.C) + "×" + I(hp) + "×" + I(wp) + "] and " + I(Slack) + " zero floats of slack.");
        w.Line(Span + " xp = scratch.Slice(0, " + I(size) + ");");
        w.Line("xp.Clear();");
        if (p == 0)
        {
            w.Line("x.CopyTo(xp);");
        }
        else
        {
            string? c = i.C > 1 ? "c" : null;
            if (c is not null)
            {
                w.Open("for (int c = 0; c < " + I(i.C) + "; c++)");
            }

            w.Open("for (int iy = 0; iy < " + I(i.H) + "; iy++)");
            w.Line("x.Slice(" + Lin((c: i.H * i.W, v: c), (c: i.W, v: "iy")) + ", " + I(i.W) + ").CopyTo(xp.Slice(" + Lin(p * (wp + 1), (c: hp * wp, v: c), (c: wp, v: "iy")) + ", " + I(i.W) + "));");
            w.Close();
            if (c is not null)
            {
                w.Close();
            }
        }

        w.Line("ref float xr = ref " + MM + ".GetReference(xp);");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Vector backward.
    // ---------------------------------------------------------------------------------------------------------

    public override void EmitVectorBackward(CodeWriter w, LayerPlan layer, int width)
    {
        if (Lowered(layer, width))
        {
            EmitLoweredBackward(w, layer, width);
            return;
        }

        if (!TiledBackward(layer))
        {
            if (layer.FusedActivation is Activation fused)
            {
                EmitScalarBackward(w, layer, VectorBackwardName(layer, width), fused);
            }
            else
            {
                w.Line("// " + Head(layer) + ": the " + Suffix(width) + " path runs the scalar backward kernel (stride " + I(Stride(layer)) + ", padding " + I(Padding(layer)) + ").");
            }

            return;
        }

        Shape i = layer.Input, o = layer.Output;
        int k = Kernel(layer), p = Padding(layer);
        Conv2DScratch scratch = Tiling(layer).Scratch;
        Conv2DWidthTiling tiles = Tiling(layer).For(width);
        Activation? activation = layer.FusedActivation;
        bool dx = layer.NeedsInputGradient;

        // g: dy itself, dy ⊙ act′(y) packed, or (for dx) either one zero-padded by K − 1 − p.
        int q = k - 1 - p, hg = o.H + (2 * q), wg = o.W + (2 * q);
        bool gInScratch = activation is not null || dx || (o.W < width && layer.Delta.IsLogitsGradient);
        var g = new GradientLayout
        {
            Ref = gInScratch ? "gr" : "dyr",
            Plane = dx ? hg * wg : o.H * o.W,
            Row = dx ? wg : o.W,
            Origin = dx ? (q * wg) + q : 0,
        };
        var weights = new WeightGradient { X = "xr", G = g, Filters = o.C, Channels = i.C, K = k, OutH = o.H, OutW = o.W };
        Tile dwTile = tiles.WeightGradient;
        FilterTile filterTile = tiles.WeightGradientByFilters;
        bool byFilters = tiles.ByFilters;

        // x is copied zero-padded when the layer pads, or when dw's column vectors would read past a row's end.
        bool copy = p > 0 || (o.W < width && !byFilters);
        int hp = i.H + (2 * p), wp = i.W + (2 * p);
        weights.XPlane = copy ? hp * wp : i.H * i.W;
        weights.XRow = copy ? wp : i.W;
        weights.RowLo = copy ? p : 0;
        weights.RowHi = copy ? p + i.H : i.H;
        DirectConv? dxConv = null;
        ConvTileShape dxTile = default;
        if (dx)
        {
            dxConv = new DirectConv
            {
                Input = "gr",
                InChannels = o.C,
                InPlane = hg * wg,
                InRow = wg,
                RowLo = q,
                RowHi = q + o.H,
                Weights = "wr",
                WBase = ((k - 1) * k) + (k - 1),
                WOut = k * k,
                WIn = i.C * k * k,
                WKy = -k,
                WKx = -1,
                Bias = null,
                Output = "dxr",
                OutChannels = i.C,
                OutH = i.H,
                OutW = i.W,
                K = k,
                InRegisters = null,
            };
            dxTile = tiles.InputGradient;
        }

        Summary(w, Head(layer) + ", backward on " + (width == 16 ? "Vector512" : "Vector256")
            + ": dw += g ⋆ x" + (HasBias(layer) ? ", db += Σ g" : "") + (dx ? ", dx = g ⊛ w (full convolution)" : " (no input gradient)")
            + (activation is null ? ", g = dy." : ", g = dy ⊙ " + activation.DisplayName + "′(y) (y is the fused activation's output)."));
        w.Line("/// <remarks>");
        if (gInScratch)
        {
            w.Line("/// g is formed once in scratch" + (dx ? ", zero-padded by " + I(q) + " to [" + I(o.C) + "×" + I(hg) + "×" + I(wg) + "] so that dx is a plain convolution of it" : " as [" + o + "]") + ".");
        }

        w.Line(byFilters
            ? "/// dw: filters in lanes, g transposed to gᵀ[oy·" + I(o.W) + " + ox][" + I(RoundUp(o.C, width)) + "]; " + I(filterTile.KyRows) + " ky × " + I(filterTile.KxCols) + " kx × "
                + I(RoundUp(o.C, width) / width) + " filter-vector accumulators over " + I(filterTile.Positions) + " output columns a step, each x broadcast once per step."
            : "/// dw: " + I(dwTile.Rows) + " filters × " + I(dwTile.Cols) + " kx accumulators of " + I(width) + " output columns each, summed across lanes once per (c, ky).");
        w.Line("/// x " + (copy ? "copied zero-padded to [" + I(i.C) + "×" + I(hp) + "×" + I(wp) + "]" : "read in place") + ".");
        if (dxConv is not null)
        {
            w.Line("/// dx: the forward tile on g with w read as w[f, c, " + I(k - 1) + " − ky, " + I(k - 1) + " − kx]; " + (FlatInputGradient(layer, width) is { } flatDx
                ? "over flattened rows of " + I(flatDx.Row) + " (" + I(flatDx.Positions) + " positions a channel, in vectors across row ends): " + DescribeConvTile(FlatConv(dxConv, flatDx), flatDx.Tile, width)
                : DescribeConvTile(dxConv, dxTile, width)));
        }

        w.Line("/// </remarks>");
        w.Open("private static void " + VectorBackwardName(layer, width) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + ReadOnlySpan + " dy, "
            + (activation is null ? "" : ReadOnlySpan + " y, ") + Span + " dw" + (HasBias(layer) ? ", " + Span + " db" : "") + (dx ? ", " + Span + " dx" : "") + ", " + Span + " scratch)");
        w.Line("ref float dwr = ref " + MM + ".GetReference(dw);");
        if (HasBias(layer))
        {
            w.Line("ref float dbr = ref " + MM + ".GetReference(db);");
        }

        w.Line("ref float dyr = ref " + MM + ".GetReference(dy);");
        if (dx)
        {
            w.Line("ref float wr = ref " + MM + ".GetReference(w);");
            w.Line("ref float dxr = ref " + MM + ".GetReference(dx);");
        }
        else
        {
            w.Line("_ = w;");
        }

        if (copy)
        {
            EmitPaddedCopy(w, layer);
        }
        else
        {
            w.Line("ref float xr = ref " + MM + ".GetReference(x);");
        }

        if (gInScratch)
        {
            EmitGradientFormation(w, layer, g, scratch, width);
        }
        else if (!copy && !byFilters)
        {
            w.Line("_ = scratch;");
        }

        if (HasBias(layer))
        {
            EmitBiasGradient(w, g, o.C, dx ? hg * wg : o.H * o.W, width);
        }

        if (byFilters)
        {
            EmitWeightGradientByFilters(w, weights, filterTile, scratch, width);
        }
        else
        {
            EmitWeightGradient(w, weights, dwTile, width);
        }

        if (dxConv is not null)
        {
            w.Line("// dx[c, iy, ix] = Σ f, ky, kx g[f, iy + ky − " + I(q) + ", ix + kx − " + I(q) + "] · w[f, c, " + I(k - 1) + " − ky, " + I(k - 1) + " − kx]: the forward tile on padded g.");
            if (FlatInputGradient(layer, width) is { } flatDx)
            {
                EmitFlatConv(w, dxConv, flatDx, width, "dx", "dxMask");
            }
            else
            {
                EmitDirectConv(w, dxConv, dxTile, width, "dxMask");
            }
        }

        w.Close();
    }

    /// <summary>Where g lives: a ref local, its plane and row strides, and the offset of g[0, 0, 0].</summary>
    private sealed class GradientLayout
    {
        public string Ref { get; set; } = "";

        public int Plane { get; set; }

        public int Row { get; set; }

        public int Origin { get; set; }
    }

    /// <summary>Writes g = dy ⊙ act′(y) (or a copy of dy) into the scratch's gradient region in <paramref name="g"/>'s layout.</summary>
    private static void EmitGradientFormation(CodeWriter w, LayerPlan layer, GradientLayout g, Conv2DScratch scratch, int width)
    {
        Shape o = layer.Output;
        string v = Vector(width), vf = VectorOfFloat(width);
        Activation? activation = layer.FusedActivation;
        bool padded = g.Row != o.W;
        int size = (o.C * g.Plane) + Slack;
        w.Line("// g = " + (activation is null ? "dy" : "dy ⊙ " + activation.DisplayName + "′(y)") + (padded ? ", zero-padded to [" + I(o.C) + "×" + I(g.Plane / g.Row) + "×" + I(g.Row) + "]" : "") + ".");
        w.Line(Span + " gs = scratch.Slice(" + I(scratch.GradientOffset) + ", " + I(size) + ");");
        if (padded)
        {
            w.Line("gs.Clear();");
        }

        w.Line("ref float gr = ref " + MM + ".GetReference(gs);");
        if (activation is not null)
        {
            w.Line("ref float ysr = ref " + MM + ".GetReference(y);");
        }

        // The vector of g from dv (dy) and yv (y), loaded at the same offset.
        string VectorValue() => activation is null ? "dv" : activation.VectorDerivative(width, "dv", "yv");
        void LoadOperands(string at)
        {
            w.Line("var dv = " + v + ".LoadUnsafe(ref dyr, " + at + ");");
            if (activation is not null)
            {
                w.Line("var yv = " + v + ".LoadUnsafe(ref ysr, " + at + ");");
            }
        }

        string ScalarValue(string at) => activation is null
            ? U + ".Add(ref dyr, " + at + ")"
            : activation.ScalarDerivative(U + ".Add(ref dyr, " + at + ")", U + ".Add(ref ysr, " + at + ")");

        // One row of n floats from source offset src to destination offset dst (expressions); vectors, the last one
        // overlapping (same values written twice), or scalars when the row is shorter than a vector.
        void Row(int n, string src, string dst)
        {
            void Vec(string offset)
            {
                LoadOperands("(nuint)(" + Plus(src, offset) + ")");
                w.Line(v + ".StoreUnsafe(" + VectorValue() + ", ref gr, (nuint)(" + Plus(dst, offset) + "));");
            }

            if (n < width)
            {
                if (padded)
                {
                    // One vector under a mask, so the padding columns keep their zeros; near the end of dy (which
                    // may be the caller's span) the row is done in scalars instead.
                    w.Open("if (" + src + " <= " + I(o.Size - width) + ")");
                    LoadOperands("(nuint)" + src);
                    string to = "(nuint)" + dst;
                    w.Line(v + ".StoreUnsafe(" + v + ".ConditionalSelect(gMask, " + VectorValue() + ", " + v + ".LoadUnsafe(ref gr, " + to + ")), ref gr, " + to + ");");
                    w.Close();
                    w.Open("else");
                }

                w.Open("for (int i = 0; i < " + I(n) + "; i++)");
                w.Line(U + ".Add(ref gr, " + Plus(dst, "i") + ") = " + ScalarValue(Plus(src, "i")) + ";");
                w.Close();
                if (padded)
                {
                    w.Close();
                }

                return;
            }

            int full = n / width * width;
            if (full > width)
            {
                w.Open("for (int i = 0; i < " + I(full) + "; i += " + I(width) + ")");
                Vec("i");
            }
            else
            {
                w.Open("// columns 0 … " + I(width - 1));
                Vec("0");
            }

            w.Close();
            if (full < n)
            {
                w.Open("// the last vector overlaps the one before: the same values again");
                Vec(I(n - width));
                w.Close();
            }
        }

        if (!padded)
        {
            Row(o.Size, "0", "0");
            return;
        }

        if (o.W < width)
        {
            w.Line("var gMask = " + MaskVector(width, lane => lane < o.W) + "; // the " + I(o.W) + " columns of a row");
        }

        w.Open("for (int f = 0; f < " + I(o.C) + "; f++)");
        w.Open("for (int oy = 0; oy < " + I(o.H) + "; oy++)");
        w.Line("int src = " + Lin((c: o.H * o.W, v: "f"), (c: o.W, v: "oy")) + ";");
        w.Line("int dst = " + Lin(g.Origin, (c: g.Plane, v: "f"), (c: g.Row, v: "oy")) + ";");
        Row(o.W, "src", "dst");
        w.Close();
        w.Close();
    }

    /// <summary>db[f] += Σ of g's plane f (padding zeros included: they add nothing).</summary>
    private static void EmitBiasGradient(CodeWriter w, GradientLayout g, int filters, int plane, int width)
    {
        string v = Vector(width), vf = VectorOfFloat(width);
        int full = plane / width * width;
        w.Line("// db[f] += Σ g[f].");
        w.Open("for (int f = 0; f < " + I(filters) + "; f++)");
        w.Line("ref float gp = ref " + U + ".Add(ref " + g.Ref + ", f * " + I(g.Plane) + ");");
        w.Line("var acc = " + vf + ".Zero;");
        if (full > 0)
        {
            w.Open("for (int i = 0; i < " + I(full) + "; i += " + I(width) + ")");
            w.Line("acc += " + v + ".LoadUnsafe(ref gp, (nuint)i);");
            w.Close();
        }

        w.Line("float sum = " + v + ".Sum(acc);");
        if (full < plane)
        {
            w.Open("for (int i = " + I(full) + "; i < " + I(plane) + "; i++)");
            w.Line("sum += " + U + ".Add(ref gp, i);");
            w.Close();
        }

        w.Line(U + ".Add(ref dbr, f) += sum;");
        w.Close();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Scratch and small helpers.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>A vector of all-ones lanes where <paramref name="keep"/> holds, zero elsewhere, as floats.</summary>
    private static string MaskVector(int width, Func<int, bool> keep) =>
        Vector(width) + ".AsSingle(" + Vector(width) + ".Create(" + string.Join(", ", Enumerable.Range(0, width).Select(l => keep(l) ? "-1" : "0")) + "))";

    /// <summary><c>Unsafe.Add(ref r, index)</c>, or just <c>r</c> for index 0.</summary>
    private static string Ref(string r, string index) => index == "0" ? r : U + ".Add(ref " + r + ", " + index + ")";

    /// <summary>The sum of two index expressions, leaving out a literal 0.</summary>
    private static string Plus(string a, string b) => a == "0" ? b : b == "0" ? a : a + " + " + b;

    /// <summary>A load/store element offset: <c>(nuint)(var + c)</c>, or <c>(nuint)c</c>.</summary>
    private static string Offset(int constant, string? variable) =>
        variable is null ? "(nuint)" + I(constant) : constant == 0 ? "(nuint)" + variable : "(nuint)(" + variable + " + " + I(constant) + ")";

    /// <summary>A linear index: Σ coefficient · variable + constant, skipping absent variables and zero coefficients.</summary>
    private static string Lin(int constant, params (int c, string? v)[] terms)
    {
        var parts = new List<string>();
        foreach ((int c, string? v) in terms)
        {
            if (v is null || c == 0)
            {
                continue;
            }

            parts.Add(c == 1 ? v : c == -1 ? "-" + v : "(" + v + " * " + I(c) + ")");
        }

        if (constant != 0 || parts.Count == 0)
        {
            parts.Add(I(constant));
        }

        if (parts.Count == 1 && parts[0].StartsWith("(", StringComparison.Ordinal))
        {
            return parts[0].Substring(1, parts[0].Length - 2);
        }

        return string.Join(" + ", parts);
    }

    private static string Lin(params (int c, string? v)[] terms) => Lin(0, terms);

    /// <summary>The kernel's side.</summary>
    private static int Kernel(LayerPlan layer) => Options<Conv2DOptions>(layer).Kernel;

    /// <summary>The step between windows.</summary>
    private static int Stride(LayerPlan layer) => Options<Conv2DOptions>(layer).Stride;

    /// <summary>Zeros added on each side.</summary>
    private static int Padding(LayerPlan layer) => Options<Conv2DOptions>(layer).Padding;
}

/// <summary>Conv2D's options: <c>[Conv2D(filters, kernel, Stride = 1, Padding = 0)]</c>, square kernels.</summary>
/// <param name="Filters">Output channels.</param>
/// <param name="Kernel">The kernel's side.</param>
/// <param name="Stride">The step between windows.</param>
/// <param name="Padding">Zeros added on each side of the input.</param>
internal sealed record Conv2DOptions(int Filters, int Kernel, int Stride, int Padding, bool Bias) : LayerOptions
{
    /// <summary>The tiles and scratch layout, set by the plan (<see cref="Conv2DLayer.Decide"/>); null as read from the attribute.</summary>
    public Conv2DTiling? Tiling { get; init; }
}
