using System.Linq;
using NetGen.Generators.Emit;
using static NetGen.Generators.Layers.Conv2DCostModel;

namespace NetGen.Generators.Layers;

/// <summary>Conv2D's register-tiled direct convolution: the forward, and dx as the convolution of zero-padded g with the flipped weights.</summary>
internal sealed partial class Conv2DLayer
{
    // ---------------------------------------------------------------------------------------------------------
    // The register-tiled direct convolution (forward, and dx as a convolution of padded g).
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>
    /// One convolution as the vector kernels run it: out[o, oy, ox] = bias[o] + Σ i, ky, kx
    /// w(o, i, ky, kx) · in[i, oy + ky, ox + kx], with the input already padded; or, with <see cref="Stride"/> s &gt; 1,
    /// over the input split into its s × s phases (Conv2DLayer.PhaseSplit.cs), where tap (ky, kx) of output (oy, ox)
    /// is in[i, phase (ky mod s, kx mod s), oy + ky / s, ox + kx / s]: a stride-1 read in one phase plane per tap.
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

        /// <summary>1, or the stride s of a phase-split input: each input channel then holds <see cref="Phases"/>² planes.</summary>
        public int Stride { get; set; } = 1;

        /// <summary>Phases per axis that taps read: min(s, K).</summary>
        public int Phases { get; set; } = 1;

        /// <summary>Floats of one phase plane (its rows are <see cref="InRow"/> long).</summary>
        public int PhasePlane { get; set; }

        /// <summary>Where tap (ky, kx) of output (0, 0) starts, relative to the channel's first float.</summary>
        public int TapOffset(int ky, int kx) => Stride == 1
            ? (ky * InRow) + kx
            : ((((ky % Stride) * Phases) + (kx % Stride)) * PhasePlane) + ((ky / Stride) * InRow) + (kx / Stride);
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
            + (cv.Stride > 1 ? "; loops over c, its " + I(cv.K * cv.K) + " taps unrolled over the phase planes" : "; loops over c and ky, kx " + (UnrollKx(cv, tile, width) ? "unrolled" : "a loop"))
            + (cv.Bias is null ? "." : ", bias" + (cv.InRegisters is null ? "" : " and " + cv.InRegisters.DisplayName) + " applied in registers.");
    }

    /// <summary>Whether the tile code unrolls kx: kernels up to 7 wide, while the code stays short.</summary>
    private static bool UnrollKx(DirectConv cv, ConvTileShape tile, int width) => UnrolledLines(cv, tile, width) * cv.K <= MaxUnrolledLines && cv.K <= MaxUnrolledKernel;

    /// <summary>Whether a phase-split tile, which unrolls all K × K taps, stays short.</summary>
    private static bool UnrollTaps(DirectConv cv, ConvTileShape tile, int width) => UnrolledLines(cv, tile, width) * cv.K * cv.K <= MaxUnrolledLines;

    /// <summary>Lines of tile code per unrolled tap, over every tile variant (filter and column tails).</summary>
    private static int UnrolledLines(DirectConv cv, ConvTileShape tile, int width)
    {
        int regular = RegularBlocks(cv.OutW, width), groups = regular / tile.Cols;
        bool tail = Blocks(cv.OutW, width).Length > groups * tile.Cols;
        int fVariants = (cv.OutChannels >= tile.Filters ? 1 : 0) + (cv.OutChannels % tile.Filters > 0 ? 1 : 0);
        int cVariants = (groups > 0 ? 1 : 0) + (tail ? 1 : 0);
        int vectors = tile.Rows * tile.Cols;
        int linesPerKx = vectors + (tile.Filters * (vectors == 1 ? 1 : 1 + vectors));
        return fVariants * cVariants * linesPerKx;
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
        bool clipLo = cv.Stride == 1 && cv.RowLo > 0, clipHi = cv.Stride == 1 && cv.RowHi < cv.OutH - 1 + cv.K;
        bool unrollKx = UnrollKx(cv, tile, width);

        if (partial)
        {
            w.Line("var " + mask + " = " + MaskVector(width, lane => lane < cv.OutW) + "; // the " + I(cv.OutW) + " output columns of a row");
        }

        if (cv.OutH == 1)
        {
            w.Open("// the one row of outputs");
            w.Line("const int oy = 0;");
        }
        else if (rr == 1)
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
        bool kyLoop = cv.Stride == 1 && (cv.K > 1 || clipLo || clipHi);
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
        // xConst and wConst place the tap in x and w (relative to xk and wk), kx adds a loop's column.
        void Tap(string? kx, int xConst, int wConst, bool first)
        {
            string decl = first ? "var " : "";
            string Load(int n) => v + ".LoadUnsafe(ref " + xk + ", " + Offset(((n / vn) * cv.InRow) + offsets[n % vn] + xConst, kx) + ")";
            string Weight(int r) => v + ".Create(" + U + ".Add(ref " + wk + ", " + Lin((r * cv.WOut) + wConst, (c: cv.WKx, v: kx)) + "))";
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

        if (cv.Stride > 1)
        {
            for (int ky = 0; ky < cv.K; ky++)
            {
                for (int kx = 0; kx < cv.K; kx++)
                {
                    Tap(null, cv.TapOffset(ky, kx), (ky * cv.WKy) + (kx * cv.WKx), ky == 0 && kx == 0);
                }
            }
        }
        else if (unrollKx)
        {
            for (int kx = 0; kx < cv.K; kx++)
            {
                Tap(null, kx, kx * cv.WKx, kx == 0);
            }
        }
        else
        {
            w.Open("for (int kx = 0; kx < " + I(cv.K) + "; kx++)");
            Tap("kx", 0, 0, true);
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
}
