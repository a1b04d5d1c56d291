using System.Collections.Generic;
using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

// Dense across the batch: a large Dense layer runs over a worker's chunk of samples at once (the samples'
// workspaces lie ChunkStride floats apart in one buffer), so its weights are read once per few samples and its
// weight gradient is loaded and stored once per chunk instead of once per sample.
//
// Every element is computed by the same sequence of fused multiply-adds as the per-sample kernels above: the
// forward tiles are the same 8 rows with the same horizontal sums (now over several samples at once), dw[o, i]
// starts from its stored value and adds g[o]·x[i] sample after sample, dx[i] adds w[o, i]·g[o] row after row, and
// db adds g sample after sample. So a chunk gives bit for bit what its samples give one at a time, and the tests
// hold the two to that.
internal sealed partial class DenseLayer
{
    /// <summary>
    /// Weights (in × out floats) from which a Dense runs across the batch: 65,536 (256 KB). Below it the weights
    /// and their gradient stay in L2 next to everything else a sample touches, and the per-sample kernels lose little;
    /// above it (the stride-2 CNN's 1,568 → 128: 800 KB) each sample streamed them from L2 or memory twice.
    /// </summary>
    internal const int MinWeightsAcrossBatch = 65536;

    /// <summary>What a network with a Dense that runs across the batch gets (any network with a Dense reserves the names).</summary>
    public override IEnumerable<string> NetworkMembers => new[]
    {
        "SegmentCount", "ForwardSegment", "BackwardSegment", "ForwardCore", "ChunkStride", "IsBatchedSegment", "ForwardChunk", "BackwardChunk", "ChunkScalar",
    };

    /// <summary>Samples per forward tile on Vector512: 8 rows × 3 samples = 24 accumulators of the 32 registers.</summary>
    private static int ForwardSamples(int width) => width == 16 ? 3 : 1;

    /// <summary>Vectors of input columns per weight-gradient and input-gradient tile: 4 × 4 accumulators on Vector512, 4 × 2 on Vector256.</summary>
    private static int ChunkVectors(int width) => width == 16 ? 4 : 2;

    /// <summary>Rows of dw per weight-gradient tile, and samples per input-gradient tile.</summary>
    private const int ChunkTile = 4;

    /// <summary>
    /// Whether layer <paramref name="i"/> is a Dense that runs across the batch: big enough (<see cref="MinWeightsAcrossBatch"/>),
    /// vectorizable (16 inputs or more), below the logits layer (whose gradient the loss gives per sample), reading
    /// a layer's output (not the caller's input span) whose gradient, if any, it writes into the workspace itself.
    /// </summary>
    internal static bool RunsAcrossBatch(LayerPlan[] layers, int i, int logitsLayer)
    {
        LayerPlan l = layers[i];
        if (l.Kind is not DenseLayer || l.Input.IsSequence || i >= logitsLayer || l.Input.Size < 16 || (long)l.Input.Size * l.Output.Size < MinWeightsAcrossBatch)
        {
            return false;
        }

        Operand x = l.Operands[0];
        LayerPlan owner = l.FusedActivation is null ? l : layers[i + 1];
        return x.Producer >= 0 && !x.IsStaged && !x.Accumulates && l.ScratchOffset >= 0 && owner.Delta.InWorkspace
            && (l.NeedsInputGradient ? x.Gradient.InWorkspace : !x.Gradient.Exists);
    }

    /// <summary>The forward kernel across a chunk on the <paramref name="width"/> path.</summary>
    internal static string ChunkForwardName(LayerPlan layer, int width) => Forward(layer) + "Chunk" + Suffix(width);

    /// <summary>The backward kernel across a chunk on the <paramref name="width"/> path.</summary>
    internal static string ChunkBackwardName(LayerPlan layer, int width) => Backward(layer) + "Chunk" + Suffix(width);

    /// <summary>The call of the forward chunk kernel: weights (and bias) as slices of <c>p</c>.</summary>
    internal static string ChunkForwardCall(LayerPlan layer, int width) =>
        ChunkForwardName(layer, width) + "(workspaces, count, " + Slice("p", layer.Tensors[0]) + (HasBias(layer) ? ", " + Slice("p", layer.Tensors[1]) : string.Empty) + ");";

    /// <summary>The call of the backward chunk kernel.</summary>
    internal static string ChunkBackwardCall(LayerPlan layer, int width) =>
        ChunkBackwardName(layer, width) + "(workspaces, count, " + Slice("p", layer.Tensors[0]) + ", " + Slice("gradients", layer.Tensors[0])
        + (HasBias(layer) ? ", " + Slice("gradients", layer.Tensors[1]) : string.Empty) + ");";

    private static string Slice(string buffer, TensorPlan t) => buffer + ".Slice(" + I(t.Offset) + ", " + I(t.Length) + ")";

    /// <summary>A sample's float at workspace offset <paramref name="offset"/>: <c>ref Unsafe.Add(ref ws, sample * stride + offset)</c>.</summary>
    private static string SampleRef(string name, string sample, int stride, int offset) =>
        "ref float " + name + " = ref " + VectorCode.Unsafe + ".Add(ref ws, " + (sample.Contains(" ") ? "(" + sample + ")" : sample) + " * " + I(stride) + (offset == 0 ? string.Empty : " + " + I(offset)) + ");";

    /// <summary>
    /// y = act(w·x + b) for <c>count</c> samples: tiles of 8 rows over <see cref="ForwardSamples"/> samples share each
    /// weight vector between the samples; the sums are the per-sample kernel's.
    /// </summary>
    /// <param name="w">The writer.</param>
    /// <param name="layer">The Dense layer.</param>
    /// <param name="owner">The layer whose output the kernel writes: the fused activation, or the Dense itself.</param>
    /// <param name="width">8 or 16.</param>
    /// <param name="stride">Floats between two samples' workspaces.</param>
    internal void EmitChunkForward(CodeWriter w, LayerPlan layer, LayerPlan owner, int width, int stride)
    {
        int n = layer.Input.Size, m = layer.Output.Size;
        int lanes = VectorCode.Lanes(n, width);
        int samples = ForwardSamples(width);
        Activation? act = layer.FusedActivation;
        bool bias = HasBias(layer);
        int full = m / TileRows * TileRows, rest = m % TileRows;
        int xAt = layer.Operands[0].Offset, yAt = owner.OutputOffset;
        VectorCode.DocSummary(
            w,
            Head(layer) + ", " + Suffix(width) + " forward across a chunk of <paramref name=\"count\"/> samples (workspaces " + I(stride) + " floats apart): y = "
                + (act is null ? string.Empty : ActName(act) + "(") + (bias ? "w·x + b" : "w·x") + (act is null ? string.Empty : ")") + " per sample.",
            "x at " + I(xAt) + ", y at " + I(yAt) + " of each workspace. Tiles of " + I(TileRows) + " rows × " + I(samples) + " sample" + (samples == 1 ? string.Empty : "s")
                + " (each weight vector loaded once for them), then one sample at a time; per row " + InputPlan(n, lanes) + "; the sums as in " + Forward(layer) + Suffix(width) + ".");
        w.Open("private static void " + ChunkForwardName(layer, width) + "(" + Span + " workspaces, int count, " + ReadOnlySpan + " w" + (bias ? ", " + ReadOnlySpan + " b" : string.Empty) + ")");
        w.Line(VectorCode.Ref("ws", "workspaces"));
        w.Line(VectorCode.Ref("wr", "w"));
        if (bias)
        {
            w.Line(VectorCode.Ref("br", "b"));
        }

        if (full > 0)
        {
            EmitTileSumConstants(w);
        }

        w.Line("int sample = 0;");
        foreach (int tile in samples == 1 ? new[] { 1 } : new[] { samples, 1 })
        {
            w.Open(tile == 1 ? "for (; sample < count; sample++)" : "for (; sample + " + I(tile) + " <= count; sample += " + I(tile) + ")");
            for (int k = 0; k < tile; k++)
            {
                w.Line(SampleRef("x" + I(k) + "r", VectorCode.Plus("sample", k), stride, xAt));
                w.Line(SampleRef("y" + I(k) + "r", VectorCode.Plus("sample", k), stride, yAt));
            }

            if (full > 0)
            {
                w.Open("for (int o = 0; o < " + I(full) + "; o += " + I(TileRows) + ")");
                EmitChunkForwardTile(w, n, lanes, TileRows, "o", act, bias, tile);
                w.Close();
            }

            if (rest > 0)
            {
                w.Open("// Rows " + I(full) + "–" + I(m - 1) + ": one tile of " + I(rest) + ".");
                EmitChunkForwardTile(w, n, lanes, rest, I(full), act, bias, tile);
                w.Close();
            }

            w.Close();
        }

        if (full > 0 && act is not null)
        {
            act.EmitVectorHelpers(w, 8);
        }

        w.Close();
    }

    /// <summary>One forward tile over <paramref name="samples"/> samples: accumulators a{sample}_{row}.</summary>
    private static void EmitChunkForwardTile(CodeWriter w, int n, int lanes, int rows, string row, Activation? act, bool bias, int samples)
    {
        string v = VectorCode.Vec(lanes);
        w.Line("ref float wt = ref " + VectorCode.Unsafe + ".Add(ref wr, " + (row == "o" ? "o * " + I(n) : I(int.Parse(row, System.Globalization.CultureInfo.InvariantCulture) * n)) + ");");
        string A(int k, int r) => "a" + I(k) + "_" + I(r);
        for (int k = 0; k < samples; k++)
        {
            for (int r = 0; r < rows; r++)
            {
                w.Line("var " + A(k, r) + " = " + VectorCode.Zero(lanes) + ";");
            }
        }

        int vectors = n / lanes, tail = n % lanes;
        void Step(string at, string? keep, System.Func<int, string> wAt)
        {
            for (int k = 0; k < samples; k++)
            {
                string load = VectorCode.Load(lanes, "x" + I(k) + "r", at);
                w.Line("var xv" + I(k) + " = " + (keep is null ? load : load + " & " + keep) + ";");
            }

            for (int r = 0; r < rows; r++)
            {
                w.Line("var wv" + I(r) + " = " + VectorCode.Load(lanes, "wt", wAt(r)) + ";");
                for (int k = 0; k < samples; k++)
                {
                    w.Line(A(k, r) + " = " + VectorCode.Fma(lanes, "wv" + I(r), "xv" + I(k), A(k, r)) + ";");
                }
            }
        }

        w.Open("for (nuint i = 0; i < " + I(vectors * lanes) + "; i += " + I(lanes) + ")");
        Step("i", null, r => VectorCode.Plus("i", r * n));
        w.Close();
        if (tail > 0)
        {
            w.Open("// The last " + I(tail) + " inputs: the vector at " + I(n - lanes) + ", its first " + I(lanes - tail) + " lanes of x zeroed (already summed above).");
            Step(I(n - lanes), VectorCode.KeepFrom(lanes, lanes - tail), r => I((r * n) + n - lanes));
            w.Close();
        }

        for (int k = 0; k < samples; k++)
        {
            if (rows == TileRows)
            {
                w.Open("// The sums of sample" + (k == 0 ? string.Empty : " + " + I(k)) + ".");
                EmitTileSums(w, lanes, row, act, bias, "a" + I(k) + "_", "y" + I(k) + "r");
                w.Close();
                continue;
            }

            for (int r = 0; r < rows; r++)
            {
                string sum = v + ".Sum(" + A(k, r) + ")" + (bias ? " + " + VectorCode.At("br", VectorCode.Plus(row, r)) : string.Empty);
                string y = VectorCode.At("y" + I(k) + "r", VectorCode.Plus(row, r));
                if (act is Activation id)
                {
                    w.Line("float s" + I(k) + "_" + I(r) + " = " + sum + ";");
                    w.Line(y + " = " + id.Scalar("s" + I(k) + "_" + I(r)) + ";");
                }
                else
                {
                    w.Line(y + " = " + sum + ";");
                }
            }
        }
    }

    /// <summary>
    /// Backward across a chunk: g = dy (⊙ act'(y)) and db per sample, then dw += Σ g ⊗ x with each dw tile in
    /// registers over all samples, then dx = wᵀ·g in tiles of 4 samples.
    /// </summary>
    internal void EmitChunkBackward(CodeWriter w, LayerPlan layer, LayerPlan owner, int width, int stride)
    {
        int n = layer.Input.Size, m = layer.Output.Size;
        int lanes = BackwardLanes(n, width);
        int vectors = ChunkVectors(width);
        Activation? act = layer.FusedActivation;
        bool bias = HasBias(layer), dx = layer.NeedsInputGradient;
        int xAt = layer.Operands[0].Offset, yAt = owner.OutputOffset, dyAt = owner.Delta.Offset, gAt = act is null ? dyAt : layer.ScratchOffset;
        int dxAt = dx ? layer.Operands[0].Gradient.Offset : -1;
        VectorCode.DocSummary(
            w,
            Head(layer) + ", " + Suffix(width) + " backward across a chunk of <paramref name=\"count\"/> samples (workspaces " + I(stride) + " floats apart): "
                + (act is null ? "g = dy" : "g = dy ⊙ " + ActName(act) + "'(y) into each sample's scratch") + (bias ? ", db += g" : string.Empty) + " sample by sample; dw += Σ g ⊗ x"
                + (dx ? "; dx = wᵀ·g" : " (no input gradient: nothing below learns)") + ".",
            "x at " + I(xAt) + ", dy at " + I(dyAt) + (act is null ? string.Empty : ", y at " + I(yAt) + ", g at " + I(gAt)) + (dx ? ", dx at " + I(dxAt) : string.Empty) + " of each workspace.",
            "dw in tiles of " + I(ChunkTile) + " rows × " + I(vectors) + " vectors of " + I(lanes) + " inputs held in registers while all samples add into them"
                + (dx ? "; dx in tiles of " + I(ChunkTile) + " samples × " + I(vectors) + " vectors over one pass through the " + I(m) + " rows" : string.Empty) + ".");
        w.Open("private static void " + ChunkBackwardName(layer, width) + "(" + Span + " workspaces, int count, " + ReadOnlySpan + " w, " + Span + " dw" + (bias ? ", " + Span + " db" : string.Empty) + ")");
        w.Line(VectorCode.Ref("ws", "workspaces"));
        w.Line(VectorCode.Ref("wr", "w"));
        w.Line(VectorCode.Ref("dwr", "dw"));
        if (bias)
        {
            w.Line(VectorCode.Ref("dbr", "db"));
        }

        if (act is not null || bias)
        {
            w.Open("for (int sample = 0; sample < count; sample++)");
            w.Line(SampleRef("dyr", "sample", stride, dyAt));
            if (act is not null)
            {
                w.Line(SampleRef("yr", "sample", stride, yAt));
                w.Line(SampleRef("gr", "sample", stride, gAt));
            }
            else
            {
                w.Line("ref float gr = ref dyr;");
            }

            EmitGradientAndBias(w, m, width, act, bias);
            w.Close();
        }

        w.Line("// dw += Σ over the samples of g ⊗ x.");
        ForColumnBlocks(w, n, lanes, vectors, string.Empty, columns => EmitWeightGradientTiles(w, n, m, lanes, columns, stride, xAt, gAt));
        if (dx)
        {
            w.Line("// dx = wᵀ·g, sample by sample.");
            ForColumnBlocks(w, n, lanes, vectors, " (dx there is recomputed, identically)", columns => EmitInputGradientTiles(w, n, m, lanes, columns, stride, gAt, dxAt));
        }

        w.Close();
    }

    /// <summary>
    /// Blocks of <paramref name="block"/> vectors of input columns: full blocks in a loop over <c>i0</c>, then one
    /// block of what is left, its last vector ending at the last input with the columns already covered masked off.
    /// </summary>
    /// <param name="w">The writer.</param>
    /// <param name="n">Input columns.</param>
    /// <param name="lanes">Floats per vector.</param>
    /// <param name="block">Vectors per block.</param>
    /// <param name="tailNote">Said of the masked last vector in the comment above the last block.</param>
    /// <param name="body">Writes one block's code for its columns (offset expression, and the mask of a masked vector).</param>
    private static void ForColumnBlocks(CodeWriter w, int n, int lanes, int block, string tailNote, System.Action<List<(string At, string? Keep)>> body)
    {
        int full = n / lanes, tail = n % lanes;
        int blocks = full / block, rest = full % block;
        int span = block * lanes;
        if (blocks > 0)
        {
            var columns = new List<(string At, string? Keep)>();
            for (int k = 0; k < block; k++)
            {
                columns.Add((VectorCode.Plus("i0", k * lanes), null));
            }

            w.Open("for (int i0 = 0; i0 < " + I(blocks * span) + "; i0 += " + I(span) + ")");
            body(columns);
            w.Close();
        }

        if (rest > 0 || tail > 0)
        {
            var columns = new List<(string At, string? Keep)>();
            for (int k = 0; k < rest; k++)
            {
                columns.Add((I((blocks * span) + (k * lanes)), null));
            }

            if (tail > 0)
            {
                columns.Add((I(n - lanes), VectorCode.KeepFrom(lanes, lanes - tail)));
            }

            w.Open("// Columns " + I(blocks * span) + "–" + I(n - 1) + (tail > 0 ? "; the last vector starts at " + I(n - lanes) + " and masks the " + I(lanes - tail) + " columns already done out of x" + tailNote : string.Empty) + ".");
            body(columns);
            w.Close();
        }
    }

    /// <summary>dw tiles of the given columns: rows in tiles of <see cref="ChunkTile"/>, each tile loaded, added into by every sample, stored.</summary>
    private static void EmitWeightGradientTiles(CodeWriter w, int n, int m, int lanes, List<(string At, string? Keep)> columns, int stride, int xAt, int gAt)
    {
        int full = m / ChunkTile * ChunkTile, rest = m % ChunkTile;
        if (full > 0)
        {
            w.Open("for (int o = 0; o < " + I(full) + "; o += " + I(ChunkTile) + ")");
            EmitWeightGradientTile(w, n, lanes, columns, ChunkTile, "o", stride, xAt, gAt);
            w.Close();
        }

        if (rest > 0)
        {
            w.Open("// Rows " + I(full) + "–" + I(m - 1) + ".");
            EmitWeightGradientTile(w, n, lanes, columns, rest, I(full), stride, xAt, gAt);
            w.Close();
        }
    }

    private static void EmitWeightGradientTile(CodeWriter w, int n, int lanes, List<(string At, string? Keep)> columns, int rows, string row, int stride, int xAt, int gAt)
    {
        string C(int r, int k) => "c" + I(r) + "_" + I(k);
        w.Line("ref float dwo = ref " + VectorCode.Unsafe + ".Add(ref dwr, " + (row == "o" ? "o * " + I(n) : I(int.Parse(row, System.Globalization.CultureInfo.InvariantCulture) * n)) + ");");
        for (int r = 0; r < rows; r++)
        {
            for (int k = 0; k < columns.Count; k++)
            {
                w.Line("var " + C(r, k) + " = " + VectorCode.Load(lanes, "dwo", VectorCode.Plus(columns[k].At, r * n)) + ";");
            }
        }

        w.Open("for (int sample = 0; sample < count; sample++)");
        w.Line(SampleRef("xs", "sample", stride, xAt));
        w.Line(SampleRef("gs", "sample", stride, gAt));
        for (int k = 0; k < columns.Count; k++)
        {
            string load = VectorCode.Load(lanes, "xs", columns[k].At);
            w.Line("var x" + I(k) + " = " + (columns[k].Keep is string keep ? load + " & " + keep : load) + ";");
        }

        for (int r = 0; r < rows; r++)
        {
            w.Line("var g" + I(r) + " = " + VectorCode.Vec(lanes) + ".Create(" + VectorCode.At("gs", VectorCode.Plus(row, r)) + ");");
            for (int k = 0; k < columns.Count; k++)
            {
                w.Line(C(r, k) + " = " + VectorCode.Fma(lanes, "g" + I(r), "x" + I(k), C(r, k)) + ";");
            }
        }

        w.Close();

        // A masked last vector overlaps the vector before it, whose accumulator has the real sums of the overlap
        // (the masked one only kept what it loaded): it is stored first, so the other's store wins.
        int last = columns.Count - 1;
        var order = new List<int>();
        if (columns[last].Keep is not null)
        {
            w.Line("// The masked last vector first: the vector before it holds the sums of the columns they share.");
            order.Add(last);
        }

        for (int k = 0; k < columns.Count; k++)
        {
            if (columns[k].Keep is null)
            {
                order.Add(k);
            }
        }

        for (int r = 0; r < rows; r++)
        {
            foreach (int k in order)
            {
                w.Line(VectorCode.Store(lanes, C(r, k), "dwo", VectorCode.Plus(columns[k].At, r * n)));
            }
        }
    }

    /// <summary>dx of the given columns for all samples: tiles of <see cref="ChunkTile"/> samples, then one at a time.</summary>
    private static void EmitInputGradientTiles(CodeWriter w, int n, int m, int lanes, List<(string At, string? Keep)> columns, int stride, int gAt, int dxAt)
    {
        w.Line("int sample = 0;");
        foreach (int tile in new[] { ChunkTile, 1 })
        {
            string D(int j, int k) => "d" + I(j) + "_" + I(k);
            w.Open(tile == 1 ? "for (; sample < count; sample++)" : "for (; sample + " + I(tile) + " <= count; sample += " + I(tile) + ")");
            for (int j = 0; j < tile; j++)
            {
                w.Line(SampleRef("g" + I(j) + "r", VectorCode.Plus("sample", j), stride, gAt));
                for (int k = 0; k < columns.Count; k++)
                {
                    w.Line("var " + D(j, k) + " = " + VectorCode.Zero(lanes) + ";");
                }
            }

            w.Open("for (int o = 0; o < " + I(m) + "; o++)");
            w.Line("ref float wo = ref " + VectorCode.Unsafe + ".Add(ref wr, o * " + I(n) + ");");
            for (int k = 0; k < columns.Count; k++)
            {
                w.Line("var w" + I(k) + " = " + VectorCode.Load(lanes, "wo", columns[k].At) + ";");
            }

            for (int j = 0; j < tile; j++)
            {
                w.Line("var gv" + I(j) + " = " + VectorCode.Vec(lanes) + ".Create(" + VectorCode.At("g" + I(j) + "r", "o") + ");");
                for (int k = 0; k < columns.Count; k++)
                {
                    w.Line(D(j, k) + " = " + VectorCode.Fma(lanes, "w" + I(k), "gv" + I(j), D(j, k)) + ";");
                }
            }

            w.Close();
            for (int j = 0; j < tile; j++)
            {
                w.Line(SampleRef("dx" + I(j) + "r", VectorCode.Plus("sample", j), stride, dxAt));
                for (int k = 0; k < columns.Count; k++)
                {
                    w.Line(VectorCode.Store(lanes, D(j, k), "dx" + I(j) + "r", columns[k].At));
                }
            }

            w.Close();
        }
    }
}
