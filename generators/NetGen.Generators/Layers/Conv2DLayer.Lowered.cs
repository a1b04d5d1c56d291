using System.Collections.Generic;
using System.Linq;
using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// The backward of strided convolutions (and their forward where the phase-split one, Conv2DLayer.PhaseSplit.cs,
/// does not fit): the convolution lowered to matrix products. The forward unrolls x into col [C·K·K][P'] (one row
/// per tap (c, ky, kx), one column per output position, P = OH·OW rounded up to a Vector512 with zero columns), then
/// y = w · col with w read as [F][C·K·K]: a tile of 4 filters × 2 column vectors stays in registers while the taps
/// run. Backward unrolls x transposed, colᵀ [P][C·K·K rounded up to a Vector512], forms g = dy ⊙ act′(y) as
/// [F][P'] (zero tail), adds dw += g · colᵀ with taps in lanes (4 filters × up to 4 tap vectors of accumulators
/// over the positions, each g broadcast once, no sums across lanes), then, for dx, the column gradient wᵀ · g into
/// col's place (4 taps × 2 column vectors) and scatters it back onto the input's pixels. The unrolling costs C·K·K·P
/// moves (loops over the positions that read inside x, bounds computed once per tap) against F·C·K·K·P multiply-adds.
/// </summary>
internal sealed partial class Conv2DLayer
{
    /// <summary>Filters (forward, dw) or taps (dx) per register tile.</summary>
    private const int LoweredRows = 4;

    /// <summary>The columns of the lowered input, P rounded up to the widest vector.</summary>
    private static int LoweredColumns(Shape output) => (output.H * output.W + MaxWidth - 1) / MaxWidth * MaxWidth;

    /// <summary>Scratch of the lowered kernels: col [C·K·K][P'] (dx's column gradient reuses it), then g [F][P'].</summary>
    private static long LoweredScratch(Shape input, Shape output, int k) =>
        ColFloats(input, output, k) + ((long)output.C * LoweredColumns(output));

    /// <summary>The col region: col [C·K·K][P'] (forward, dx's column gradient) or colᵀ [P][C·K·K rounded up to a Vector512] (dw).</summary>
    private static long ColFloats(Shape input, Shape output, int k) =>
        System.Math.Max((long)input.C * k * k * LoweredColumns(output), (long)output.H * output.W * TransposedTaps(input.C * k * k));

    /// <summary>A row of colᵀ: the taps rounded up to the widest vector, zero past the last tap.</summary>
    private static int TransposedTaps(int taps) => (taps + MaxWidth - 1) / MaxWidth * MaxWidth;

    /// <summary>
    /// Whether the <paramref name="width"/> path runs the lowered kernels: stride ≠ 1, scratch planned for them, and
    /// at least one vector of output positions (the last vector of a row of y overlaps the one before it).
    /// </summary>
    private static bool Lowered(LayerPlan layer, int width) =>
        Stride(layer) != 1 && layer.ScratchOffset >= 0 && layer.ScratchSize >= LoweredScratch(layer.Input, layer.Output, Kernel(layer))
        && layer.Output.H * layer.Output.W >= width;

    /// <summary>The lowered forward kernel: col from x, y = w · col (+ b), then the fused activation.</summary>
    private void EmitLoweredForward(CodeWriter w, LayerPlan layer, int width)
    {
        Shape i = layer.Input, o = layer.Output;
        int k = Kernel(layer), taps = i.C * k * k, positions = o.H * o.W, columns = LoweredColumns(o);
        Summary(w, Head(layer) + ", kernel " + I(k) + ", stride " + I(Stride(layer)) + ", padding " + I(Padding(layer)) + ", on " + (width == 16 ? "Vector512" : "Vector256")
            + " as a matrix product: col [" + I(taps) + "][" + I(columns) + "] from x [" + i + "], then y [" + I(o.C) + "][" + I(positions) + "] = w [" + I(o.C) + "][" + I(taps) + "] · col"
            + (HasBias(layer) ? " + b" : "") + (layer.FusedActivation is null ? "." : ", then " + layer.FusedActivation.DisplayName + " (y is the activation's output)."));
        w.Open("private static void " + VectorForwardName(layer, width) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + (HasBias(layer) ? ReadOnlySpan + " b, " : "") + Span + " y, " + Span + " scratch)");
        w.Line(Span + " col = scratch.Slice(0, " + I(taps * columns) + ");");
        EmitUnroll(w, layer);
        w.Line("ref float cr = ref " + MM + ".GetReference(col);");
        w.Line("ref float wr = ref " + MM + ".GetReference(w);");
        w.Line("ref float yr = ref " + MM + ".GetReference(y);");
        if (HasBias(layer))
        {
            w.Line("ref float br = ref " + MM + ".GetReference(b);");
        }

        // Vectors of output positions: pairs of whole vectors in a loop, then what is left (a whole vector, and where P
        // is not a multiple of the vector one more that ends at P, overlapping the one before: it computes some
        // outputs twice, the same way).
        int whole = positions / width, pairs = whole / 2;
        var rest = new List<string>();
        if (whole % 2 != 0)
        {
            rest.Add(I((whole - 1) * width));
        }

        if (positions % width != 0)
        {
            rest.Add(I(positions - width));
        }

        foreach ((int first, int end, int rows) in RowBlocks(o.C, LoweredRows))
        {
            w.Open("for (int f = " + I(first) + "; f < " + I(end) + "; f += " + I(rows) + ")");
            if (pairs > 0)
            {
                w.Open("for (int p = 0; p < " + I(pairs * 2 * width) + "; p += " + I(2 * width) + ")");
                EmitLoweredForwardTile(w, layer, width, rows, new[] { "p", "p + " + I(width) });
                w.Close();
            }

            if (rest.Count > 0)
            {
                EmitLoweredForwardTile(w, layer, width, rows, rest.ToArray());
            }

            w.Close();
        }

        if (layer.FusedActivation is { } activation)
        {
            activation.EmitInPlace(w, "yr", o.Size, width);
        }

        w.Close();
    }

    /// <summary>One register tile of the forward product: <paramref name="rows"/> filters from f × the column vectors at <paramref name="at"/>.</summary>
    private static void EmitLoweredForwardTile(CodeWriter w, LayerPlan layer, int width, int rows, string[] at)
    {
        Shape o = layer.Output;
        int taps = layer.Input.C * Kernel(layer) * Kernel(layer), columns = LoweredColumns(o), positions = o.H * o.W;
        string v = Vector(width);
        w.Open("// " + I(rows) + (rows == 1 ? " filter" : " filters") + " × " + I(at.Length) + (at.Length == 1 ? " vector" : " vectors") + " of positions, in registers over the " + I(taps) + " taps");
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < at.Length; c++)
            {
                w.Line(VectorOfFloat(width) + " a" + I(r) + I(c) + " = " + VectorOfFloat(width) + ".Zero;");
            }
        }

        w.Line("ref float wf = ref " + U + ".Add(ref wr, f * " + I(taps) + ");");
        w.Open("for (int j = 0; j < " + I(taps) + "; j++)");
        w.Line("ref float cj = ref " + U + ".Add(ref cr, j * " + I(columns) + ");");
        for (int c = 0; c < at.Length; c++)
        {
            w.Line(VectorOfFloat(width) + " c" + I(c) + " = " + v + ".LoadUnsafe(ref cj, (nuint)" + (at[c].Contains(" ") ? "(" + at[c] + ")" : at[c]) + ");");
        }

        for (int r = 0; r < rows; r++)
        {
            w.Line(VectorOfFloat(width) + " w" + I(r) + " = " + v + ".Create(" + U + ".Add(ref wf, " + (r == 0 ? "j" : "j + " + I(r * taps)) + "));");
            for (int c = 0; c < at.Length; c++)
            {
                w.Line("a" + I(r) + I(c) + " = " + v + ".FusedMultiplyAdd(c" + I(c) + ", w" + I(r) + ", a" + I(r) + I(c) + ");");
            }
        }

        w.Close();
        for (int r = 0; r < rows; r++)
        {
            string filter = r == 0 ? "f" : "f + " + I(r);
            string bias = HasBias(layer) ? " + " + v + ".Create(" + U + ".Add(ref br, " + filter + "))" : "";
            for (int c = 0; c < at.Length; c++)
            {
                string row = r == 0 ? "f * " + I(positions) : "(" + filter + ") * " + I(positions);
                w.Line(v + ".StoreUnsafe(a" + I(r) + I(c) + bias + ", ref yr, (nuint)(" + (at[c] == "0" ? row : row + " + " + at[c]) + "));");
            }
        }

        w.Close();
    }

    /// <summary>Writes col: for each tap (c, ky, kx) the input pixel each output position reads, 0 in the padding and the tail.</summary>
    private static void EmitUnroll(CodeWriter w, LayerPlan layer)
    {
        Shape i = layer.Input, o = layer.Output;
        int k = Kernel(layer), s = Stride(layer), p = Padding(layer);
        w.Line("// col[(c·" + I(k) + " + ky)·" + I(k) + " + kx][oy·" + I(o.W) + " + ox] = x[c, oy·" + I(s) + " + ky − " + I(p) + ", ox·" + I(s) + " + kx − " + I(p) + "], 0 outside x and past " + I(o.H * o.W) + ".");
        w.Line("col.Clear();");
        EmitTapLoops(w, layer, scatter: false, transposed: false);
    }

    /// <summary>
    /// The loops over every tap (c, ky, kx) and output position (oy, ox) whose input pixel (iy, ix) lies inside x:
    /// the rows and columns of outputs that read inside x are bounds computed once per tap, so the inner loop is a
    /// plain strided copy, col[tap][oy·OW + ox] = x[c, iy, ix] (or, with <paramref name="scatter"/>, dx[c, iy, ix] +=
    /// col[tap][oy·OW + ox], in the scalar kernel's order).
    /// </summary>
    private static void EmitTapLoops(CodeWriter w, LayerPlan layer, bool scatter, bool transposed)
    {
        Shape i = layer.Input, o = layer.Output;
        int k = Kernel(layer), s = Stride(layer), p = Padding(layer), columns = LoweredColumns(o), jPad = TransposedTaps(i.C * k * k);
        w.Open("// " + (scatter ? "dx[c, iy, ix] += col[(c·" + I(k) + " + ky)·" + I(k) + " + kx][oy·" + I(o.W) + " + ox]" : "col from x") + " with iy = oy·" + I(s) + " + ky − " + I(p) + ", ix = ox·" + I(s) + " + kx − " + I(p) + " inside x");
        w.Line("ref float xu = ref " + MM + ".GetReference(" + (scatter ? "dx" : "x") + ");");
        w.Line("ref float cu = ref " + MM + ".GetReference(col);");
        w.Open("for (int c = 0; c < " + I(i.C) + "; c++)");
        w.Open("for (int ky = 0; ky < " + I(k) + "; ky++)");
        w.Line("int oyLo = global::System.Math.Max(0, (" + I(p + s - 1) + " - ky) / " + I(s) + "), oyHi = global::System.Math.Min(" + I(o.H) + ", (" + I(i.H - 1 + p + s) + " - ky) / " + I(s) + ");");
        w.Open("for (int kx = 0; kx < " + I(k) + "; kx++)");
        w.Line("int oxLo = global::System.Math.Max(0, (" + I(p + s - 1) + " - kx) / " + I(s) + "), oxHi = global::System.Math.Min(" + I(o.W) + ", (" + I(i.W - 1 + p + s) + " - kx) / " + I(s) + ");");
        w.Open("for (int oy = oyLo; oy < oyHi; oy++)");
        w.Line("int xRow = " + CodeWriter.Sum(-p * (i.W + 1), ("c", i.H * i.W), ("oy", s * i.W), ("ky", i.W), ("kx", 1)) + "; // x[c, oy·" + I(s) + " + ky − " + I(p) + ", kx − " + I(p) + "]");
        w.Line("int colRow = " + (transposed
            ? CodeWriter.Sum(0, ("c", k * k), ("ky", k), ("kx", 1), ("oy", o.W * jPad)) + "; // colᵀ[oy·" + I(o.W) + "][tap]"
            : CodeWriter.Sum(0, ("c", k * k * columns), ("ky", k * columns), ("kx", columns), ("oy", o.W)) + ";"));
        w.Open("for (int ox = oxLo; ox < oxHi; ox++)");
        string colAt = "colRow + " + (transposed ? "(ox * " + I(jPad) + ")" : "ox");
        w.Line(scatter
            ? U + ".Add(ref xu, xRow + " + (s == 1 ? "ox" : "(ox * " + I(s) + ")") + ") += " + U + ".Add(ref cu, " + colAt + ");"
            : U + ".Add(ref cu, " + colAt + ") = " + U + ".Add(ref xu, xRow + " + (s == 1 ? "ox" : "(ox * " + I(s) + ")") + ");");
        w.Close();
        w.Close();
        w.Close();
        w.Close();
        w.Close();
        w.Close();
    }

    /// <summary>The lowered backward kernel: g, db, dw += g · colᵀ, then (for dx) wᵀ · g scattered onto dx.</summary>
    private void EmitLoweredBackward(CodeWriter w, LayerPlan layer, int width)
    {
        Shape i = layer.Input, o = layer.Output;
        int k = Kernel(layer), taps = i.C * k * k, positions = o.H * o.W, columns = LoweredColumns(o);
        Activation? activation = layer.FusedActivation;
        bool dx = layer.NeedsInputGradient;
        string v = Vector(width), vf = VectorOfFloat(width);
        Summary(w, Head(layer) + ", backward on " + (width == 16 ? "Vector512" : "Vector256") + " as matrix products: g = dy" + (activation is null ? "" : " ⊙ " + activation.DisplayName + "′(y)")
            + " as [" + I(o.C) + "][" + I(columns) + "], " + (HasBias(layer) ? "db += Σ g, " : "") + "dw += g · colᵀ"
            + (dx ? ", dcol = wᵀ · g scattered onto dx." : " (no input gradient: nothing below learns)."));
        w.Open("private static void " + VectorBackwardName(layer, width) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + ReadOnlySpan + " dy, "
            + (activation is null ? "" : ReadOnlySpan + " y, ") + Span + " dw" + (HasBias(layer) ? ", " + Span + " db" : "") + (dx ? ", " + Span + " dx" : "") + ", " + Span + " scratch)");
        int colFloats = (int)ColFloats(i, o, k), jPad = TransposedTaps(taps);
        w.Line(Span + " col = scratch.Slice(0, " + I(colFloats) + ");");
        w.Line(Span + " g = scratch.Slice(" + I(colFloats) + ", " + I(o.C * columns) + ");");
        w.Line("// colᵀ[oy·" + I(o.W) + " + ox][(c·" + I(k) + " + ky)·" + I(k) + " + kx] = x[c, oy·" + I(Stride(layer)) + " + ky − " + I(Padding(layer)) + ", ox·" + I(Stride(layer)) + " + kx − " + I(Padding(layer)) + "], 0 outside x and past tap " + I(taps) + " of a row of " + I(jPad) + ".");
        w.Line("col.Clear();");
        EmitTapLoops(w, layer, scatter: false, transposed: true);

        // g, with a zero tail so that the dot products run over whole vectors.
        w.Line("g.Clear();");
        w.Open("for (int f = 0; f < " + I(o.C) + "; f++)");
        if (HasBias(layer))
        {
            w.Line("float sum = 0f;");
        }

        w.Open("for (int q = 0; q < " + I(positions) + "; q++)");
        string at = "f * " + I(positions) + " + q";
        w.Line("float gq = " + (activation is null ? "dy[" + at + "]" : activation.ScalarDerivative("dy[" + at + "]", "y[" + at + "]")) + ";");
        w.Line("g[f * " + I(columns) + " + q] = gq;");
        if (HasBias(layer))
        {
            w.Line("sum += gq;");
        }

        w.Close();
        if (HasBias(layer))
        {
            w.Line("db[f] += sum;");
        }

        w.Close();
        w.Line("ref float cr = ref " + MM + ".GetReference(col);");
        w.Line("ref float gr = ref " + MM + ".GetReference(g);");
        w.Line("ref float wr = ref " + MM + ".GetReference(w);");
        w.Line("ref float dwr = ref " + MM + ".GetReference(dw);");

        // dw[f][j] += Σ_q g[f][q] · colᵀ[q][j]: taps in lanes, 4 filters × up to 4 tap vectors of accumulators over the positions, no sums across lanes.
        w.Line("// dw [" + I(o.C) + "][" + I(taps) + "] += g · colᵀ, taps in lanes.");
        int tapVectors = jPad / width;
        bool ragged = taps % width != 0;
        foreach ((int fFirst, int fEnd, int fRows) in RowBlocks(o.C, LoweredRows))
        {
            w.Open("for (int f = " + I(fFirst) + "; f < " + I(fEnd) + "; f += " + I(fRows) + ")");
            foreach ((int vFirst, int vEnd, int vRows) in RowBlocks(tapVectors, 4))
            {
                w.Open("for (int jv = " + I(vFirst) + "; jv < " + I(vEnd) + "; jv += " + I(vRows) + ")");
                w.Line("int j = jv * " + I(width) + ";");
                for (int r = 0; r < fRows; r++)
                {
                    for (int c = 0; c < vRows; c++)
                    {
                        w.Line(vf + " a" + I(r) + I(c) + " = " + vf + ".Zero;");
                    }
                }

                w.Open("for (int q = 0; q < " + I(positions) + "; q++)");
                for (int c = 0; c < vRows; c++)
                {
                    w.Line(vf + " c" + I(c) + " = " + v + ".LoadUnsafe(ref cr, (nuint)(q * " + I(jPad) + " + j" + (c == 0 ? "" : " + " + I(c * width)) + "));");
                }

                for (int r = 0; r < fRows; r++)
                {
                    w.Line(vf + " g" + I(r) + " = " + v + ".Create(" + U + ".Add(ref gr, " + (r == 0 ? "f" : "(f + " + I(r) + ")") + " * " + I(columns) + " + q));");
                    for (int c = 0; c < vRows; c++)
                    {
                        w.Line("a" + I(r) + I(c) + " = " + v + ".FusedMultiplyAdd(g" + I(r) + ", c" + I(c) + ", a" + I(r) + I(c) + ");");
                    }
                }

                w.Close();
                for (int r = 0; r < fRows; r++)
                {
                    for (int c = 0; c < vRows; c++)
                    {
                        string index = (r == 0 ? "f" : "(f + " + I(r) + ")") + " * " + I(taps) + " + j" + (c == 0 ? "" : " + " + I(c * width));
                        string dwAt = "(nuint)(" + index + ")";
                        string store = v + ".StoreUnsafe(" + v + ".LoadUnsafe(ref dwr, " + dwAt + ") + a" + I(r) + I(c) + ", ref dwr, " + dwAt + ");";
                        if (!ragged)
                        {
                            w.Line(store);
                            continue;
                        }

                        // The last tap vector of a row holds fewer taps than lanes: those are added one by one, so nothing past the row is read or written.
                        w.Open("if (jv" + (c == 0 ? "" : " + " + I(c)) + " == " + I(tapVectors - 1) + ")");
                        w.Open("for (int t = 0; t < " + I(taps % width) + "; t++)");
                        w.Line(U + ".Add(ref dwr, " + index + " + t) += " + v + ".GetElement(a" + I(r) + I(c) + ", t);");
                        w.Close();
                        w.Close();
                        w.Open("else");
                        w.Line(store);
                        w.Close();
                    }
                }

                w.Close();
            }

            w.Close();
        }

        if (dx)
        {
            // dcol[j][q] = Σ_f w[f][j] · g[f][q], into col's place (dw has read col): 4 taps × 2 column vectors.
            w.Line("// dcol [" + I(taps) + "][" + I(columns) + "] = wᵀ · g, in col's place.");
            var vectorBlocks = RowBlocks(columns / width, 2).ToList();
            foreach ((int jFirst, int jEnd, int jRows) in RowBlocks(taps, LoweredRows))
            {
                w.Open("for (int j = " + I(jFirst) + "; j < " + I(jEnd) + "; j += " + I(jRows) + ")");
                foreach ((int qFirst, int qEnd, int qVectors) in vectorBlocks)
                {
                    w.Open("for (int q = " + I(qFirst * width) + "; q < " + I(qEnd * width) + "; q += " + I(qVectors * width) + ")");
                    for (int r = 0; r < jRows; r++)
                    {
                        for (int c = 0; c < qVectors; c++)
                        {
                            w.Line(vf + " a" + I(r) + I(c) + " = " + vf + ".Zero;");
                        }
                    }

                    w.Open("for (int f = 0; f < " + I(o.C) + "; f++)");
                    for (int c = 0; c < qVectors; c++)
                    {
                        w.Line(vf + " g" + I(c) + " = " + v + ".LoadUnsafe(ref gr, (nuint)(f * " + I(columns) + " + q" + (c == 0 ? "" : " + " + I(c * width)) + "));");
                    }

                    for (int r = 0; r < jRows; r++)
                    {
                        w.Line(vf + " w" + I(r) + " = " + v + ".Create(" + U + ".Add(ref wr, f * " + I(taps) + " + j" + (r == 0 ? "" : " + " + I(r)) + "));");
                        for (int c = 0; c < qVectors; c++)
                        {
                            w.Line("a" + I(r) + I(c) + " = " + v + ".FusedMultiplyAdd(g" + I(c) + ", w" + I(r) + ", a" + I(r) + I(c) + ");");
                        }
                    }

                    w.Close();
                    for (int r = 0; r < jRows; r++)
                    {
                        for (int c = 0; c < qVectors; c++)
                        {
                            w.Line(v + ".StoreUnsafe(a" + I(r) + I(c) + ", ref cr, (nuint)(" + (r == 0 ? "j" : "(j + " + I(r) + ")") + " * " + I(columns) + " + q" + (c == 0 ? "" : " + " + I(c * width)) + "));");
                        }
                    }

                    w.Close();
                }

                w.Close();
            }

            // dx[c, iy, ix] = Σ over the taps and positions that read it of dcol, in the order the scalar kernel adds.
            w.Line("// dx: each tap's column gradient added back onto the pixel it read.");
            w.Line("dx.Clear();");
            EmitTapLoops(w, layer, scatter: true, transposed: false);
        }

        w.Close();
    }

    /// <summary>
    /// Loops over <paramref name="count"/> items in blocks: (first, end, step) with step <paramref name="size"/> over
    /// the whole blocks, then step 1 over the rest; empty ranges left out.
    /// </summary>
    private static IEnumerable<(int First, int End, int Size)> RowBlocks(int count, int size)
    {
        int whole = count / size * size;
        if (whole > 0)
        {
            yield return (0, whole, size);
        }

        if (whole < count)
        {
            yield return (whole, count, 1);
        }
    }
}
