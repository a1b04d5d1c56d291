using System.Collections.Generic;
using System.Linq;
using NetGen.Generators.Diagnostics;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Max or average pooling over square windows without padding; stride defaults to the window size.
/// Output size is floor((in − size) / stride) + 1. Max pooling routes the gradient to the first maximum of
/// each window, as PyTorch does.
/// </summary>
internal abstract class Pool2DLayer(bool isMax) : LayerKind
{
    public override string DisplayName => isMax ? "MaxPool2D" : "AvgPool2D";

    public override bool HasVectorKernels => true;

    public override string NamePrefix => isMax ? "maxpool" : "avgpool";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuPool2DLayer(isMax);

    /// <summary><c>[MaxPool2D(size, Stride = size)]</c>, <c>[AvgPool2D(size, Stride = size)]</c>: by default the windows tile the input.</summary>
    public override LayerSpec ReadArguments(LayerArguments a)
    {
        int size = a.Int(0);
        int? stride = a.NamedInt("Stride");
        return a.Spec(new Pool2DOptions(size, stride ?? size, StrideGiven: stride is not null));
    }

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics)
    {
        Pool2DOptions options = Options<Pool2DOptions>(spec);

        // A stride not given is the window size: a bad size is one mistake, reported once, on Size.
        bool ok = RequirePositive(options.Size, "Size", name, spec, diagnostics);
        if (ok || options.StrideGiven)
        {
            ok &= RequirePositive(options.Stride, "Stride", name, spec, diagnostics);
        }

        if (!ok || !RequireSpatial(input, name, spec, diagnostics))
        {
            return null;
        }

        if (options.Size > input.H || options.Size > input.W)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WindowTooLarge, spec.Location, name, options.Size, input.H, input.W));
            return null;
        }

        return Shape.Spatial(input.C, ((input.H - options.Size) / options.Stride) + 1, ((input.W - options.Size) / options.Stride) + 1);
    }

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        Shape o = layer.Output;
        Summary(w, Head(layer) + ", " + (isMax ? "max" : "mean") + " over " + I(Window(layer)) + "×" + I(Window(layer)) + " windows, stride " + I(Stride(layer)) + ".");
        w.Open("private static void " + Forward(layer) + "(" + ReadOnlySpan + " x, " + Span + " y)");
        At a = OpenOutputLoops(w, o);
        if (isMax)
        {
            w.Line("float best = float.NegativeInfinity;");
            var window = OpenWindow(w, layer);
            w.Line("float v = x[" + InputIndex(layer, a, window) + "];");
            w.Open("if (v > best)");
            w.Line("best = v;");
            w.Close();
            CloseWindow(w);
            w.Line("y[" + OutputIndex(o, a) + "] = best;");
        }
        else
        {
            w.Line("float sum = 0f;");
            var window = OpenWindow(w, layer);
            w.Line("sum += x[" + InputIndex(layer, a, window) + "];");
            CloseWindow(w);
            w.Line("y[" + OutputIndex(o, a) + "] = sum * " + F(1f / (Window(layer) * Window(layer))) + ";");
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
        At a = OpenOutputLoops(w, o);
        if (isMax)
        {
            w.Line("float best = float.NegativeInfinity;");
            w.Line("int at = -1;");
            var window = OpenWindow(w, layer);
            w.Line("int index = " + InputIndex(layer, a, window) + ";");
            w.Open("if (x[index] > best)");
            w.Line("best = x[index];");
            w.Line("at = index;");
            w.Close();
            CloseWindow(w);
            w.Open("if (at >= 0)");
            w.Line("dx[at] += dy[" + OutputIndex(o, a) + "];");
            w.Close();
        }
        else
        {
            w.Line("float g = dy[" + OutputIndex(o, a) + "] * " + F(1f / (Window(layer) * Window(layer))) + ";");
            var window = OpenWindow(w, layer);
            w.Line("dx[" + InputIndex(layer, a, window) + "] += g;");
            CloseWindow(w);
        }

        CloseOutputLoops(w);
        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) => Backward(layer) + "(" + o.X + ", " + o.Dy + ", " + o.Dx + ");";

    // ---- Vector kernels ----
    //
    // 2×2 windows with stride 2 (the common case) are vectorized along each output row in chunks of L outputs
    // (L = 4, or 8 on the Vector512 path when a row has at least 8): one vector of 2L floats from each of the
    // two input rows, combined vertically, then split into even and odd lanes by a shuffle and combined again.
    // A row whose width is not a multiple of L ends with the chunk that ends at its last output (it recomputes
    // a few outputs, identically). Backward expands dy (and, for max, y) back to 2L lanes by a shuffle.
    // Max backward gives each window's gradient to its first maximum in (ky, kx) order, as the scalar path,
    // by comparing x with the window's y. Other windows and rows narrower than 4 outputs run the scalar kernel.

    public override string? ScalarFallback(LayerPlan layer, int width) =>
        Vectorizes(layer) ? null
        : Window(layer) == 2 && Stride(layer) == 2 ? "forward and backward: rows of " + I(layer.Output.W) + " outputs, fewer than the 4 of a vector chunk"
        : "forward and backward: no vector kernel for " + I(Window(layer)) + "×" + I(Window(layer)) + " windows at stride " + I(Stride(layer)) + " (only 2×2 at stride 2)";

    /// <summary>Whether this layer gets vector kernels (2×2, stride 2, at least 4 outputs per row).</summary>
    private static bool Vectorizes(LayerPlan layer) => Window(layer) == 2 && Stride(layer) == 2 && layer.Output.W >= 4;

    /// <summary>Outputs per chunk: 8 on the Vector512 path when a row has room, else 4.</summary>
    private static int ChunkOutputs(LayerPlan layer, int width) => width == 16 && layer.Output.W >= 8 ? 8 : 4;

    /// <summary>Full chunks of a row up to this many are written out; more are a loop.</summary>
    private const int UnrolledChunks = 4;

    /// <summary>
    /// Writes the chunks of one row: every <paramref name="chunk"/> outputs (written out, or a loop over
    /// <c>ox</c> when there are more than <see cref="UnrolledChunks"/>), then, when the row is not a multiple
    /// of the chunk, the chunk that ends at the row's last output. <paramref name="body"/> gets the output
    /// offset, the input offset and a suffix for distinct variable names.
    /// </summary>
    private static void EachChunk(CodeWriter w, int outputs, int chunk, System.Action<string, string, string> body)
    {
        int full = outputs / chunk;
        if (full > UnrolledChunks)
        {
            w.Open("for (nuint ox = 0; ox < " + I(full * chunk) + "; ox += " + I(chunk) + ")");
            body("ox", "2 * ox", "0");
            w.Close();
        }
        else
        {
            for (int k = 0; k < full; k++)
            {
                body(I(k * chunk), I(2 * k * chunk), I(k + 1));
            }
        }

        if (outputs % chunk != 0)
        {
            body(I(outputs - chunk), I(2 * (outputs - chunk)), I(full + 1));
        }
    }

    private static string ChunkPlan(LayerPlan layer, int width)
    {
        int chunk = ChunkOutputs(layer, width), ow = layer.Output.W, full = ow / chunk;
        string starts = full > UnrolledChunks
            ? I(full) + " chunks of " + I(chunk) + " outputs (a loop)"
            : "chunks of " + I(chunk) + " outputs at " + string.Join(", ", System.Linq.Enumerable.Range(0, full).Select(k => I(k * chunk)));
        return "2×2 windows, stride 2. Per output row, " + starts
            + (ow % chunk != 0 ? (full > UnrolledChunks ? ", then one at " : ", ") + I(ow - chunk) + " (overlapping: it recomputes " + I(chunk - (ow % chunk)) + ")" : string.Empty)
            + "; each chunk is one " + I(2 * chunk) + "-float vector from each of the window's two input rows.";
    }

    public override void EmitVectorForward(CodeWriter w, LayerPlan layer, int width)
    {
        if (!Vectorizes(layer))
        {
            w.Line("// " + layer.Name + ": " + I(Window(layer)) + "×" + I(Window(layer)) + " windows, stride " + I(Stride(layer)) + ", " + I(layer.Output.W)
                + " outputs per row: the " + Suffix(width) + " path runs the scalar kernel.");
            return;
        }

        int chunk = ChunkOutputs(layer, width);
        string vi = VectorCode.Vec(2 * chunk), vo = VectorCode.Vec(chunk);
        VectorCode.DocSummary(
            w,
            Head(layer) + ", " + Suffix(width) + " forward: " + (isMax ? "max" : "mean") + " of each window.",
            ChunkPlan(layer, width));
        w.Open("private static void " + Forward(layer) + Suffix(width) + "(" + ReadOnlySpan + " x, " + Span + " y)");
        w.Line(VectorCode.Ref("xr", "x"));
        w.Line(VectorCode.Ref("yr", "y"));
        w.Line("// Shuffle " + EvenThenOdd(2 * chunk).Substring(VectorCode.Vec(2 * chunk).Length + 1) + ": window column 0 to the lower half, column 1 to the upper.");
        OpenRows(w, layer, backward: false);
        EachChunk(w, layer.Output.W, chunk, (at, inAt, k) =>
        {
            string p = "p" + k;
            string top = VectorCode.Load(2 * chunk, "x0", inAt), bottom = VectorCode.Load(2 * chunk, "x1", inAt);
            if (isMax)
            {
                w.Line("var " + p + " = " + vi + ".Shuffle(" + vi + ".MaxNative(" + top + ", " + bottom + "), " + EvenThenOdd(2 * chunk) + ");");
                w.Line(VectorCode.Store(chunk, vo + ".MaxNative(" + vi + ".GetLower(" + p + "), " + vi + ".GetUpper(" + p + "))", "yo", at));
            }
            else
            {
                w.Line("var " + p + " = " + vi + ".Shuffle(" + top + " + " + bottom + ", " + EvenThenOdd(2 * chunk) + ");");
                w.Line(VectorCode.Store(chunk, "(" + vi + ".GetLower(" + p + ") + " + vi + ".GetUpper(" + p + ")) * " + F(0.25f), "yo", at));
            }
        });

        CloseRows(w, layer);
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

        int chunk = ChunkOutputs(layer, width), lanes = 2 * chunk;
        string vi = VectorCode.Vec(lanes), vo = VectorCode.Vec(chunk);
        string repeat = VectorCode.Ints(lanes, i => i / 2), firstOfPair = VectorCode.Ints(lanes, i => i & ~1);
        string otherOfPair = VectorCode.Ints(lanes, i => i ^ 1), secondColumn = OddLanes(lanes);
        string Widen(string half) => vo + (chunk == 4 ? ".ToVector256Unsafe(" : ".ToVector512Unsafe(") + half + ")";
        bool covered = layer.Input.H == 2 * layer.Output.H && layer.Input.W == 2 * layer.Output.W;
        VectorCode.DocSummary(
            w,
            Head(layer) + ", " + Suffix(width) + " backward: " + (isMax
                ? "each window's dy goes to its first maximum in (ky, kx) order (x compared with the window's y), zero elsewhere."
                : "dy / 4 goes to each value of its window."),
            ChunkPlan(layer, width) + (covered ? string.Empty : " The last input row or column is in no window: dx is cleared first."));
        w.Open("private static void " + Backward(layer) + Suffix(width) + "(" + (isMax ? ReadOnlySpan + " x, " + ReadOnlySpan + " y, " : string.Empty)
            + ReadOnlySpan + " dy, " + Span + " dx)");
        if (!covered)
        {
            w.Line("dx.Clear();");
        }

        if (isMax)
        {
            w.Line(VectorCode.Ref("xr", "x"));
            w.Line(VectorCode.Ref("yr", "y"));
        }

        w.Line(VectorCode.Ref("dyr", "dy"));
        w.Line(VectorCode.Ref("dxr", "dx"));
        OpenRows(w, layer, backward: true);
        if (isMax)
        {
            w.Line("// Per chunk: m and g are y and dy repeated for both columns of each window; e / f: x == m in the");
            w.Line("// window's top / bottom row; s / t keep each window's first match (a match in the second column");
            w.Line("// only where the first has none, in the bottom row only where the top has none).");
        }

        EachChunk(w, layer.Output.W, chunk, (at, inAt, n) =>
        {
            if (isMax)
            {
                w.Line("var m" + n + " = " + vi + ".Shuffle(" + Widen(VectorCode.Load(chunk, "yo", at)) + ", " + repeat + ");");
                w.Line("var g" + n + " = " + vi + ".Shuffle(" + Widen(VectorCode.Load(chunk, "dyo", at)) + ", " + repeat + ");");
                w.Line("var e" + n + " = " + vi + ".Equals(" + VectorCode.Load(lanes, "x0", inAt) + ", m" + n + ");");
                w.Line("var f" + n + " = " + vi + ".Equals(" + VectorCode.Load(lanes, "x1", inAt) + ", m" + n + ");");
                w.Line("var s" + n + " = " + vi + ".AndNot(e" + n + ", " + vi + ".Shuffle(e" + n + ", " + firstOfPair + ") & " + secondColumn + ");");
                w.Line("var t" + n + " = " + vi + ".AndNot(" + vi + ".AndNot(f" + n + ", " + vi + ".Shuffle(f" + n + ", " + firstOfPair + ") & " + secondColumn + "), e" + n + " | " + vi + ".Shuffle(e" + n + ", " + otherOfPair + "));");
                w.Line(VectorCode.Store(lanes, "s" + n + " & g" + n, "dx0", inAt));
                w.Line(VectorCode.Store(lanes, "t" + n + " & g" + n, "dx1", inAt));
            }
            else
            {
                w.Line("var g" + n + " = " + vi + ".Shuffle(" + Widen(VectorCode.Load(chunk, "dyo", at) + " * " + F(0.25f)) + ", " + repeat + ");");
                w.Line(VectorCode.Store(lanes, "g" + n, "dx0", inAt));
                w.Line(VectorCode.Store(lanes, "g" + n, "dx1", inAt));
            }
        });

        CloseRows(w, layer);
        w.Close();
    }

    public override string VectorBackwardCall(LayerPlan layer, LayerOperands o, int width) =>
        !Vectorizes(layer) ? BackwardCall(layer, o)
        : isMax ? Backward(layer) + Suffix(width) + "(" + o.X + ", " + o.Y + ", " + o.Dy + ", " + o.Dx + ");"
        : Backward(layer) + Suffix(width) + "(" + o.Dy + ", " + o.Dx + ");";

    /// <summary>Shuffle indices that put the even lanes in the lower half and the odd lanes in the upper half.</summary>
    private static string EvenThenOdd(int lanes) => VectorCode.Ints(lanes, i => i < lanes / 2 ? 2 * i : (2 * (i - (lanes / 2))) + 1);

    private static string OddLanes(int lanes) => VectorCode.Vec(lanes) + ".AsSingle(" + VectorCode.Ints(lanes, i => (i & 1) == 0 ? 0 : -1) + ")";

    /// <summary>
    /// Opens the loop over output rows and sets x0 / x1 (the window's two input rows), yo / dyo (the output row)
    /// and dx0 / dx1: one loop over channel × row when the input height is exactly twice the output's, else two.
    /// </summary>
    private void OpenRows(CodeWriter w, LayerPlan layer, bool backward)
    {
        Shape i = layer.Input, o = layer.Output;
        string inRow, outRow;
        if (i.H == 2 * o.H)
        {
            w.Open("for (int r = 0; r < " + I(o.C * o.H) + "; r++)");
            inRow = "r * " + I(2 * i.W);
            outRow = "r * " + I(o.W);
        }
        else
        {
            w.Open("for (int c = 0; c < " + I(o.C) + "; c++)");
            w.Open("for (int oy = 0; oy < " + I(o.H) + "; oy++)");
            inRow = "(c * " + I(i.H * i.W) + ") + (oy * " + I(2 * i.W) + ")";
            outRow = "(c * " + I(o.H * o.W) + ") + (oy * " + I(o.W) + ")";
        }

        if (!backward || isMax)
        {
            w.Line("ref float x0 = ref " + VectorCode.Unsafe + ".Add(ref xr, " + inRow + ");");
            w.Line("ref float x1 = ref " + VectorCode.Unsafe + ".Add(ref x0, " + I(i.W) + ");");
        }

        if (backward)
        {
            if (isMax)
            {
                w.Line("ref float yo = ref " + VectorCode.Unsafe + ".Add(ref yr, " + outRow + ");");
            }

            w.Line("ref float dyo = ref " + VectorCode.Unsafe + ".Add(ref dyr, " + outRow + ");");
            w.Line("ref float dx0 = ref " + VectorCode.Unsafe + ".Add(ref dxr, " + inRow + ");");
            w.Line("ref float dx1 = ref " + VectorCode.Unsafe + ".Add(ref dx0, " + I(i.W) + ");");
        }
        else
        {
            w.Line("ref float yo = ref " + VectorCode.Unsafe + ".Add(ref yr, " + outRow + ");");
        }
    }

    private static void CloseRows(CodeWriter w, LayerPlan layer)
    {
        w.Close();
        if (layer.Input.H != 2 * layer.Output.H)
        {
            w.Close();
        }
    }

    /// <summary>The output position's indices (a loop variable, or "0" where the extent is 1).</summary>
    private readonly record struct At(string C, string Oy, string Ox);

    private static At OpenOutputLoops(CodeWriter w, Shape o) => new(w.For("c", o.C), w.For("oy", o.H), w.For("ox", o.W));

    private static void CloseOutputLoops(CodeWriter w) => w.EndFor().EndFor().EndFor();

    private static (string Ky, string Kx) OpenWindow(CodeWriter w, LayerPlan layer) => (w.For("ky", Window(layer)), w.For("kx", Window(layer)));

    private static void CloseWindow(CodeWriter w) => w.EndFor().EndFor();

    private static string OutputIndex(Shape o, At a) => CodeWriter.RowMajor((a.C, o.C), (a.Oy, o.H), (a.Ox, o.W));

    /// <summary>x[c, oy·stride + ky, ox·stride + kx] as one folded sum.</summary>
    private static string InputIndex(LayerPlan layer, At a, (string Ky, string Kx) k)
    {
        Shape i = layer.Input;
        int s = Stride(layer);
        return CodeWriter.Sum(0, (a.C, i.H * i.W), (a.Oy, s * i.W), (k.Ky, i.W), (a.Ox, s), (k.Kx, 1));
    }

    /// <summary>The window's side.</summary>
    protected static int Window(LayerPlan layer) => Options<Pool2DOptions>(layer).Size;

    /// <summary>The step between windows.</summary>
    protected static int Stride(LayerPlan layer) => Options<Pool2DOptions>(layer).Stride;
}

/// <summary>A pool's options: square windows of <paramref name="Size"/>, <paramref name="Stride"/> apart (the window size unless given).</summary>
/// <param name="Size">The window's side.</param>
/// <param name="Stride">The step between windows.</param>
/// <param name="StrideGiven">Whether the attribute set <c>Stride</c> (a bad default stride is the size's mistake, reported once).</param>
internal sealed record Pool2DOptions(int Size, int Stride, bool StrideGiven) : LayerOptions;
