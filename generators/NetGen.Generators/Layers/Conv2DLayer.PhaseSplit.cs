using NetGen.Generators.Emit;
using NetGen.Generators.Model;
using static NetGen.Generators.Layers.Conv2DCostModel;

namespace NetGen.Generators.Layers;

/// <summary>
/// The forward of strided convolutions as a stride-1 direct convolution over the input split into phases. With
/// stride s, the zero-padded input xpad is copied once into s × s phase planes per channel,
/// xph[c, py, px, r, q] = xpad[c, s·r + py, s·q + px]; output (oy, ox) then reads tap (ky, kx) at
/// xph[c, ky mod s, kx mod s, oy + ky / s, ox + kx / s], so consecutive outputs read consecutive floats and the
/// register tiles of the direct convolution (Conv2DLayer.DirectConvolution.cs) run unchanged, each tap unrolled
/// with its own phase plane. The copy moves each input float once (against C·K·K·P moves of the lowered unrolling)
/// and needs no vector of output positions, so small strided outputs stay on vector kernels too. Only the phases
/// that taps read are copied (K &lt; s leaves some out: a 1×1 stride-2 projection copies one plane, the subsampled input).
/// </summary>
internal sealed partial class Conv2DLayer
{
    /// <summary>The phase-split geometry of a strided layer: phases per axis, and each phase plane's rows and columns.</summary>
    private readonly struct PhaseGeometry
    {
        public PhaseGeometry(Shape output, int k, int s)
        {
            Stride = s;
            Phases = System.Math.Min(s, k);
            Rows = output.H + ((k - 1) / s);
            Cols = output.W + ((k - 1) / s);
        }

        public int Stride { get; }

        public int Phases { get; }

        /// <summary>Rows of a phase plane: every row some tap of some output reads.</summary>
        public int Rows { get; }

        public int Cols { get; }

        public int Plane => Rows * Cols;

        /// <summary>Floats of one input channel: its phase planes.</summary>
        public int Channel => Phases * Phases * Plane;
    }

    /// <summary>Scratch of the phase-split forward: the phase planes of every channel, then slack.</summary>
    internal static long PhaseSplitScratch(Shape input, Shape output, int k, int s) =>
        ((long)input.C * new PhaseGeometry(output, k, s).Channel) + Slack;

    /// <summary>The direct convolution of a strided layer over its phase planes.</summary>
    private static DirectConv PhaseConv(LayerPlan layer, int width)
    {
        var g = new PhaseGeometry(layer.Output, Kernel(layer), Stride(layer));
        DirectConv conv = ForwardConv(layer, width);
        conv.InPlane = g.Channel;
        conv.InRow = g.Cols;
        conv.RowLo = 0;
        conv.RowHi = layer.Output.H - 1 + Kernel(layer);
        conv.Stride = g.Stride;
        conv.Phases = g.Phases;
        conv.PhasePlane = g.Plane;
        return conv;
    }

    /// <summary>
    /// Whether the <paramref name="width"/> path runs the phase-split forward: stride ≠ 1, an image input, scratch
    /// for the phase planes, and tile code that stays short with every tap unrolled.
    /// </summary>
    private static bool PhaseSplit(LayerPlan layer, int width) =>
        Stride(layer) != 1 && !layer.Input.IsFlat && layer.ScratchOffset >= 0
        && layer.ScratchSize >= PhaseSplitScratch(layer.Input, layer.Output, Kernel(layer), Stride(layer))
        && UnrollTaps(PhaseConv(layer, width), Tiling(layer).For(width).Forward, width);

    /// <summary>The phase-split forward kernel: the phase copy, the direct convolution, then a fused activation the tile could not apply.</summary>
    private void EmitPhaseSplitForward(CodeWriter w, LayerPlan layer, int width)
    {
        Shape i = layer.Input, o = layer.Output;
        int k = Kernel(layer), s = Stride(layer), p = Padding(layer);
        DirectConv conv = PhaseConv(layer, width);
        var g = new PhaseGeometry(o, k, s);
        ConvTileShape tile = Tiling(layer).For(width).Forward;

        Summary(w, Head(layer) + ", kernel " + I(k) + ", stride " + I(s) + ", padding " + I(p) + ", on " + (width == 16 ? "Vector512" : "Vector256")
            + (layer.FusedActivation is null ? "" : ", " + layer.FusedActivation.DisplayName + " fused (y is the activation's output)") + ".");
        w.Line("/// <remarks>");
        w.Line("/// Direct convolution over the phases of x: x [" + i + "] zero-padded by " + I(p) + " and split into " + I(g.Phases) + "×" + I(g.Phases)
            + " phase planes of [" + I(g.Rows) + "×" + I(g.Cols) + "] per channel, xph[c, py, px, r, q] = xpad[c, " + I(s) + "·r + py, " + I(s) + "·q + px];");
        w.Line("/// tap (ky, kx) of output (oy, ox) is xph[c, ky mod " + I(s) + ", kx mod " + I(s) + ", oy + ky / " + I(s) + ", ox + kx / " + I(s)
            + "]. w [" + I(o.C) + ", " + I(i.C) + ", " + I(k) + ", " + I(k) + "], y [" + o + "].");
        w.Line("/// " + DescribeForwardTile(layer, conv, tile, width));
        w.Line("/// </remarks>");
        OpenDirectForward(w, layer, width);
        EmitPhaseCopy(w, layer, g);
        CloseDirectForward(w, layer, conv, tile, width);
    }

    /// <summary>Copies x into the scratch's phase planes (zero where the padding or past the input falls), with zeroed slack after them.</summary>
    private static void EmitPhaseCopy(CodeWriter w, LayerPlan layer, PhaseGeometry g)
    {
        Shape i = layer.Input;
        int p = Padding(layer), s = g.Stride;
        w.Line("// x split into phases: [" + I(i.C) + "×" + I(g.Phases * g.Phases) + "×" + I(g.Rows) + "×" + I(g.Cols) + "] and " + I(Slack) + " zero floats of slack.");
        w.Line(Span + " xp = scratch.Slice(0, " + I((i.C * g.Channel) + Slack) + ");");
        w.Line("xp.Clear();");
        w.Line("ref float xs = ref " + MM + ".GetReference(x);");
        w.Line("ref float xr = ref " + MM + ".GetReference(xp);");

        // Input rows past the last phase row that taps read are left out.
        int rows = System.Math.Min(i.H, (s * g.Rows) - p);
        string? c = i.C > 1 ? "c" : null;
        if (c is not null)
        {
            w.Open("for (int c = 0; c < " + I(i.C) + "; c++)");
        }

        w.Open("for (int iy = 0; iy < " + I(rows) + "; iy++)");
        w.Line("int ry = iy + " + I(p) + "; // the row in padded x");
        if (g.Phases < s)
        {
            w.Open("if (ry % " + I(s) + " >= " + I(g.Phases) + ")");
            w.Line("continue; // a phase no tap reads");
            w.Close();
        }

        w.Line("ref float src = ref " + Ref("xs", Lin((c: i.H * i.W, v: c), (c: i.W, v: "iy"))) + ";");
        string phaseRow = "((ry % " + I(s) + ") * " + I(g.Phases * g.Plane) + ") + ((ry / " + I(s) + ") * " + I(g.Cols) + ")";
        w.Line("ref float dst = ref " + U + ".Add(ref xr, " + (c is null ? phaseRow : Lin((c: g.Channel, v: c)) + " + " + phaseRow) + ");");
        for (int px = 0; px < g.Phases; px++)
        {
            int ix0 = (((px - p) % s) + s) % s, q0 = (ix0 + p) / s;
            int count = System.Math.Min(((i.W - ix0) + s - 1) / s, g.Cols - q0);
            if (count <= 0)
            {
                continue;
            }

            w.Open("for (int q = 0; q < " + I(count) + "; q++) // phase column " + I(px) + ": x columns " + I(ix0) + ", " + I(ix0 + s) + ", …");
            w.Line(U + ".Add(ref dst, " + Lin((px * g.Plane) + q0, (c: 1, v: "q")) + ") = " + U + ".Add(ref src, " + Lin(ix0, (c: s, v: "q")) + ");");
            w.Close();
        }

        w.Close();
        if (c is not null)
        {
            w.Close();
        }
    }
}
