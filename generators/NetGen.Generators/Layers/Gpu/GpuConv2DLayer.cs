using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers.Gpu;

/// <summary>
/// Conv2D on the GPU (stride and zero padding as on the CPU). Simple kernels: forward one thread per output
/// value with the CPU's c / ky / kx loops; the weight and bias gradient one thread per weight (and per bias),
/// summed over the batch and the output positions in the CPU's order; the input gradient one thread per input
/// value, gathering over the filters and the output positions whose windows cover it. Tiled kernels: the same
/// three as implicit-im2col shared-memory GEMMs (<see cref="GpuGemm"/>): forward W[f, (c, ky, kx)]·X[(c, ky, kx),
/// (s, oy, ox)], weight gradient dY[f, (s, oy, ox)]·X[(s, oy, ox), (c, ky, kx)] split along the batch, and input
/// gradient Wᵀ[c, (f, ky, kx)]·dY[(f, ky, kx), (s, iy, ix)] with the stride and padding folded into the loads.
/// </summary>
internal sealed class GpuConv2DLayer : GpuLayerKind
{
    public override void EmitKernels(GpuNetwork g, int i)
    {
        LayerPlan l = g.Layer(i);
        CodeWriter k = g.Kernels;
        Shape ins = l.Input, outs = l.Output;
        var options = (Conv2DOptions)l.Options;
        int kk = options.Kernel, st = options.Stride, pad = options.Padding;
        int taps = kk * kk, window = ins.C * taps, plane = outs.H * outs.W, inPlane = ins.H * ins.W;
        bool bias = options.Bias;
        int wo = l.Tensors[0].Offset, bo = bias ? l.Tensors[1].Offset : -1, cols = bias ? window + 1 : window;
        GpuSlot x = g.X(i), y = g.Y(i);
        string conv = ", kernel " + I(kk) + ", stride " + I(st) + ", padding " + I(pad);

        g.OpenKernel(Name(l, "Forward"), Head(l) + conv + ": one thread per output value, the CPU's c / ky / kx loops.");
        g.OpenSampleLoop(outs.Size);
        k.Line("int f = r / " + I(plane) + ";");
        k.Line("int oy = (r / " + I(outs.W) + ") % " + I(outs.H) + ";");
        k.Line("int ox = r % " + I(outs.W) + ";");
        k.Line("int xb = " + x.Base("s") + ";");
        k.Line("int wf = " + I(wo) + " + (f * " + I(window) + ");");
        k.Line("int iy0 = " + Scaled("oy", st) + (pad > 0 ? " - " + I(pad) : string.Empty) + ", ix0 = " + Scaled("ox", st) + (pad > 0 ? " - " + I(pad) : string.Empty) + ";");
        k.Line("float sum = " + (bias ? GpuNetwork.Param(bo, "f") : "0f") + ";");
        k.Open("for (int c = 0; c < " + I(ins.C) + "; c++)");
        k.Line("int xc = xb + (c * " + I(inPlane) + "), wc = wf + (c * " + I(taps) + ");");
        k.Open("for (int ky = 0; ky < " + I(kk) + "; ky++)");
        k.Line("int iy = iy0 + ky;");
        if (pad > 0)
        {
            k.Line("if ((uint)iy >= " + I(ins.H) + "u) continue;");
        }

        k.Line("int xr = xc + (iy * " + I(ins.W) + "), wr = wc + (ky * " + I(kk) + ");");
        k.Open("for (int kx = 0; kx < " + I(kk) + "; kx++)");
        k.Line("int ix = ix0 + kx;");
        if (pad > 0)
        {
            k.Line("if ((uint)ix >= " + I(ins.W) + "u) continue;");
        }

        k.Line("sum += v.Parameters[wr + kx] * " + x.At("xr", "ix") + ";");
        k.Close();
        k.Close();
        k.Close();
        k.Line(y.At(y.Base("s"), "r") + " = sum;");
        k.Close();
        g.CloseKernel();

        new GpuGemm
        {
            M = I(outs.C),
            N = "a.Count * " + I(plane),
            K = I(window),
            LoadA = w => w.Line("val = " + GpuNetwork.Param(wo, "(m * " + I(window) + ") + k") + ";"),
            LoadB = w =>
            {
                DecomposeTap(w, "k", kk);
                DecomposePosition(w, "n", plane, outs.W, "oy", "ox");
                LoadInput(w, x, l, "s", "oy", "ox", "c", "ky", "kx");
            },
            Store = w =>
            {
                w.Line("int s = n / " + I(plane) + ";");
                w.Line(y.At(y.Base("s"), "(m * " + I(plane) + ") + (n - (s * " + I(plane) + "))") + " = acc" + (bias ? " + " + GpuNetwork.Param(bo, "m") : "") + ";");
            },
        }.Emit(g, Name(l, "ForwardTiled"), Head(l) + conv + ", tiled: Y[f, (s, oy, ox)] = W[f, (c, ky, kx)]·X[(c, ky, kx), (s, oy, ox)] as a shared-memory GEMM (implicit im2col).");

        if (!l.RunsBackward)
        {
            return;
        }

        GpuSlot dy = g.Dy(i)!.Value;
        g.OpenKernel(Name(l, "Grad"), Head(l) + conv + ", parameter gradient: dw[f, c, ky, kx] = Σ dy·x" + (bias ? " and db[f] = Σ dy" : "") + " over the batch and the output positions (in the CPU's order), one thread per weight" + (bias ? " and per bias." : "."));
        g.OpenGridLoop(I(outs.C * cols));
        k.Line("int f = t / " + I(cols) + ";");
        k.Line("int j = t - (f * " + I(cols) + ");");
        k.Line("float sum = 0f;");
        if (bias)
        {
            k.Open("if (j < " + I(window) + ")");
        }

        k.Line("int c = j / " + I(taps) + ";");
        k.Line("int ky = (j / " + I(kk) + ") % " + I(kk) + ";");
        k.Line("int kx = j % " + I(kk) + ";");
        k.Open("for (int s = 0; s < a.Count; s++)");
        k.Line("int xb = " + x.Base("s") + " + (c * " + I(inPlane) + ");");
        k.Line("int dyb = " + dy.Base("s") + " + (f * " + I(plane) + ");");
        k.Open("for (int oy = 0; oy < " + I(outs.H) + "; oy++)");
        k.Line("int iy = " + Scaled("oy", st) + " + ky" + (pad > 0 ? " - " + I(pad) : string.Empty) + ";");
        if (pad > 0)
        {
            k.Line("if ((uint)iy >= " + I(ins.H) + "u) continue;");
        }

        k.Line("int dr = dyb + (oy * " + I(outs.W) + "), xr = xb + (iy * " + I(ins.W) + ")" + (pad > 0 ? " - " + I(pad) : string.Empty) + " + kx;");
        k.Open("for (int ox = 0; ox < " + I(outs.W) + "; ox++)");
        if (pad > 0)
        {
            k.Line("int ix = " + Scaled("ox", st) + " + kx - " + I(pad) + ";");
            k.Line("if ((uint)ix >= " + I(ins.W) + "u) continue;");
        }

        k.Line("sum += " + dy.At("dr", "ox") + " * " + x.At("xr", Scaled("ox", st)) + ";");
        k.Close();
        k.Close();
        k.Close();
        k.Line(GpuNetwork.Grad(wo, "(f * " + I(window) + ") + j") + " = sum;");
        if (bias)
        {
            k.Close();
            k.Open("else");
            EmitBiasSum(k, dy, plane);
            k.Line(GpuNetwork.Grad(bo, "f") + " = sum;");
            k.Close();
        }

        k.Close();
        g.CloseKernel();

        new GpuGemm
        {
            M = I(outs.C),
            N = I(cols),
            K = "a.Count * " + I(plane),
            KTilesPerSplit = 8,
            LoadA = w =>
            {
                w.Line("int s = k / " + I(plane) + ";");
                w.Line("val = " + dy.At(dy.Base("s"), "(m * " + I(plane) + ") + (k - (s * " + I(plane) + "))") + ";");
            },
            LoadB = w =>
            {
                if (bias)
                {
                    w.Open("if (n == " + I(window) + ")");
                    w.Line("val = 1f;");
                    w.Close();
                    w.Open("else");
                }

                DecomposeTap(w, "n", kk);
                DecomposePosition(w, "k", plane, outs.W, "oy", "ox");
                LoadInput(w, x, l, "s", "oy", "ox", "c", "ky", "kx");
                if (bias)
                {
                    w.Close();
                }
            },
            Store = w =>
            {
                if (bias)
                {
                    w.Line("if (n < " + I(window) + ") global::ILGPU.Atomic.Add(ref " + GpuNetwork.Grad(wo, "(m * " + I(window) + ") + n") + ", acc);");
                    w.Line("else global::ILGPU.Atomic.Add(ref " + GpuNetwork.Grad(bo, "m") + ", acc);");
                }
                else
                {
                    w.Line("global::ILGPU.Atomic.Add(ref " + GpuNetwork.Grad(wo, "(m * " + I(window) + ") + n") + ", acc);");
                }
            },
        }.Emit(g, Name(l, "WeightGradTiled"), Head(l) + conv + (bias
            ? ", tiled parameter gradient: [dW | db][f, (c, ky, kx) | 1] = dY[f, (s, oy, ox)]·[X | 1][(s, oy, ox), (c, ky, kx) | 1] (the column of ones gives the bias), the batch split across groups that add atomically."
            : ", tiled weight gradient: dW[f, (c, ky, kx)] = dY[f, (s, oy, ox)]·X[(s, oy, ox), (c, ky, kx)], the batch split across groups that add atomically."));

        if (!l.NeedsInputGradient)
        {
            return;
        }

        GpuSlot dx = g.Dx(i)!.Value;
        g.OpenKernel(Name(l, "InputGrad"), Head(l) + conv + ", input gradient: dx[s, c, iy, ix] = Σ w[f, c, ky, kx]·dy[s, f, oy, ox] over the windows that cover it (taps in reverse, so the output positions come in the CPU's order), one thread per input value.");
        g.OpenSampleLoop(ins.Size);
        k.Line("int c = r / " + I(inPlane) + ";");
        k.Line("int iy = (r / " + I(ins.W) + ") % " + I(ins.H) + ";");
        k.Line("int ix = r % " + I(ins.W) + ";");
        k.Line("int dyb = " + dy.Base("s") + ";");
        k.Line("float sum = 0f;");
        k.Open("for (int f = 0; f < " + I(outs.C) + "; f++)");
        k.Line("int wfc = " + I(wo) + " + (((f * " + I(ins.C) + ") + c) * " + I(taps) + "), dyf = dyb + (f * " + I(plane) + ");");
        k.Open("for (int ky = " + I(kk - 1) + "; ky >= 0; ky--)");
        OutputCoordinate(k, "oy", "iy", "ky", st, pad, outs.H);
        k.Line("int wr = wfc + (ky * " + I(kk) + "), dr = dyf + (oy * " + I(outs.W) + ");");
        k.Open("for (int kx = " + I(kk - 1) + "; kx >= 0; kx--)");
        OutputCoordinate(k, "ox", "ix", "kx", st, pad, outs.W);
        k.Line("sum += v.Parameters[wr + kx] * " + dy.At("dr", "ox") + ";");
        k.Close();
        k.Close();
        k.Close();
        k.Line(dx.At(dx.Base("s"), "r") + " = sum;");
        k.Close();
        g.CloseKernel();

        new GpuGemm
        {
            M = I(ins.C),
            N = "a.Count * " + I(inPlane),
            K = I(outs.C * taps),
            LoadA = w =>
            {
                w.Line("int f = k / " + I(taps) + ";");
                w.Line("int tap = k - (f * " + I(taps) + ");");
                w.Line("val = " + GpuNetwork.Param(wo, "(((f * " + I(ins.C) + ") + m) * " + I(taps) + ") + tap") + ";");
            },
            LoadB = w =>
            {
                w.Line("int f = k / " + I(taps) + ";");
                w.Line("int ky = (k / " + I(kk) + ") % " + I(kk) + ";");
                w.Line("int kx = k % " + I(kk) + ";");
                DecomposePosition(w, "n", inPlane, ins.W, "iy", "ix");
                string shift = pad > 0 ? " + " + I(pad) : string.Empty;
                w.Line("int ny = iy" + shift + " - ky, nx = ix" + shift + " - kx;");
                string divisible = st == 1 ? string.Empty : " && ny % " + I(st) + " == 0 && nx % " + I(st) + " == 0";
                w.Open("if (ny >= 0 && nx >= 0" + divisible + ")");
                w.Line(st == 1 ? "int oy = ny, ox = nx;" : "int oy = ny / " + I(st) + ", ox = nx / " + I(st) + ";");
                w.Open("if (oy < " + I(outs.H) + " && ox < " + I(outs.W) + ")");
                w.Line("val = " + dy.At(dy.Base("s"), "(((f * " + I(outs.H) + ") + oy) * " + I(outs.W) + ") + ox") + ";");
                w.Close();
                w.Close();
            },
            Store = w =>
            {
                w.Line("int s = n / " + I(inPlane) + ";");
                w.Line(dx.At(dx.Base("s"), "(m * " + I(inPlane) + ") + (n - (s * " + I(inPlane) + "))") + " = acc;");
            },
        }.Emit(g, Name(l, "InputGradTiled"), Head(l) + conv + ", tiled input gradient: dX[c, (s, iy, ix)] = Wᵀ[c, (f, ky, kx)]·dY[(f, ky, kx), (s, iy, ix)] as a shared-memory GEMM.");
    }

    public override void EmitForward(GpuNetwork g, int i, CodeWriter w)
    {
        LayerPlan l = g.Layer(i);
        w.Line("if (UseTiled(true)) " + g.Launch(Name(l, "ForwardTiled"), "Tiled"));
        w.Line("else " + g.Launch(Name(l, "Forward")));
    }

    public override void EmitBackward(GpuNetwork g, int i, CodeWriter w)
    {
        LayerPlan l = g.Layer(i);
        w.Line("if (UseTiled(true)) " + g.Launch(Name(l, "WeightGradTiled"), "Tiled"));
        w.Line("else " + g.Launch(Name(l, "Grad")));
        if (!l.NeedsInputGradient)
        {
            return;
        }

        ReturnBelow(w, i);
        w.Line("if (UseTiled(true)) " + g.Launch(Name(l, "InputGradTiled"), "Tiled"));
        w.Line("else " + g.Launch(Name(l, "InputGrad")));
    }

    /// <summary>sum = Σ over the batch and the output plane of filter <c>f</c>'s dy (the simple kernel's bias gradient).</summary>
    private static void EmitBiasSum(CodeWriter k, GpuSlot dy, int plane)
    {
        k.Open("for (int s = 0; s < a.Count; s++)");
        k.Line("int dyb = " + dy.Base("s") + " + (f * " + I(plane) + ");");
        k.Open("for (int p = 0; p < " + I(plane) + "; p++)");
        k.Line("sum += " + dy.At("dyb", "p") + ";");
        k.Close();
        k.Close();
    }

    /// <summary><c>oy</c> for stride 1, else <c>(oy * 2)</c>.</summary>
    private static string Scaled(string coordinate, int stride) => stride == 1 ? coordinate : "(" + coordinate + " * " + I(stride) + ")";

    /// <summary>Declares c, ky, kx from a weight-window index.</summary>
    private static void DecomposeTap(CodeWriter w, string index, int kk)
    {
        w.Line("int c = " + index + " / " + I(kk * kk) + ";");
        w.Line("int ky = (" + index + " / " + I(kk) + ") % " + I(kk) + ";");
        w.Line("int kx = " + index + " % " + I(kk) + ";");
    }

    /// <summary>Declares s and the row and column of a (sample, position) index over planes of <paramref name="plane"/>.</summary>
    private static void DecomposePosition(CodeWriter w, string index, int plane, int width, string row, string column)
    {
        w.Line("int s = " + index + " / " + I(plane) + ";");
        w.Line("int p = " + index + " - (s * " + I(plane) + ");");
        w.Line("int " + row + " = p / " + I(width) + ";");
        w.Line("int " + column + " = p - (" + row + " * " + I(width) + ");");
    }

    /// <summary>Sets val to x[s, c, iy, ix] for an output position and tap, leaving 0 in the padding.</summary>
    private static void LoadInput(CodeWriter w, GpuSlot x, LayerPlan l, string s, string oy, string ox, string c, string ky, string kx)
    {
        var options = (Conv2DOptions)l.Options;
        int st = options.Stride, pad = options.Padding;
        w.Line("int iy = " + Scaled(oy, st) + " + " + ky + (pad > 0 ? " - " + I(pad) : string.Empty) + ";");
        w.Line("int ix = " + Scaled(ox, st) + " + " + kx + (pad > 0 ? " - " + I(pad) : string.Empty) + ";");
        string load = "val = " + x.At(x.Base(s), "(((" + c + " * " + I(l.Input.H) + ") + iy) * " + I(l.Input.W) + ") + ix") + ";";
        w.Line(pad > 0 ? "if ((uint)iy < " + I(l.Input.H) + "u && (uint)ix < " + I(l.Input.W) + "u) " + load : load);
    }

    /// <summary>The output coordinate whose window puts tap <paramref name="tap"/> on input coordinate <paramref name="input"/>; continue when there is none.</summary>
    private static void OutputCoordinate(CodeWriter k, string output, string input, string tap, int stride, int pad, int outputs)
    {
        k.Line("int " + output + " = " + input + (pad > 0 ? " + " + I(pad) : string.Empty) + " - " + tap + ";");
        if (stride == 1)
        {
            k.Line("if ((uint)" + output + " >= " + I(outputs) + "u) continue;");
            return;
        }

        k.Line("if (" + output + " < 0 || " + output + " % " + I(stride) + " != 0) continue;");
        k.Line(output + " /= " + I(stride) + ";");
        k.Line("if (" + output + " >= " + I(outputs) + ") continue;");
    }
}
