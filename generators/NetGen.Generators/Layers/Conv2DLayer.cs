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
/// Stride ≠ 1, and dx with padding ≥ K, run the scalar loops (with the activation fused).
/// </remarks>
internal sealed class Conv2DLayer : LayerKind
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

    /// <summary><c>[Conv2D(filters, kernel, Stride = 1, Padding = 0)]</c>.</summary>
    public override LayerSpec ReadArguments(LayerArguments a)
    {
        return a.Spec(new Conv2DOptions(a.Int(0), a.Int(1), a.NamedInt("Stride") ?? 1, a.NamedInt("Padding") ?? 0));
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
        yield return new TensorSpec("bias", new[] { output.C }, TensorInit.Zeros);
    }

    /// <summary>The tiles of both vector widths and the scratch layout, decided once for the plan (<see cref="Conv2DTiling"/>).</summary>
    public override LayerOptions Decide(LayerSpec spec, Shape input, Shape output)
    {
        Conv2DOptions options = Options<Conv2DOptions>(spec);
        return options with { Tiling = Conv2DTiling.Of(input, output, options) };
    }

    /// <summary>What the plan decided for the layer (<see cref="Decide"/>).</summary>
    private static Conv2DTiling Tiling(LayerPlan layer) => Options<Conv2DOptions>(layer).Tiling!;

    public override int ScratchFloats(LayerSpec spec, Shape input, Shape output) =>
        Conv2DScratch.Of(input, output, Options<Conv2DOptions>(spec)).Total;

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
        Forward(layer) + "(" + o.X + ", " + o.W + ", " + o.B + ", " + o.Y + ");";

    public override void EmitBackward(CodeWriter w, LayerPlan layer) => EmitScalarBackward(w, layer, Backward(layer), null);

    public override string BackwardCall(LayerPlan layer, LayerOperands o) =>
        Backward(layer) + "(" + o.X + ", " + o.W + ", " + o.Dy + ", " + o.DW + ", " + o.DB + (layer.NeedsInputGradient ? ", " + o.Dx : "") + ");";

    private void EmitScalarForward(CodeWriter w, LayerPlan layer, string name, Activation? activation)
    {
        Shape i = layer.Input, o = layer.Output;
        Summary(w, Head(layer) + ", kernel " + I(Kernel(layer)) + ", stride " + I(Stride(layer)) + ", padding " + I(Padding(layer))
            + ". x is [" + i + "], w is [" + I(o.C) + ", " + I(i.C) + ", " + I(Kernel(layer)) + ", " + I(Kernel(layer)) + "], y is [" + o + "]"
            + (activation is null ? "." : ", with " + activation.DisplayName + " applied (the scalar loops of the vector paths, which have no kernel for this stride)."));
        w.Open("private static void " + name + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + ReadOnlySpan + " b, " + Span + " y)");
        string f = w.For("f", o.C), oy = w.For("oy", o.H), ox = w.For("ox", o.W);
        w.Line("float sum = b[" + f + "];");
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
        Summary(w, Head(layer) + ", backward: dw += dy ⋆ x, db += Σ dy" + (dx ? ", dx = full convolution of dy with w" : " (no input gradient: nothing below learns)")
            + (activation is null ? "." : "; dy is the gradient after the fused " + activation.DisplayName + ", whose output is y (the scalar loops of the vector paths, which have no kernel for this stride or padding)."));
        w.Open("private static void " + name + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + ReadOnlySpan + " dy, "
            + (activation is null ? "" : ReadOnlySpan + " y, ") + Span + " dw, " + Span + " db" + (dx ? ", " + Span + " dx" : "") + ")");
        if (dx)
        {
            w.Line("dx.Clear();");
        }

        string f = w.For("f", o.C), oy = w.For("oy", o.H), ox = w.For("ox", o.W);
        string at = CodeWriter.RowMajor((f, o.C), (oy, o.H), (ox, o.W));
        w.Line("float g = " + (activation is null ? "dy[" + at + "]" : activation.ScalarDerivative("dy[" + at + "]", "y[" + at + "]")) + ";");
        w.Line("db[" + f + "] += g;");
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

    private static string VectorForwardName(LayerPlan layer, int width) => Forward(layer) + Suffix(width);

    private static string VectorBackwardName(LayerPlan layer, int width) => Backward(layer) + Suffix(width);

    public override string VectorForwardCall(LayerPlan layer, LayerOperands o, int width)
    {
        if (TiledForward(layer))
        {
            return VectorForwardName(layer, width) + "(" + o.X + ", " + o.W + ", " + o.B + ", " + o.Y + ", " + o.Scratch + ");";
        }

        return layer.FusedActivation is null ? ForwardCall(layer, o) : VectorForwardName(layer, width) + "(" + o.X + ", " + o.W + ", " + o.B + ", " + o.Y + ");";
    }

    public override string VectorBackwardCall(LayerPlan layer, LayerOperands o, int width)
    {
        string dx = layer.NeedsInputGradient ? ", " + o.Dx : "";
        if (TiledBackward(layer))
        {
            return VectorBackwardName(layer, width) + "(" + o.X + ", " + o.W + ", " + o.Dy + (layer.FusedActivation is null ? "" : ", " + o.Y)
                + ", " + o.DW + ", " + o.DB + dx + ", " + o.Scratch + ");";
        }

        return layer.FusedActivation is null
            ? BackwardCall(layer, o)
            : VectorBackwardName(layer, width) + "(" + o.X + ", " + o.W + ", " + o.Dy + ", " + o.Y + ", " + o.DW + ", " + o.DB + dx + ");";
    }

    // ---------------------------------------------------------------------------------------------------------
    // Vector forward.
    // ---------------------------------------------------------------------------------------------------------

    public override void EmitVectorForward(CodeWriter w, LayerPlan layer, int width)
    {
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
        var conv = new DirectConv
        {
            Input = "xr",
            InChannels = i.C,
            InPlane = copy ? hp * wp : i.H * i.W,
            InRow = copy ? wp : i.W,
            RowLo = copy ? p : 0,
            RowHi = copy ? p + i.H : i.H,
            Weights = "wr",
            WOut = i.C * k * k,
            WIn = k * k,
            WKy = k,
            WKx = 1,
            Bias = "br",
            Output = "yr",
            OutChannels = o.C,
            OutH = o.H,
            OutW = o.W,
            K = k,
            InRegisters = layer.FusedActivation?.InRegisters(width, "v") is null ? null : layer.FusedActivation,
        };
        ConvTileShape tile = Tiling(layer).For(width).Forward;

        Summary(w, Head(layer) + ", kernel " + I(k) + ", padding " + I(p) + ", on " + (width == 16 ? "Vector512" : "Vector256")
            + (layer.FusedActivation is null ? "" : ", " + layer.FusedActivation.DisplayName + " fused (y is the activation's output)") + ".");
        w.Line("/// <remarks>");
        w.Line("/// Direct convolution, x [" + i + "] " + (copy ? "copied into scratch zero-padded to [" + I(i.C) + "×" + I(hp) + "×" + I(wp) + "]" : "read in place")
            + ", w [" + I(o.C) + ", " + I(i.C) + ", " + I(k) + ", " + I(k) + "], y [" + o + "].");
        w.Line("/// " + DescribeConvTile(conv, tile, width));
        w.Line("/// </remarks>");
        w.Open("private static void " + VectorForwardName(layer, width) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + ReadOnlySpan + " b, " + Span + " y, " + Span + " scratch)");
        w.Line("ref float wr = ref " + MM + ".GetReference(w);");
        w.Line("ref float br = ref " + MM + ".GetReference(b);");
        w.Line("ref float yr = ref " + MM + ".GetReference(y);");
        if (copy)
        {
            EmitPaddedCopy(w, layer);
        }
        else
        {
            w.Line("_ = scratch;");
            w.Line("ref float xr = ref " + MM + ".GetReference(x);");
        }

        EmitDirectConv(w, conv, tile, width, "yMask");
        if (layer.FusedActivation is { } pass && conv.InRegisters is null)
        {
            pass.EmitInPlace(w, "yr", o.Size, width);
        }

        w.Close();
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
            + ": dw += g ⋆ x, db += Σ g" + (dx ? ", dx = g ⊛ w (full convolution)" : " (no input gradient)")
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
            w.Line("/// dx: the forward tile on g with w read as w[f, c, " + I(k - 1) + " − ky, " + I(k - 1) + " − kx]; " + DescribeConvTile(dxConv, dxTile, width));
        }

        w.Line("/// </remarks>");
        w.Open("private static void " + VectorBackwardName(layer, width) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + ReadOnlySpan + " dy, "
            + (activation is null ? "" : ReadOnlySpan + " y, ") + Span + " dw, " + Span + " db" + (dx ? ", " + Span + " dx" : "") + ", " + Span + " scratch)");
        w.Line("ref float dwr = ref " + MM + ".GetReference(dw);");
        w.Line("ref float dbr = ref " + MM + ".GetReference(db);");
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

        EmitBiasGradient(w, g, o.C, dx ? hg * wg : o.H * o.W, width);
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
            EmitDirectConv(w, dxConv, dxTile, width, "dxMask");
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
    // The register-tiled direct convolution (forward, and dx as a convolution of padded g).
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>
    /// One stride-1 convolution as the vector kernels run it: out[o, oy, ox] = bias[o] + Σ i, ky, kx
    /// w(o, i, ky, kx) · in[i, oy + ky, ox + kx], with the input already padded.
    /// </summary>
    private sealed class DirectConv
    {
        /// <summary>Ref local at in[0, 0, 0].</summary>
        public string Input { get; set; } = "";

        public int InChannels { get; set; }

        public int InPlane { get; set; }

        public int InRow { get; set; }

        /// <summary>Input rows outside [RowLo, RowHi) are zero: their taps are skipped.</summary>
        public int RowLo { get; set; }

        public int RowHi { get; set; }

        /// <summary>Ref local of the weights; w(o, i, ky, kx) is at WBase + o·WOut + i·WIn + ky·WKy + kx·WKx.</summary>
        public string Weights { get; set; } = "";

        public int WBase { get; set; }

        public int WOut { get; set; }

        public int WIn { get; set; }

        public int WKy { get; set; }

        public int WKx { get; set; }

        /// <summary>Ref local of the bias, or null for none.</summary>
        public string? Bias { get; set; }

        /// <summary>Ref local of the output, [OutChannels, OutH, OutW] contiguous, in a workspace slot (slack after it).</summary>
        public string Output { get; set; } = "";

        public int OutChannels { get; set; }

        public int OutH { get; set; }

        public int OutW { get; set; }

        public int K { get; set; }

        /// <summary>The fused activation applied to each value in registers before the store (<see cref="ActivationLayer.InRegisters"/>), or null.</summary>
        public Activation? InRegisters { get; set; }
    }

    private static string DescribeConvTile(DirectConv cv, ConvTileShape tile, int width)
    {
        int[] blocks = Blocks(cv.OutW, width);
        return "Register tile: " + I(tile.Filters) + " output channels × " + I(tile.Rows) + " output row" + (tile.Rows > 1 ? "s" : "") + " × " + I(tile.Cols) + " vector"
            + (tile.Cols > 1 ? "s" : "") + " of " + I(width) + " columns"
            + (cv.OutH % tile.Rows != 0 ? " (the last row group overlaps the one before)" : "") + "; each row of " + I(cv.OutW) + " columns is "
            + (cv.OutW < width ? "one vector, stored under a mask"
                : I(blocks.Length) + " vector" + (blocks.Length > 1 ? "s" : "") + " at " + string.Join(", ", blocks.Select(I))
                + (cv.OutW % width != 0 ? " (the last overlaps the one before)" : ""))
            + "; loops over c and ky, kx " + (UnrollKx(cv, tile, width) ? "unrolled" : "a loop")
            + (cv.Bias is null ? "." : ", bias" + (cv.InRegisters is null ? "" : " and " + cv.InRegisters.DisplayName) + " applied in registers.");
    }

    /// <summary>Whether the tile code unrolls kx: kernels up to 7 wide, while the code stays short.</summary>
    private static bool UnrollKx(DirectConv cv, ConvTileShape tile, int width)
    {
        int regular = RegularBlocks(cv.OutW, width), groups = regular / tile.Cols;
        bool tail = Blocks(cv.OutW, width).Length > groups * tile.Cols;
        int fVariants = (cv.OutChannels >= tile.Filters ? 1 : 0) + (cv.OutChannels % tile.Filters > 0 ? 1 : 0);
        int cVariants = (groups > 0 ? 1 : 0) + (tail ? 1 : 0);
        int vectors = tile.Rows * tile.Cols;
        int linesPerKx = vectors + (tile.Filters * (vectors == 1 ? 1 : 1 + vectors));
        return cv.K <= MaxUnrolledKernel && fVariants * cVariants * cv.K * linesPerKx <= MaxUnrolledLines;
    }

    /// <summary>Writes the loops of <paramref name="cv"/> with the register tile <paramref name="tile"/>.</summary>
    private static void EmitDirectConv(CodeWriter w, DirectConv cv, ConvTileShape tile, int width, string mask)
    {
        int[] blocks = Blocks(cv.OutW, width);
        bool partial = cv.OutW < width;
        int fr = tile.Filters, rr = tile.Rows, vn = tile.Cols;
        int regular = RegularBlocks(cv.OutW, width);
        int groups = regular / vn;
        int[] tail = blocks.Skip(groups * vn).ToArray();
        int fullF = cv.OutChannels / fr * fr, remF = cv.OutChannels - fullF;
        int rowGroups = (cv.OutH + rr - 1) / rr;
        bool clipLo = cv.RowLo > 0, clipHi = cv.RowHi < cv.OutH - 1 + cv.K;
        bool unrollKx = UnrollKx(cv, tile, width);

        if (partial)
        {
            w.Line("var " + mask + " = " + MaskVector(width, lane => lane < cv.OutW) + "; // the " + I(cv.OutW) + " output columns of a row");
        }

        if (rr == 1)
        {
            w.Open("for (int oy = 0; oy < " + I(cv.OutH) + "; oy++)");
        }
        else
        {
            w.Open("for (int rg = 0; rg < " + I(rowGroups) + "; rg++)");
            w.Line("int oy = " + (cv.OutH % rr == 0 ? "rg * " + I(rr) : "global::System.Math.Min(rg * " + I(rr) + ", " + I(cv.OutH - rr) + ")") + "; // rows oy … oy + " + I(rr - 1));
        }

        // Taps whose input rows are padding for every row of the group are skipped.
        if (clipLo)
        {
            w.Line("int kyLo = global::System.Math.Max(" + I(cv.RowLo - rr + 1) + " - oy, 0); // input rows above " + I(cv.RowLo) + " are padding");
        }

        if (clipHi)
        {
            w.Line("int kyHi = global::System.Math.Min(" + I(cv.RowHi) + " - oy, " + I(cv.K) + "); // input rows from " + I(cv.RowHi) + " on are padding");
        }

        void Columns(int filters, string? fVar, int fConst)
        {
            if (groups > 0)
            {
                bool loop = groups > 1;
                if (loop)
                {
                    w.Open("for (int ox0 = 0; ox0 < " + I(groups * vn * width) + "; ox0 += " + I(vn * width) + ")");
                }

                ConvTile(w, cv, width, filters, rr, fVar, fConst, loop ? "ox0" : null, 0, Enumerable.Range(0, vn).Select(j => j * width).ToArray(), null, unrollKx, clipLo, clipHi);
                if (loop)
                {
                    w.Close();
                }
            }

            if (tail.Length > 0)
            {
                ConvTile(w, cv, width, filters, rr, fVar, fConst, null, tail[0], tail.Select(t => t - tail[0]).ToArray(), partial ? mask : null, unrollKx, clipLo, clipHi);
            }
        }

        if (fullF > 0)
        {
            if (fullF > fr)
            {
                w.Open("for (int f0 = 0; f0 < " + I(fullF) + "; f0 += " + I(fr) + ")");
                Columns(fr, "f0", 0);
                w.Close();
            }
            else
            {
                Columns(fr, null, 0);
            }
        }

        if (remF > 0)
        {
            Columns(remF, null, fullF);
        }

        w.Close();
    }

    /// <summary>
    /// One register tile: output channels f … f + filters − 1 (f = fVar + fConst) × rows oy … oy + rows − 1 ×
    /// vectors at columns ox + offsets[j] (ox = oxVar + oxConst). Accumulator a{filter}_{row · Cols + vector}.
    /// </summary>
    private static void ConvTile(CodeWriter w, DirectConv cv, int width, int filters, int rows, string? fVar, int fConst, string? oxVar, int oxConst, int[] offsets, string? mask, bool unrollKx, bool clipLo, bool clipHi)
    {
        string v = Vector(width), vf = VectorOfFloat(width);
        int vn = offsets.Length, vectors = rows * vn;
        int plane = cv.OutH * cv.OutW;
        string fName = fVar is null ? I(fConst) : fConst == 0 ? fVar : fVar + " + " + I(fConst);
        string oxName = oxVar is null ? I(oxConst) : oxConst == 0 ? oxVar : oxVar + " + " + I(oxConst);
        w.Open("// channels " + fName + (filters > 1 ? " … +" + I(filters - 1) : "") + (rows > 1 ? " × rows oy … +" + I(rows - 1) : "")
            + " × columns " + oxName + " … +" + I(offsets[vn - 1] + width - 1) + ": " + I(filters * vectors) + " accumulators");
        w.Line("ref float xo = ref " + Ref(cv.Input, Lin(oxConst, (c: cv.InRow, v: "oy"), (c: 1, v: oxVar))) + ";");
        w.Line("ref float wf = ref " + Ref(cv.Weights, Lin(cv.WBase + (fConst * cv.WOut), (c: cv.WOut, v: fVar))) + ";");
        for (int r = 0; r < filters; r++)
        {
            w.Line("var a" + I(r) + "_0 = " + (cv.Bias is null ? vf + ".Zero" : v + ".Create(" + U + ".Add(ref " + cv.Bias + ", " + Lin(fConst + r, (c: 1, v: fVar)) + "))") + ";");
            for (int n = 1; n < vectors; n++)
            {
                w.Line("var a" + I(r) + "_" + I(n) + " = a" + I(r) + "_0;");
            }
        }

        string xc = "xo", wc = "wf";
        if (cv.InChannels > 1)
        {
            w.Open("for (int c = 0; c < " + I(cv.InChannels) + "; c++)");
            w.Line("ref float xc = ref " + U + ".Add(ref xo, c * " + I(cv.InPlane) + ");");
            w.Line("ref float wc = ref " + U + ".Add(ref wf, c * " + I(cv.WIn) + ");");
            xc = "xc";
            wc = "wc";
        }

        string xk = xc, wk = wc;
        bool kyLoop = cv.K > 1 || clipLo || clipHi;
        if (kyLoop)
        {
            w.Open("for (int ky = " + (clipLo ? "kyLo" : "0") + "; ky < " + (clipHi ? "kyHi" : I(cv.K)) + "; ky++)");
            w.Line("ref float xk = ref " + U + ".Add(ref " + xc + ", ky * " + I(cv.InRow) + ");");
            w.Line("ref float wk = ref " + U + ".Add(ref " + wc + ", ky * " + I(cv.WKy) + ");");
            xk = "xk";
            wk = "wk";
        }

        // One kx tap: with no more vectors than filters the input vectors are loaded first and each weight is
        // broadcast once and used right away; otherwise the weights are broadcast first and each input vector
        // is loaded and used right away (whichever keeps fewer operands in registers).
        void Tap(string? kx, int kxConst, bool first)
        {
            string decl = first ? "var " : "";
            string Load(int n) => v + ".LoadUnsafe(ref " + xk + ", " + Offset(((n / vn) * cv.InRow) + offsets[n % vn] + kxConst, kx) + ")";
            string Weight(int r) => v + ".Create(" + U + ".Add(ref " + wk + ", " + Lin((r * cv.WOut) + (kxConst * cv.WKx), (c: cv.WKx, v: kx)) + "))";
            string Fma(int r, int n, string x, string wv) => "a" + I(r) + "_" + I(n) + " = " + v + ".FusedMultiplyAdd(" + x + ", " + wv + ", a" + I(r) + "_" + I(n) + ");";
            if (vectors == 1)
            {
                w.Line(decl + "x0 = " + Load(0) + ";");
                for (int r = 0; r < filters; r++)
                {
                    w.Line(Fma(r, 0, "x0", Weight(r)));
                }
            }
            else if (vectors <= filters)
            {
                for (int n = 0; n < vectors; n++)
                {
                    w.Line(decl + "x" + I(n) + " = " + Load(n) + ";");
                }

                for (int r = 0; r < filters; r++)
                {
                    w.Line((first && r == 0 ? "var " : "") + "wv = " + Weight(r) + ";");
                    for (int n = 0; n < vectors; n++)
                    {
                        w.Line(Fma(r, n, "x" + I(n), "wv"));
                    }
                }
            }
            else
            {
                for (int r = 0; r < filters; r++)
                {
                    w.Line(decl + "w" + I(r) + " = " + Weight(r) + ";");
                }

                for (int n = 0; n < vectors; n++)
                {
                    w.Line((first && n == 0 ? "var " : "") + "xv = " + Load(n) + ";");
                    for (int r = 0; r < filters; r++)
                    {
                        w.Line(Fma(r, n, "xv", "w" + I(r)));
                    }
                }
            }
        }

        if (unrollKx)
        {
            for (int kx = 0; kx < cv.K; kx++)
            {
                Tap(null, kx, kx == 0);
            }
        }
        else
        {
            w.Open("for (int kx = 0; kx < " + I(cv.K) + "; kx++)");
            Tap("kx", 0, true);
            w.Close();
        }

        if (kyLoop)
        {
            w.Close();
        }

        if (cv.InChannels > 1)
        {
            w.Close();
        }

        w.Line("ref float yo = ref " + Ref(cv.Output, Lin((fConst * plane) + oxConst, (c: plane, v: fVar), (c: cv.OutW, v: "oy"), (c: 1, v: oxVar))) + ";");
        for (int r = 0; r < filters; r++)
        {
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < vn; j++)
                {
                    string a = "a" + I(r) + "_" + I((i * vn) + j);
                    string value = cv.InRegisters?.InRegisters(width, a) ?? a;
                    string at = Offset((r * plane) + (i * cv.OutW) + offsets[j], null);
                    w.Line(mask is null
                        ? v + ".StoreUnsafe(" + value + ", ref yo, " + at + ");"
                        : v + ".StoreUnsafe(" + v + ".ConditionalSelect(" + mask + ", " + value + ", " + v + ".LoadUnsafe(ref yo, " + at + ")), ref yo, " + at + ");");
                }
            }
        }

        w.Close();
    }

    // ---------------------------------------------------------------------------------------------------------
    // The register-tiled weight gradient.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>dw[f, c, ky, kx] += Σ oy, ox g[f, oy, ox] · x[c, oy + ky, ox + kx], x already padded.</summary>
    private sealed class WeightGradient
    {
        public string X { get; set; } = "";

        public int XPlane { get; set; }

        public int XRow { get; set; }

        /// <summary>x rows outside [RowLo, RowHi) are zero: their products are skipped.</summary>
        public int RowLo { get; set; }

        public int RowHi { get; set; }

        public GradientLayout G { get; set; } = new();

        public int Filters { get; set; }

        public int Channels { get; set; }

        public int K { get; set; }

        public int OutH { get; set; }

        public int OutW { get; set; }
    }

    private static void EmitWeightGradient(CodeWriter w, WeightGradient wg, Tile tile, int width)
    {
        int fr = tile.Rows, kc = tile.Cols;
        int fullF = wg.Filters / fr * fr, remF = wg.Filters - fullF;
        int[] blocks = Blocks(wg.OutW, width);
        int regular = RegularBlocks(wg.OutW, width);
        bool hasTail = regular < blocks.Length;
        int tailAt = blocks[blocks.Length - 1];
        bool partial = wg.OutW < width;
        w.Line("// dw[f, c, ky, kx] += Σ g[f, oy, ox] · x[c, oy + ky, ox + kx]: tiles of " + I(fr) + " filters × " + I(kc) + " kx, vectors along ox.");
        if (hasTail)
        {
            int from = partial ? 0 : (regular * width) - tailAt;
            int to = partial ? wg.OutW : width;
            w.Line("var dwMask = " + MaskVector(width, lane => lane >= from && lane < to) + "; // lanes of the last vector at column " + I(tailAt) + " that no other vector covers");
        }

        // kx in chunks of kc: full chunks by a loop (when there are several), the rest as its own tile.
        void Chunks(int rows, string? fVar, int fConst)
        {
            int fullKx = wg.K / kc * kc;
            if (fullKx > kc)
            {
                w.Open("for (int kx0 = 0; kx0 < " + I(fullKx) + "; kx0 += " + I(kc) + ")");
                WeightTile(w, wg, width, rows, fVar, fConst, "kx0", 0, kc, regular, hasTail ? tailAt : -1);
                w.Close();
            }
            else if (fullKx > 0)
            {
                WeightTile(w, wg, width, rows, fVar, fConst, null, 0, kc, regular, hasTail ? tailAt : -1);
            }

            if (fullKx < wg.K)
            {
                WeightTile(w, wg, width, rows, fVar, fConst, null, fullKx, wg.K - fullKx, regular, hasTail ? tailAt : -1);
            }
        }

        if (fullF > 0)
        {
            if (fullF > fr)
            {
                w.Open("for (int f0 = 0; f0 < " + I(fullF) + "; f0 += " + I(fr) + ")");
                Chunks(fr, "f0", 0);
                w.Close();
            }
            else
            {
                Chunks(fr, null, 0);
            }
        }

        if (remF > 0)
        {
            Chunks(remF, null, fullF);
        }
    }

    private static void WeightTile(CodeWriter w, WeightGradient wg, int width, int rows, string? fVar, int fConst, string? kxVar, int kx0, int cols, int regular, int tailAt)
    {
        string v = Vector(width), vf = VectorOfFloat(width);
        GradientLayout g = wg.G;
        int kk = wg.K * wg.K, ckk = wg.Channels * kk;
        bool clipLo = wg.RowLo > 0, clipHi = wg.RowHi < wg.OutH - 1 + wg.K;
        string fName = fVar is null ? I(fConst) : fConst == 0 ? fVar : fVar + " + " + I(fConst);
        string kxName = kxVar is null ? I(kx0) : kx0 == 0 ? kxVar : kxVar + " + " + I(kx0);
        w.Open("// filters " + fName + (rows > 1 ? " … +" + I(rows - 1) : "") + " × kx " + kxName + (cols > 1 ? " … +" + I(cols - 1) : "") + ": " + I(rows) + " × " + I(cols) + " accumulators");
        w.Line("ref float gf = ref " + Ref(g.Ref, Lin(g.Origin + (fConst * g.Plane), (c: g.Plane, v: fVar))) + ";");
        w.Line("ref float dwf = ref " + Ref("dwr", Lin((fConst * ckk) + kx0, (c: ckk, v: fVar), (c: 1, v: kxVar))) + ";");
        w.Open("for (int c = 0; c < " + I(wg.Channels) + "; c++)");
        w.Open("for (int ky = 0; ky < " + I(wg.K) + "; ky++)");
        for (int r = 0; r < rows; r++)
        {
            for (int t = 0; t < cols; t++)
            {
                w.Line("var a" + I(r) + "_" + I(t) + " = " + vf + ".Zero;");
            }
        }

        w.Line("ref float xk = ref " + U + ".Add(ref " + wg.X + ", " + Lin(kx0, (c: wg.XPlane, v: "c"), (c: wg.XRow, v: "ky"), (c: 1, v: kxVar)) + ");");
        string lo = clipLo ? "ky < " + I(wg.RowLo) + " ? " + I(wg.RowLo) + " - ky : 0" : "0";
        string hi = clipHi ? "ky > " + I(wg.RowHi - wg.OutH) + " ? " + I(wg.RowHi) + " - ky : " + I(wg.OutH) : I(wg.OutH);
        if (clipLo)
        {
            w.Line("int oyLo = " + lo + "; // x rows above " + I(wg.RowLo) + " are padding");
        }

        if (clipHi)
        {
            w.Line("int oyHi = " + hi + "; // x rows from " + I(wg.RowHi) + " on are padding");
        }

        w.Open("for (int oy = " + (clipLo ? "oyLo" : "0") + "; oy < " + (clipHi ? "oyHi" : I(wg.OutH)) + "; oy++)");
        w.Line("ref float xo = ref " + U + ".Add(ref xk, oy * " + I(wg.XRow) + ");");
        w.Line("ref float go = ref " + U + ".Add(ref gf, oy * " + I(g.Row) + ");");

        // One vector of columns: the side with fewer vectors (filters' g or kx's x) is loaded first and kept.
        void Step(string? oxVar, int oxConst, bool masked)
        {
            string G(int r)
            {
                string load = v + ".LoadUnsafe(ref go, " + Offset(oxConst + (r * g.Plane), oxVar) + ")";
                return masked ? load + " & dwMask" : load;
            }

            string X(int t) => v + ".LoadUnsafe(ref xo, " + Offset(oxConst + t, oxVar) + ")";
            string Fma(int r, int t, string gv, string xv) => "a" + I(r) + "_" + I(t) + " = " + v + ".FusedMultiplyAdd(" + gv + ", " + xv + ", a" + I(r) + "_" + I(t) + ");";
            if (rows <= cols)
            {
                for (int r = 0; r < rows; r++)
                {
                    w.Line("var g" + I(r) + " = " + G(r) + ";");
                }

                for (int t = 0; t < cols; t++)
                {
                    w.Line((t == 0 ? "var " : "") + "xv = " + X(t) + ";");
                    for (int r = 0; r < rows; r++)
                    {
                        w.Line(Fma(r, t, "g" + I(r), "xv"));
                    }
                }
            }
            else
            {
                for (int t = 0; t < cols; t++)
                {
                    w.Line("var x" + I(t) + " = " + X(t) + ";");
                }

                for (int r = 0; r < rows; r++)
                {
                    w.Line((r == 0 ? "var " : "") + "gv = " + G(r) + ";");
                    for (int t = 0; t < cols; t++)
                    {
                        w.Line(Fma(r, t, "gv", "x" + I(t)));
                    }
                }
            }
        }

        if (regular > 1)
        {
            w.Open("for (int ox = 0; ox < " + I(regular * width) + "; ox += " + I(width) + ")");
            Step("ox", 0, false);
            w.Close();
        }
        else if (regular == 1)
        {
            w.Open("// the one full vector at column 0");
            Step(null, 0, false);
            w.Close();
        }

        if (tailAt >= 0)
        {
            w.Open("// the last vector, at column " + I(tailAt) + ", masked to the lanes no other vector covers");
            Step(null, tailAt, true);
            w.Close();
        }

        w.Close();
        w.Line("ref float dwk = ref " + U + ".Add(ref dwf, " + Lin(0, (c: kk, v: "c"), (c: wg.K, v: "ky")) + ");");
        for (int r = 0; r < rows; r++)
        {
            for (int t = 0; t < cols; t++)
            {
                w.Line(U + ".Add(ref dwk, " + I((r * ckk) + t) + ") += " + v + ".Sum(a" + I(r) + "_" + I(t) + ");");
            }
        }

        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>
    /// dw with filters in lanes: g is transposed once to gᵀ[position][filter]; then for every input channel a
    /// tile of (ky, kx) taps × filter vectors accumulates bcast(x[c, oy + ky, ox + kx]) · gᵀ[oy, ox] over all
    /// positions (each broadcast serves every (position, kx) pair with the same ox + kx), is stored to a
    /// [K·K][filters] buffer and added, transposed, to dw.
    /// </summary>
    private static void EmitWeightGradientByFilters(CodeWriter w, WeightGradient wg, FilterTile tile, Conv2DScratch scratch, int width)
    {
        string v = Vector(width), vf = VectorOfFloat(width);
        GradientLayout g = wg.G;
        int lanes = RoundUp(wg.Filters, width), vectors = lanes / width;
        int kk = wg.K * wg.K, ckk = wg.Channels * kk;
        int positions = wg.OutH * wg.OutW;
        w.Line("// gᵀ[oy·" + I(wg.OutW) + " + ox][f] = g[f, oy, ox], " + I(lanes) + " lanes a position" + (lanes > wg.Filters ? " (lanes from " + I(wg.Filters) + " on stay zero)" : "") + ".");
        w.Line(Span + " gts = scratch.Slice(" + I(scratch.TransposedOffset) + ", " + I(positions * lanes) + ");");
        if (lanes > wg.Filters)
        {
            w.Line("gts.Clear();");
        }

        w.Line("ref float gtr = ref " + MM + ".GetReference(gts);");
        w.Open("for (int f = 0; f < " + I(wg.Filters) + "; f++)");
        w.Line("ref float gf = ref " + U + ".Add(ref " + g.Ref + ", " + Lin(g.Origin, (c: g.Plane, v: "f")) + ");");
        w.Line("ref float gtf = ref " + U + ".Add(ref gtr, f);");
        w.Open("for (int oy = 0; oy < " + I(wg.OutH) + "; oy++)");
        w.Open("for (int ox = 0; ox < " + I(wg.OutW) + "; ox++)");
        w.Line(U + ".Add(ref gtf, " + Lin((c: wg.OutW * lanes, v: "oy"), (c: lanes, v: "ox")) + ") = " + U + ".Add(ref gf, " + Lin((c: g.Row, v: "oy"), (c: 1, v: "ox")) + ");");
        w.Close();
        w.Close();
        w.Close();

        w.Line("// dw[f, c, ky, kx] += Σ x[c, oy + ky, ox + kx] · gᵀ[oy, ox][f]: tiles of " + I(tile.KyRows) + " ky × " + I(tile.KxCols) + " kx × " + I(vectors) + " filter vector"
            + (vectors > 1 ? "s" : "") + ", " + I(tile.Positions) + " columns a step.");
        w.Line("ref float dwt = ref " + MM + ".GetReference(scratch.Slice(" + I(scratch.WeightsOffset) + ", " + I(kk * lanes) + "));");
        w.Open("for (int c = 0; c < " + I(wg.Channels) + "; c++)");
        w.Line("ref float xc = ref " + U + ".Add(ref " + wg.X + ", c * " + I(wg.XPlane) + ");");

        void KxChunks(string? kyVar, int kyConst, int kyRows)
        {
            int fullKx = wg.K / tile.KxCols * tile.KxCols;
            if (fullKx > tile.KxCols)
            {
                w.Open("for (int kx0 = 0; kx0 < " + I(fullKx) + "; kx0 += " + I(tile.KxCols) + ")");
                FilterLaneTile(w, wg, tile, width, kyVar, kyConst, kyRows, "kx0", 0, tile.KxCols);
                w.Close();
            }
            else if (fullKx > 0)
            {
                FilterLaneTile(w, wg, tile, width, kyVar, kyConst, kyRows, null, 0, tile.KxCols);
            }

            if (fullKx < wg.K)
            {
                FilterLaneTile(w, wg, tile, width, kyVar, kyConst, kyRows, null, fullKx, wg.K - fullKx);
            }
        }

        int fullKy = wg.K / tile.KyRows * tile.KyRows;
        if (fullKy > tile.KyRows)
        {
            w.Open("for (int ky0 = 0; ky0 < " + I(fullKy) + "; ky0 += " + I(tile.KyRows) + ")");
            KxChunks("ky0", 0, tile.KyRows);
            w.Close();
        }
        else if (fullKy > 0)
        {
            KxChunks(null, 0, tile.KyRows);
        }

        if (fullKy < wg.K)
        {
            KxChunks(null, fullKy, wg.K - fullKy);
        }

        w.Line("// dw[f, c, ·, ·] += the transposed accumulators.");
        w.Open("for (int t = 0; t < " + I(kk) + "; t++)");
        w.Line("ref float src = ref " + U + ".Add(ref dwt, t * " + I(lanes) + ");");
        w.Line("ref float dst = ref " + U + ".Add(ref dwr, (c * " + I(kk) + ") + t);");
        if (wg.Filters <= 32)
        {
            for (int f = 0; f < wg.Filters; f++)
            {
                w.Line(Ref("dst", I(f * ckk)) + " += " + Ref("src", I(f)) + ";");
            }
        }
        else
        {
            w.Open("for (int f = 0; f < " + I(wg.Filters) + "; f++)");
            w.Line(U + ".Add(ref dst, f * " + I(ckk) + ") += " + U + ".Add(ref src, f);");
            w.Close();
        }

        w.Close();
        w.Close();
    }

    /// <summary>One filter-lane tile: taps ky0 … ky0 + kyRows − 1 × kx0 … kx0 + kxCols − 1 of channel c, over every position.</summary>
    private static void FilterLaneTile(CodeWriter w, WeightGradient wg, FilterTile tile, int width, string? kyVar, int kyConst, int kyRows, string? kxVar, int kxConst, int kxCols)
    {
        string v = Vector(width), vf = VectorOfFloat(width);
        int lanes = RoundUp(wg.Filters, width), vectors = lanes / width;
        string kyName = kyVar is null ? I(kyConst) : kyVar, kxName = kxVar is null ? I(kxConst) : kxVar;
        w.Open("// ky " + kyName + (kyRows > 1 ? " … +" + I(kyRows - 1) : "") + " × kx " + kxName + (kxCols > 1 ? " … +" + I(kxCols - 1) : "") + ": " + I(kyRows * kxCols * vectors) + " accumulators");
        string A(int ky, int kx, int fv) => "a" + I(ky) + "_" + I(kx) + "_" + I(fv);
        for (int ky = 0; ky < kyRows; ky++)
        {
            for (int kx = 0; kx < kxCols; kx++)
            {
                for (int fv = 0; fv < vectors; fv++)
                {
                    w.Line("var " + A(ky, kx, fv) + " = " + vf + ".Zero;");
                }
            }
        }

        w.Line("ref float xk = ref " + Ref("xc", Lin((kyConst * wg.XRow) + kxConst, (c: wg.XRow, v: kyVar), (c: 1, v: kxVar))) + ";");
        w.Open("for (int oy = 0; oy < " + I(wg.OutH) + "; oy++)");
        w.Line("ref float xo = ref " + U + ".Add(ref xk, oy * " + I(wg.XRow) + ");");
        w.Line("ref float go = ref " + U + ".Add(ref gtr, oy * " + I(wg.OutW * lanes) + ");");

        void Positions(string? oxVar, int oxConst, int count)
        {
            for (int j = 0; j < count; j++)
            {
                for (int fv = 0; fv < vectors; fv++)
                {
                    w.Line("var g" + I(j) + "_" + I(fv) + " = " + v + ".LoadUnsafe(ref go, (nuint)(" + Lin(((oxConst + j) * lanes) + (fv * width), (c: lanes, v: oxVar)) + "));");
                }
            }

            bool first = true;
            for (int ky = 0; ky < kyRows; ky++)
            {
                for (int sx = 0; sx < count + kxCols - 1; sx++)
                {
                    w.Line((first ? "var " : "") + "xb = " + v + ".Create(" + U + ".Add(ref xo, " + Lin((ky * wg.XRow) + oxConst + sx, (c: 1, v: oxVar)) + "));");
                    first = false;
                    for (int j = Math.Max(0, sx - kxCols + 1); j <= Math.Min(count - 1, sx); j++)
                    {
                        for (int fv = 0; fv < vectors; fv++)
                        {
                            string a = A(ky, sx - j, fv);
                            w.Line(a + " = " + v + ".FusedMultiplyAdd(xb, g" + I(j) + "_" + I(fv) + ", " + a + ");");
                        }
                    }
                }
            }
        }

        int full = wg.OutW / tile.Positions * tile.Positions;
        if (full > 0)
        {
            w.Open(full > tile.Positions ? "for (int ox = 0; ox < " + I(full) + "; ox += " + I(tile.Positions) + ")" : "// columns 0 … " + I(tile.Positions - 1));
            Positions(full > tile.Positions ? "ox" : null, 0, tile.Positions);
            w.Close();
        }

        if (full < wg.OutW)
        {
            w.Open("// columns " + I(full) + " … " + I(wg.OutW - 1));
            Positions(null, full, wg.OutW - full);
            w.Close();
        }

        w.Close();
        for (int ky = 0; ky < kyRows; ky++)
        {
            for (int kx = 0; kx < kxCols; kx++)
            {
                for (int fv = 0; fv < vectors; fv++)
                {
                    string at = Lin((((kyConst + ky) * wg.K) + kxConst + kx) * lanes + (fv * width), (c: wg.K * lanes, v: kyVar), (c: lanes, v: kxVar));
                    w.Line(v + ".StoreUnsafe(" + A(ky, kx, fv) + ", ref dwt, (nuint)(" + at + "));");
                }
            }
        }

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
internal sealed record Conv2DOptions(int Filters, int Kernel, int Stride, int Padding) : LayerOptions
{
    /// <summary>The tiles and scratch layout, set by the plan (<see cref="Conv2DLayer.Decide"/>); null as read from the attribute.</summary>
    public Conv2DTiling? Tiling { get; init; }
}
