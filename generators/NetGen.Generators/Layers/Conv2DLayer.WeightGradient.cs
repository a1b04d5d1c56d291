using System;
using NetGen.Generators.Emit;
using static NetGen.Generators.Layers.Conv2DCostModel;

namespace NetGen.Generators.Layers;

/// <summary>Conv2D's register-tiled weight gradient, both ways: output columns in lanes, and filters in lanes over gᵀ.</summary>
internal sealed partial class Conv2DLayer
{
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
}
