using System.Collections.Generic;
using System.Linq;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>Fully connected: y[o] = b[o] + Σi W[o, i]·x[i], W of shape [out, in] (PyTorch's Linear). A 3-D input is flattened in (C, H, W) order.</summary>
internal sealed partial class DenseLayer : LayerKind
{
    public override string DisplayName => "Dense";

    public override string NamePrefix => "dense";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuDenseLayer();

    public override bool HasParameters => true;

    public override bool HasVectorKernels => true;

    public override bool CanFuseActivation => true;

    /// <summary>Rows of w per forward register tile: that many accumulators, one x vector shared by all.</summary>
    private const int TileRows = 8;

    /// <summary>
    /// Vectors of input columns per backward block; x (and the dx accumulators) of the block stay in registers,
    /// and each block is one pass over the rows, so bigger blocks mean fewer passes. With dx on the Vector256
    /// path, 6 (12 of the 16 ymm registers; 8 spilled and was slower on 120 → 84); otherwise 8. Measured on
    /// LeNet's shapes against 2, 4, 6 and 8: 4 → 6 made 120 → 84 with dx 13% faster, 4 → 8 without dx 6–11%.
    /// </summary>
    private static int BlockVectors(int width, bool dx) => dx && width == 8 ? 6 : 8;

    /// <summary>
    /// Room for g = dy ⊙ act'(y) (one float per output), which the vector backward of a Dense with a fused
    /// activation forms first. The planner does not say here whether the layer fuses, so every Dense gets it.
    /// </summary>
    /// <summary>The scratch holds g = dy ⊙ act′(y) during backward only.</summary>
    public override bool ScratchIsTransient => true;

    public override int ScratchFloats(LayerSpec spec, Shape input, Shape output) => output.Size;

    /// <summary><c>[Dense(units)]</c>.</summary>
    public override LayerSpec ReadArguments(LayerArguments a) => a.Spec(new DenseOptions(a.Int(0), a.NamedBool("Bias") ?? true));

    /// <summary>On a sequence [T, F], the layer applies to every step (PyTorch's Linear on the last axis): [T, F] → [T, units].</summary>
    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics)
    {
        int units = Options<DenseOptions>(spec).Units;
        if (!RequirePositive(units, "Units", name, spec, diagnostics))
        {
            return null;
        }

        return input.IsSequence ? Shape.Sequence(input.Steps, units, input.Masked) : Shape.Flat(units);
    }

    public override IEnumerable<TensorSpec> ParameterTensors(LayerSpec spec, Shape input, Shape output)
    {
        int n = input.IsSequence ? input.Features : input.Size, m = Options<DenseOptions>(spec).Units;
        yield return new TensorSpec("weight", new[] { m, n }, TensorInit.Weight(fanIn: n, fanOut: m));
        if (Options<DenseOptions>(spec).Bias)
        {
            yield return new TensorSpec("bias", new[] { m }, TensorInit.Zeros);
        }
    }

    /// <summary>Whether the layer has a bias (<c>Bias = false</c>: none, as PyTorch's <c>bias=False</c>).</summary>
    private static bool HasBias(LayerPlan layer) => Options<DenseOptions>(layer).Bias;

    /// <summary>The bias parameter of a kernel's signature, or nothing without a bias.</summary>
    private static string BiasParameter(LayerPlan layer, string name, string type) => HasBias(layer) ? type + " " + name + ", " : string.Empty;

    /// <summary>The bias operand of a call, or nothing without a bias.</summary>
    private static string BiasOperand(LayerPlan layer, string? operand) => HasBias(layer) ? operand + ", " : string.Empty;

    private void EmitForwardStep(CodeWriter w, LayerPlan layer)
    {
        int n = StepInputs(layer), m = StepOutputs(layer);
        Summary(w, Head(layer) + ". x is [" + I(n) + "], w is [" + I(m) + ", " + I(n) + "], " + (HasBias(layer) ? "b is [" + I(m) + "]" : "no bias") + ", y is [" + I(m) + "].");
        w.Open("private static void " + StepName(Forward(layer), layer) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + BiasParameter(layer, "b", ReadOnlySpan) + Span + " y)");
        w.Open("for (int o = 0; o < " + I(m) + "; o++)");
        w.Line(HasBias(layer) ? "float sum = b[o];" : "float sum = 0f;");
        w.Line("int row = o * " + I(n) + ";");
        w.Open("for (int i = 0; i < " + I(n) + "; i++)");
        w.Line("sum += w[row + i] * x[i];");
        w.Close();
        w.Line("y[o] = sum;");
        w.Close();
        w.Close();
    }

    /// <summary>Inputs per step: the whole input, or a sequence step's features.</summary>
    private static int StepInputs(LayerPlan layer) => layer.Input.IsSequence ? layer.Input.Features : layer.Input.Size;

    /// <summary>Outputs per step.</summary>
    private static int StepOutputs(LayerPlan layer) => layer.Input.IsSequence ? layer.Output.Features : layer.Output.Size;

    /// <summary>The kernel's name: on a sequence, the kernel of one step (<c>…Step</c>), which a loop over the steps calls.</summary>
    private static string StepName(string kernel, LayerPlan layer) => layer.Input.IsSequence ? kernel + "Step" : kernel;

    public override IEnumerable<string> MemberSuffixes => s_memberSuffixes;

    private static readonly string[] s_memberSuffixes =
    {
        string.Empty, "Forward", "Backward", "ForwardV256", "BackwardV256", "ForwardV512", "BackwardV512",
        "ForwardStep", "BackwardStep", "ForwardV256Step", "BackwardV256Step", "ForwardV512Step", "BackwardV512Step",
        "ForwardChunkV256", "BackwardChunkV256", "ForwardChunkV512", "BackwardChunkV512",
    };

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        EmitForwardStep(w, layer);
        EmitStepLoop(w, layer, Forward(layer), ForwardSpans(layer));
    }

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
        EmitBackwardStep(w, layer);
        EmitStepLoop(w, layer, Backward(layer), BackwardSpans(layer, vector: false));
    }

    public override void EmitVectorForward(CodeWriter w, LayerPlan layer, int width)
    {
        EmitVectorForwardStep(w, layer, width);
        EmitStepLoop(w, layer, Forward(layer) + Suffix(width), ForwardSpans(layer));
    }

    public override void EmitVectorBackward(CodeWriter w, LayerPlan layer, int width)
    {
        EmitVectorBackwardStep(w, layer, width);
        EmitStepLoop(w, layer, Backward(layer) + Suffix(width), BackwardSpans(layer, vector: true));
    }

    /// <summary>The forward kernels' spans: name, whether writable, and whether it is per step (else shared by all steps).</summary>
    private static List<(string Name, bool Writable, int PerStep)> ForwardSpans(LayerPlan layer)
    {
        int n = StepInputs(layer), m = StepOutputs(layer);
        var spans = new List<(string, bool, int)> { ("x", false, n), ("w", false, 0) };
        if (HasBias(layer))
        {
            spans.Add(("b", false, 0));
        }

        spans.Add(("y", true, m));
        return spans;
    }

    private static List<(string Name, bool Writable, int PerStep)> BackwardSpans(LayerPlan layer, bool vector)
    {
        int n = StepInputs(layer), m = StepOutputs(layer);
        bool act = vector && layer.FusedActivation is not null;
        var spans = new List<(string, bool, int)> { ("x", false, n), ("w", false, 0) };
        if (act)
        {
            spans.Add(("y", false, m));
        }

        spans.Add(("dy", false, m));
        spans.Add(("dw", true, 0));
        if (HasBias(layer))
        {
            spans.Add(("db", true, 0));
        }

        if (act)
        {
            spans.Add(("g", true, m));
        }

        if (layer.NeedsInputGradient)
        {
            spans.Add(("dx", true, n));
        }

        return spans;
    }

    /// <summary>On a sequence: the kernel under its own name, running its step kernel on each step's slices (weights and their gradients shared).</summary>
    private static void EmitStepLoop(CodeWriter w, LayerPlan layer, string kernel, List<(string Name, bool Writable, int PerStep)> spans)
    {
        if (!layer.Input.IsSequence)
        {
            return;
        }

        int steps = layer.Input.Steps;
        w.Line();
        Summary(w, layer.Name + " on its sequence of " + I(steps) + " steps: " + kernel + "Step on each step (x, y and their gradients sliced per step; the weights' gradients add over the steps).");
        w.Open("private static void " + kernel + "(" + string.Join(", ", spans.ConvertAll(s => (s.Writable ? Span : ReadOnlySpan) + " " + s.Name)) + ")");
        w.Open("for (int t = 0; t < " + I(steps) + "; t++)");
        w.Line(kernel + "Step(" + string.Join(", ", spans.ConvertAll(s => s.PerStep > 0 ? s.Name + ".Slice(t * " + I(s.PerStep) + ", " + I(s.PerStep) + ")" : s.Name)) + ");");
        w.Close();
        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) =>
        Forward(layer) + "(" + o.X + ", " + o.W + ", " + BiasOperand(layer, o.B) + o.Y + ");";

    private void EmitBackwardStep(CodeWriter w, LayerPlan layer)
    {
        int n = StepInputs(layer), m = StepOutputs(layer);
        bool dx = layer.NeedsInputGradient;
        Summary(w, Head(layer) + ", backward: dw += dy ⊗ x" + (HasBias(layer) ? ", db += dy" : string.Empty) + (dx ? ", dx = wᵀ·dy" : " (no input gradient: nothing below learns)") + ".");
        w.Open("private static void " + StepName(Backward(layer), layer) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + ReadOnlySpan + " dy, " + Span + " dw" + (HasBias(layer) ? ", " + Span + " db" : string.Empty) + (dx ? ", " + Span + " dx" : "") + ")");
        if (dx)
        {
            w.Line("dx.Clear();");
        }

        w.Open("for (int o = 0; o < " + I(m) + "; o++)");
        w.Line("float g = dy[o];");
        if (HasBias(layer))
        {
            w.Line("db[o] += g;");
        }

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
        Backward(layer) + "(" + o.X + ", " + o.W + ", " + o.Dy + ", " + o.DW + (HasBias(layer) ? ", " + o.DB : string.Empty) + (layer.NeedsInputGradient ? ", " + o.Dx : "") + ");";

    // ---- Vector kernels ----
    //
    // Forward is a GEMV over rows of w: a tile of TileRows rows keeps one accumulator per row and shares each x
    // vector between them; each accumulator is summed horizontally at the end, the bias added and the fused
    // activation applied. Backward forms g (= dy, or dy ⊙ act'(y) with a fused activation, kept in scratch),
    // adds it to db, then walks the input columns in blocks of a few vectors: for each block, x and the
    // dx accumulators stay in registers while one pass over the rows does dw[o, block] += g[o]·x[block] and
    // dx[block] += g[o]·w[o, block]. A last partial vector of inputs is the full vector ending at the last
    // input with the lanes already covered masked off in x, so nothing outside a span is ever touched.
    // Fewer than 8 inputs are done one at a time.

    private void EmitVectorForwardStep(CodeWriter w, LayerPlan layer, int width)
    {
        int n = StepInputs(layer), m = StepOutputs(layer);
        int lanes = VectorCode.Lanes(n, width);
        Activation? act = layer.FusedActivation;
        int full = m / TileRows * TileRows, rest = m % TileRows;
        bool bias = HasBias(layer);
        string affine = bias ? "w·x + b" : "w·x";
        string formula = act is null ? "y = " + affine : "y = " + ActName(act) + "(" + affine + "), the following " + ActName(act) + " fused";
        VectorCode.DocSummary(
            w,
            Head(layer) + ", " + Suffix(width) + " forward: " + formula + ". w is [" + I(m) + ", " + I(n) + "] (PyTorch's layout).",
            lanes == 1
                ? "Fewer than 8 inputs: each row is summed one value at a time."
                : "Tiles of rows: " + RowTiles(m) + "; per row " + InputPlan(n, lanes) + ". "
                    + (full > 0 ? "A full tile's 8 accumulators are summed into one Vector256 (" + (bias ? "bias and activation" : "activation") + " on that vector)" + (rest > 0 ? "; the last tile sums row by row." : ".") : "The tile sums row by row."));
        w.Open("private static void " + StepName(Forward(layer) + Suffix(width), layer) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + BiasParameter(layer, "b", ReadOnlySpan) + Span + " y)");
        foreach (string r in s_forwardSpans.Where(r => bias || r != "b"))
        {
            w.Line(VectorCode.Ref(r + "r", r));
        }

        if (lanes == 1)
        {
            EmitScalarForward(w, n, m, act, bias);
        }
        else
        {
            if (full > 0)
            {
                w.Line("// For the horizontal sums of full tiles (see the end of the tile).");
                EmitTileSumConstants(w);
                w.Open("for (int o = 0; o < " + I(full) + "; o += " + I(TileRows) + ")");
                EmitForwardTile(w, n, lanes, TileRows, "o", act, bias);
                w.Close();
            }

            if (rest > 0)
            {
                w.Open("// Rows " + I(full) + "–" + I(m - 1) + ": one tile of " + I(rest) + ".");
                EmitForwardTile(w, n, lanes, rest, I(full), act, bias);
                w.Close();
            }

            if (full > 0 && act is not null)
            {
                act.EmitVectorHelpers(w, 8);
            }
        }

        w.Close();
    }

    public override string? ScalarFallback(LayerPlan layer, int width) =>
        VectorCode.Lanes(StepInputs(layer), width) > 1 ? null
        : "forward and backward: " + I(StepInputs(layer)) + " inputs, fewer than 8: each row is summed one value at a time";

    public override string VectorForwardCall(LayerPlan layer, LayerOperands o, int width) =>
        Forward(layer) + Suffix(width) + "(" + o.X + ", " + o.W + ", " + BiasOperand(layer, o.B) + o.Y + ");";

    private void EmitVectorBackwardStep(CodeWriter w, LayerPlan layer, int width)
    {
        int n = StepInputs(layer), m = StepOutputs(layer);
        int lanes = BackwardLanes(n, width);
        Activation? act = layer.FusedActivation;
        bool dx = layer.NeedsInputGradient;
        VectorCode.DocSummary(
            w,
            Head(layer) + ", " + Suffix(width) + " backward: "
                + (act is null ? "g = dy" : "g = dy ⊙ " + ActName(act) + "'(y) (y and dy are those of the fused " + ActName(act) + "; g goes to scratch)")
                + (HasBias(layer) ? ", db += g" : string.Empty) + ", dw += g ⊗ x" + (dx ? ", dx = wᵀ·g" : " (no input gradient: nothing below learns)") + ".",
            (HasBias(layer) ? "g and db: " : act is null ? "g is dy: " : "g: ") + VectorCode.ElementwisePlan(m, width, 1) + ".",
            lanes == 1
                ? "Fewer than 8 inputs: each row is done one value at a time" + (dx ? ", dx in " + I(n) + " scalar accumulators" : string.Empty) + "."
                : "Input columns in blocks of " + I(BlockVectors(width, dx)) + " vectors of " + I(lanes) + ": " + ColumnBlocks(n, lanes, BlockVectors(width, dx)) + "; each block holds x" + (dx ? " and its dx accumulators" : string.Empty)
                    + " in registers over one pass through the " + I(m) + " rows."
                    + (lanes < VectorCode.Lanes(n, width) ? " (Vectors of 8: rows of " + I(n) + " floats are not whole 64-byte lines, and 64-byte loads and stores across lines cost more than they gain here.)" : string.Empty));
        w.Open("private static void " + StepName(Backward(layer) + Suffix(width), layer) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, "
            + (act is null ? string.Empty : ReadOnlySpan + " y, ") + ReadOnlySpan + " dy, " + Span + " dw" + (HasBias(layer) ? ", " + Span + " db" : string.Empty)
            + (act is null ? string.Empty : ", " + Span + " g") + (dx ? ", " + Span + " dx" : string.Empty) + ")");
        var refs = new List<string> { "x", "w" };
        if (act is not null)
        {
            refs.Add("y");
        }

        refs.AddRange(s_gradientSpans.Where(r => HasBias(layer) || r != "db"));
        if (act is not null)
        {
            refs.Add("g");
        }

        if (dx)
        {
            refs.Add("dx");
        }

        foreach (string r in refs)
        {
            w.Line(VectorCode.Ref(r + "r", r));
        }

        if (act is null)
        {
            w.Line("ref float gr = ref dyr;");
        }

        if (act is not null || HasBias(layer))
        {
            EmitGradientAndBias(w, m, width, act, HasBias(layer));
        }

        if (lanes == 1)
        {
            EmitScalarBackward(w, n, m, dx);
        }
        else
        {
            EmitColumnBlocks(w, n, m, lanes, BlockVectors(width, dx), dx);
        }

        w.Close();
    }

    public override string VectorBackwardCall(LayerPlan layer, LayerOperands o, int width) =>
        Backward(layer) + Suffix(width) + "(" + o.X + ", " + o.W + (layer.FusedActivation is null ? string.Empty : ", " + o.Y) + ", " + o.Dy + ", " + o.DW + (HasBias(layer) ? ", " + o.DB : string.Empty)
        + (layer.FusedActivation is null ? string.Empty : ", " + o.Scratch) + (layer.NeedsInputGradient ? ", " + o.Dx : string.Empty) + ");";

    private static readonly string[] s_gradientSpans = { "dy", "dw", "db" };

    private static readonly string[] s_forwardSpans = { "x", "w", "b", "y" };

    /// <summary>
    /// Vector width of the backward column blocks. The backward pass streams w and dw (load, add, store) from L2;
    /// on the Vector512 path, when a row of w is not a whole number of 64-byte lines (inputs not a multiple of
    /// 16), every other row's 64-byte accesses straddle two lines, and measured on LeNet's 120 → 84 that made
    /// the backward 1.5× slower than with 32-byte vectors, so such layers use vectors of 8 there.
    /// </summary>
    private static int BackwardLanes(int n, int width) => width == 16 && n % 16 != 0 && n >= 8 ? 8 : VectorCode.Lanes(n, width);

    private static string ActName(Activation? act) => act?.DisplayName.ToLowerInvariant() ?? string.Empty;

    private static string RowTiles(int m)
    {
        int full = m / TileRows, rest = m % TileRows;
        string tiles = full > 0 ? I(full) + " × " + I(TileRows) : string.Empty;
        return rest == 0 ? tiles : (full > 0 ? tiles + ", then " : string.Empty) + "one of " + I(rest) + " at row " + I(full * TileRows);
    }

    private static string InputPlan(int n, int lanes)
    {
        int tail = n % lanes;
        return I(n / lanes) + " vector" + (n / lanes == 1 ? string.Empty : "s") + " of " + I(lanes) + " inputs"
            + (tail == 0 ? string.Empty : ", then the last " + I(tail) + " inputs as the vector at " + I(n - lanes) + " with its first " + I(lanes - tail) + " lanes of x masked off");
    }

    private static string ColumnBlocks(int n, int lanes, int block)
    {
        int vectors = n / lanes, tail = n % lanes;
        int blocks = vectors / block, rest = vectors % block;
        string text = blocks > 0 ? I(blocks) + " full" : string.Empty;
        if (rest > 0 || tail > 0)
        {
            text += (blocks > 0 ? ", then " : string.Empty) + "one of " + (rest > 0 ? I(rest) + " vector" + (rest == 1 ? string.Empty : "s") : string.Empty)
                + (tail > 0 ? (rest > 0 ? " and " : string.Empty) + "the last " + I(tail) + " inputs as the vector at " + I(n - lanes) + " (x masked, dx recomputed)" : string.Empty);
        }

        return text;
    }

    /// <summary>
    /// y = w·x + b for <paramref name="m"/> rows of <paramref name="n"/> floats in the forward kernel's tiles (for other
    /// kinds' row products: the recurrent layers' gate projections). The references <c>xr</c>, <c>wr</c>, <c>br</c> and
    /// <c>yr</c> must be declared; <c>br</c> may be <c>yr</c> (each row's b is read before its y is written).
    /// Needs <c>VectorCode.Lanes(n, width)</c> above 1.
    /// </summary>
    internal static void EmitRowProducts(CodeWriter w, int n, int m, int width)
    {
        int lanes = VectorCode.Lanes(n, width);
        int full = m / TileRows * TileRows, rest = m % TileRows;
        if (full > 0)
        {
            EmitTileSumConstants(w);
            w.Open("for (int o = 0; o < " + I(full) + "; o += " + I(TileRows) + ")");
            EmitForwardTile(w, n, lanes, TileRows, "o", null, bias: true);
            w.Close();
        }

        if (rest > 0)
        {
            w.Open("// Rows " + I(full) + "–" + I(m - 1) + ".");
            EmitForwardTile(w, n, lanes, rest, I(full), null, bias: true);
            w.Close();
        }
    }

    /// <summary>
    /// dw += g ⊗ x and, with <paramref name="dx"/>, dx = wᵀ·g for <paramref name="m"/> rows of <paramref name="n"/> floats, in the
    /// backward kernel's column blocks (for other kinds' row products). The references <c>xr</c>, <c>wr</c>, <c>gr</c>,
    /// <c>dwr</c> (and <c>dxr</c>) must be declared. Needs <c>VectorCode.Lanes(n, width)</c> above 1.
    /// </summary>
    internal static void EmitRowGradients(CodeWriter w, int n, int m, int width, bool dx) =>
        EmitColumnBlocks(w, n, m, BackwardLanes(n, width), BlockVectors(width, dx), dx);

    /// <summary>The shuffles and lane masks <see cref="EmitTileSums"/> reads, declared once per kernel.</summary>
    private static void EmitTileSumConstants(CodeWriter w)
    {
        w.Line("var swap1 = " + VectorCode.Ints(8, i => i ^ 1) + ";");
        w.Line("var swap2 = " + VectorCode.Ints(8, i => i ^ 2) + ";");
        w.Line("var evenLanes = " + Aliases.V256 + ".AsSingle(" + VectorCode.Ints(8, i => (i & 1) == 0 ? -1 : 0) + ");");
        w.Line("var lowPairs = " + Aliases.V256 + ".AsSingle(" + VectorCode.Ints(8, i => (i & 2) == 0 ? -1 : 0) + ");");
    }

    /// <summary>One forward tile: <paramref name="rows"/> rows starting at <paramref name="row"/> (the loop variable or a literal).</summary>
    private static void EmitForwardTile(CodeWriter w, int n, int lanes, int rows, string row, Activation? act, bool bias)
    {
        string v = VectorCode.Vec(lanes);
        w.Line("ref float wt = ref " + VectorCode.Unsafe + ".Add(ref wr, " + (row == "o" ? "o * " + I(n) : I(int.Parse(row, System.Globalization.CultureInfo.InvariantCulture) * n)) + ");");
        for (int r = 0; r < rows; r++)
        {
            w.Line("var a" + I(r) + " = " + VectorCode.Zero(lanes) + ";");
        }

        int vectors = n / lanes, tail = n % lanes;
        w.Open("for (nuint i = 0; i < " + I(vectors * lanes) + "; i += " + I(lanes) + ")");
        w.Line("var xv = " + VectorCode.Load(lanes, "xr", "i") + ";");
        for (int r = 0; r < rows; r++)
        {
            w.Line("a" + I(r) + " = " + VectorCode.Fma(lanes, VectorCode.Load(lanes, "wt", VectorCode.Plus("i", r * n)), "xv", "a" + I(r)) + ";");
        }

        w.Close();
        if (tail > 0)
        {
            w.Line("// The last " + I(tail) + " inputs: the vector at " + I(n - lanes) + ", its first " + I(lanes - tail) + " lanes of x zeroed (already summed above).");
            w.Line("var xt = " + VectorCode.Load(lanes, "xr", I(n - lanes)) + " & " + VectorCode.KeepFrom(lanes, lanes - tail) + ";");
            for (int r = 0; r < rows; r++)
            {
                w.Line("a" + I(r) + " = " + VectorCode.Fma(lanes, VectorCode.Load(lanes, "wt", I((r * n) + n - lanes)), "xt", "a" + I(r)) + ";");
            }
        }

        if (rows == TileRows)
        {
            EmitTileSums(w, lanes, row, act, bias);
            return;
        }

        for (int r = 0; r < rows; r++)
        {
            string sum = v + ".Sum(a" + I(r) + ")" + (bias ? " + " + VectorCode.At("br", VectorCode.Plus(row, r)) : string.Empty);
            string y = VectorCode.At("yr", VectorCode.Plus(row, r));
            if (act is Activation id)
            {
                w.Line("float s" + I(r) + " = " + sum + ";");
                w.Line(y + " = " + id.Scalar("s" + I(r)) + ";");
            }
            else
            {
                w.Line(y + " = " + sum + ";");
            }
        }
    }

    /// <summary>
    /// The 8 horizontal sums of a full tile as one Vector256, then bias and activation on that vector: each
    /// accumulator is first folded to 8 lanes (Vector512: lower + upper half); then neighbours are added and
    /// the accumulators interleaved twice (lanes 2j / 2j + 1, then pairs of lanes), which leaves the sums of
    /// lanes 0–3 of a0…a3 in the lower half and of lanes 4–7 in the upper half; adding the halves finishes.
    /// </summary>
    private static void EmitTileSums(CodeWriter w, int lanes, string row, Activation? act, bool bias, string acc = "a", string output = "yr")
    {
        const string V = Aliases.V256;
        string h = acc;
        if (lanes == 16)
        {
            for (int r = 0; r < TileRows; r++)
            {
                w.Line("var h" + I(r) + " = " + VectorCode.Vec(16) + ".GetLower(" + acc + I(r) + ") + " + VectorCode.Vec(16) + ".GetUpper(" + acc + I(r) + ");");
            }

            h = "h";
        }

        string swap1 = "swap1", swap2 = "swap2", even = "evenLanes", lowPairs = "lowPairs";
        string Neighbours(string x, string swap) => x + " + " + V + ".Shuffle(" + x + ", " + swap + ")";
        for (int r = 0; r < TileRows; r += 2)
        {
            w.Line("var q" + I(r) + " = " + V + ".ConditionalSelect(" + even + ", " + Neighbours(h + I(r), swap1) + ", " + Neighbours(h + I(r + 1), swap1) + ");");
        }

        for (int r = 0; r < TileRows; r += 4)
        {
            w.Line("var u" + I(r) + " = " + V + ".ConditionalSelect(" + lowPairs + ", " + Neighbours("q" + I(r), swap2) + ", " + Neighbours("q" + I(r + 2), swap2) + ");");
        }

        w.Line("var s = " + V + ".Create(" + V + ".GetLower(u0) + " + V + ".GetUpper(u0), " + V + ".GetLower(u4) + " + V + ".GetUpper(u4))" + (bias ? " + " + VectorCode.Load(8, "br", row) : string.Empty) + ";");
        w.Line(VectorCode.Store(8, act is Activation id ? id.Vector(8, "s") : "s", output, row));
    }

    /// <summary>Forward for fewer than 8 inputs: the scalar reference's order of summation, without bounds checks.</summary>
    private static void EmitScalarForward(CodeWriter w, int n, int m, Activation? act, bool bias)
    {
        w.Open("for (int o = 0; o < " + I(m) + "; o++)");
        w.Line("ref float wo = ref " + VectorCode.Unsafe + ".Add(ref wr, o * " + I(n) + ");");
        w.Line("float s = " + (bias ? VectorCode.At("br", "o") : "0f") + ";");
        for (int i = 0; i < n; i++)
        {
            w.Line("s += " + VectorCode.At("wo", I(i)) + " * " + VectorCode.At("xr", I(i)) + ";");
        }

        w.Line(VectorCode.At("yr", "o") + " = " + (act is Activation id ? id.Scalar("s") : "s") + ";");
        w.Close();
    }

    /// <summary>g = dy ⊙ act'(y) into scratch (or g is dy), and db += g when the layer has a bias.</summary>
    private static void EmitGradientAndBias(CodeWriter w, int m, int width, Activation? act, bool bias)
    {
        VectorCode.Elementwise(
            w,
            m,
            width,
            1,
            (lanes, at, k, keep) =>
            {
                string g = "g" + I(k);
                if (act is Activation id)
                {
                    string y = "y" + I(k);
                    w.Line("var " + y + " = " + VectorCode.Load(lanes, "yr", at) + ";");
                    w.Line("var " + g + " = " + id.VectorDerivative(lanes, VectorCode.Load(lanes, "dyr", at), y) + ";");
                    w.Line(VectorCode.Store(lanes, g, "gr", at));
                }
                else
                {
                    w.Line("var " + g + " = " + VectorCode.Load(lanes, "dyr", at) + ";");
                }

                if (bias)
                {
                    w.Line(VectorCode.Store(lanes, VectorCode.Load(lanes, "dbr", at) + " + " + (keep is null ? g : "(" + g + " & " + keep + ")"), "dbr", at));
                }
            },
            at =>
            {
                if (act is Activation id)
                {
                    w.Line(VectorCode.At("gr", at) + " = " + id.ScalarDerivative(VectorCode.At("dyr", at), VectorCode.At("yr", at)) + ";");
                }

                if (bias)
                {
                    w.Line(VectorCode.At("dbr", at) + " += " + VectorCode.At("gr", at) + ";");
                }
            });
    }

    /// <summary>dw += g ⊗ x and dx = wᵀ·g in blocks of input columns (see the comment above the vector kernels).</summary>
    private static void EmitColumnBlocks(CodeWriter w, int n, int m, int lanes, int block, bool dx) =>
        ForColumnBlocks(w, n, lanes, block, " (dx there is recomputed, identically)", columns => EmitColumnBlock(w, n, m, lanes, dx, columns));

    private static void EmitColumnBlock(CodeWriter w, int n, int m, int lanes, bool dx, List<(string At, string? Keep)> columns)
    {
        for (int k = 0; k < columns.Count; k++)
        {
            string load = VectorCode.Load(lanes, "xr", columns[k].At);
            w.Line("var x" + I(k) + " = " + (columns[k].Keep is string keep ? load + " & " + keep : load) + ";");
        }

        if (dx)
        {
            for (int k = 0; k < columns.Count; k++)
            {
                w.Line("var d" + I(k) + " = " + VectorCode.Zero(lanes) + ";");
            }
        }

        w.Open("for (int o = 0; o < " + I(m) + "; o++)");
        w.Line("var gv = " + VectorCode.Vec(lanes) + ".Create(" + VectorCode.At("gr", "o") + ");");
        if (dx)
        {
            w.Line("ref float wo = ref " + VectorCode.Unsafe + ".Add(ref wr, o * " + I(n) + ");");
        }

        w.Line("ref float dwo = ref " + VectorCode.Unsafe + ".Add(ref dwr, o * " + I(n) + ");");
        for (int k = 0; k < columns.Count; k++)
        {
            string at = columns[k].At;
            if (dx)
            {
                w.Line("d" + I(k) + " = " + VectorCode.Fma(lanes, VectorCode.Load(lanes, "wo", at), "gv", "d" + I(k)) + ";");
            }

            w.Line(VectorCode.Store(lanes, VectorCode.Fma(lanes, "gv", "x" + I(k), VectorCode.Load(lanes, "dwo", at)), "dwo", at));
        }

        w.Close();
        if (dx)
        {
            for (int k = 0; k < columns.Count; k++)
            {
                w.Line(VectorCode.Store(lanes, "d" + I(k), "dxr", columns[k].At));
            }
        }
    }

    /// <summary>Backward for fewer than 8 inputs, in the scalar reference's order, without bounds checks.</summary>
    private static void EmitScalarBackward(CodeWriter w, int n, int m, bool dx)
    {
        if (dx)
        {
            for (int i = 0; i < n; i++)
            {
                w.Line("float d" + I(i) + " = 0f;");
            }
        }

        w.Open("for (int o = 0; o < " + I(m) + "; o++)");
        w.Line("float gs = " + VectorCode.At("gr", "o") + ";");
        if (dx)
        {
            w.Line("ref float wo = ref " + VectorCode.Unsafe + ".Add(ref wr, o * " + I(n) + ");");
        }

        w.Line("ref float dwo = ref " + VectorCode.Unsafe + ".Add(ref dwr, o * " + I(n) + ");");
        for (int i = 0; i < n; i++)
        {
            w.Line(VectorCode.At("dwo", I(i)) + " += gs * " + VectorCode.At("xr", I(i)) + ";");
            if (dx)
            {
                w.Line("d" + I(i) + " += " + VectorCode.At("wo", I(i)) + " * gs;");
            }
        }

        w.Close();
        if (dx)
        {
            for (int i = 0; i < n; i++)
            {
                w.Line(VectorCode.At("dxr", I(i)) + " = d" + I(i) + ";");
            }
        }
    }
}

/// <summary>Dense's options: <c>[Dense(units)]</c>.</summary>
/// <param name="Units">The output size.</param>
/// <summary><c>[Dense(units, Bias = true)]</c>.</summary>
internal sealed record DenseOptions(int Units, bool Bias) : LayerOptions;
