using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers.Gpu;

/// <summary>
/// Dense on the GPU. Simple kernels: forward one thread per (sample, output); the weight and bias gradient one
/// thread per weight (and per bias), summing over the batch in sample order like the CPU's accumulation; the
/// input gradient one thread per (sample, input). Tiled kernels: the three products as 16 × 16 shared-memory
/// GEMMs (<see cref="GpuGemm"/>), the weight gradient split along the batch.
/// </summary>
internal sealed class GpuDenseLayer : GpuLayerKind
{
    /// <summary>Tiles pay off once a layer has this many weights (a 64 × 64 matrix); smaller layers are launch-bound.</summary>
    private const int TiledFrom = 4096;

    private static bool PaysOff(LayerPlan l) => (long)l.Input.Size * l.Output.Size >= TiledFrom;

    public override void EmitKernels(GpuNetwork g, int i)
    {
        LayerPlan l = g.Layer(i);
        CodeWriter k = g.Kernels;
        int n = l.Input.Size, m = l.Output.Size;
        bool bias = ((DenseOptions)l.Options).Bias;
        int wo = l.Tensors[0].Offset, bo = bias ? l.Tensors[1].Offset : -1, cols = bias ? n + 1 : n;
        GpuSlot x = g.X(i), y = g.Y(i);

        g.OpenKernel(Name(l, "Forward"), Head(l) + ": y[s, o] = " + (bias ? "b[o] + " : "") + "Σi w[o, i]·x[s, i], one thread per (sample, output).");
        g.OpenSampleLoop(m);
        k.Line("int xb = " + x.Base("s") + ";");
        k.Line("int row = " + I(wo) + " + (r * " + I(n) + ");");
        k.Line("float sum = " + (bias ? GpuNetwork.Param(bo, "r") : "0f") + ";");
        k.Open("for (int i = 0; i < " + I(n) + "; i++)");
        k.Line("sum += v.Parameters[row + i] * " + x.At("xb", "i") + ";");
        k.Close();
        k.Line(y.At(y.Base("s"), "r") + " = sum;");
        k.Close();
        g.CloseKernel();

        new GpuGemm
        {
            M = "a.Count",
            N = I(m),
            K = I(n),
            LoadA = w => w.Line("val = " + x.At(x.Base("m"), "k") + ";"),
            LoadB = w => w.Line("val = " + GpuNetwork.Param(wo, "(n * " + I(n) + ") + k") + ";"),
            Store = w => w.Line(y.At(y.Base("m"), "n") + " = acc" + (bias ? " + " + GpuNetwork.Param(bo, "n") : "") + ";"),
        }.Emit(g, Name(l, "ForwardTiled"), Head(l) + ", tiled: Y[s, o] = X[s, ·]·W[o, ·]" + (bias ? " + b[o]" : "") + " as a shared-memory GEMM.");

        if (!l.RunsBackward)
        {
            return;
        }

        GpuSlot dy = g.Dy(i)!.Value;
        g.OpenKernel(Name(l, "Grad"), Head(l) + ", parameter gradient: dw[o, i] = Σs dy[s, o]·x[s, i]" + (bias ? " and db[o] = Σs dy[s, o], one thread per weight and per bias" : ", one thread per weight") + ", summed in sample order.");
        g.OpenGridLoop(I(m * cols));
        k.Line("int o = t / " + I(cols) + ";");
        k.Line("int i = t - (o * " + I(cols) + ");");
        k.Line("float sum = 0f;");
        if (bias)
        {
            k.Open("if (i < " + I(n) + ")");
        }

        k.Open("for (int s = 0; s < a.Count; s++)");
        k.Line("sum += " + dy.At(dy.Base("s"), "o") + " * " + x.At(x.Base("s"), "i") + ";");
        k.Close();
        k.Line(GpuNetwork.Grad(wo, "(o * " + I(n) + ") + i") + " = sum;");
        if (bias)
        {
            k.Close();
            k.Open("else");
            k.Open("for (int s = 0; s < a.Count; s++)");
            k.Line("sum += " + dy.At(dy.Base("s"), "o") + ";");
            k.Close();
            k.Line(GpuNetwork.Grad(bo, "o") + " = sum;");
            k.Close();
        }

        k.Close();
        g.CloseKernel();

        new GpuGemm
        {
            M = I(m),
            N = I(cols),
            K = "a.Count",
            KTilesPerSplit = 4,
            LoadA = w => w.Line("val = " + dy.At(dy.Base("k"), "m") + ";"),
            LoadB = w => w.Line(bias ? "val = n < " + I(n) + " ? " + x.At(x.Base("k"), "n") + " : 1f;" : "val = " + x.At(x.Base("k"), "n") + ";"),
            Store = w =>
            {
                if (bias)
                {
                    w.Line("if (n < " + I(n) + ") global::ILGPU.Atomic.Add(ref " + GpuNetwork.Grad(wo, "(m * " + I(n) + ") + n") + ", acc);");
                    w.Line("else global::ILGPU.Atomic.Add(ref " + GpuNetwork.Grad(bo, "m") + ", acc);");
                }
                else
                {
                    w.Line("global::ILGPU.Atomic.Add(ref " + GpuNetwork.Grad(wo, "(m * " + I(n) + ") + n") + ", acc);");
                }
            },
        }.Emit(g, Name(l, "WeightGradTiled"), Head(l) + (bias
            ? ", tiled parameter gradient: [dW | db] = dYᵀ·[X | 1] as a shared-memory GEMM (the column of ones gives the bias), the batch split across groups that add atomically."
            : ", tiled weight gradient: dW = dYᵀ·X as a shared-memory GEMM, the batch split across groups that add atomically."));

        if (!l.NeedsInputGradient)
        {
            return;
        }

        GpuSlot dx = g.Dx(i)!.Value;
        g.OpenKernel(Name(l, "InputGrad"), Head(l) + ", input gradient dx[s, i] = Σo w[o, i]·dy[s, o], one thread per (sample, input).");
        g.OpenSampleLoop(n);
        k.Line("int dyb = " + dy.Base("s") + ";");
        k.Line("float sum = 0f;");
        k.Open("for (int o = 0; o < " + I(m) + "; o++)");
        k.Line("sum += " + GpuNetwork.Param(wo, "(o * " + I(n) + ") + r") + " * " + dy.At("dyb", "o") + ";");
        k.Close();
        k.Line(dx.At(dx.Base("s"), "r") + " = sum;");
        k.Close();
        g.CloseKernel();

        new GpuGemm
        {
            M = "a.Count",
            N = I(n),
            K = I(m),
            LoadA = w => w.Line("val = " + dy.At(dy.Base("m"), "k") + ";"),
            LoadB = w => w.Line("val = " + GpuNetwork.Param(wo, "(k * " + I(n) + ") + n") + ";"),
            Store = w => w.Line(dx.At(dx.Base("m"), "n") + " = acc;"),
        }.Emit(g, Name(l, "InputGradTiled"), Head(l) + ", tiled input gradient: dX = dY·W as a shared-memory GEMM.");
    }

    public override void EmitForward(GpuNetwork g, int i, CodeWriter w)
    {
        LayerPlan l = g.Layer(i);
        w.Line("if (UseTiled(" + (PaysOff(l) ? "true" : "false") + ")) " + g.Launch(Name(l, "ForwardTiled"), "Tiled"));
        w.Line("else " + g.Launch(Name(l, "Forward")));
    }

    public override void EmitBackward(GpuNetwork g, int i, CodeWriter w)
    {
        LayerPlan l = g.Layer(i);
        string paysOff = PaysOff(l) ? "true" : "false";
        w.Line("if (UseTiled(" + paysOff + ")) " + g.Launch(Name(l, "WeightGradTiled"), "Tiled"));
        w.Line("else " + g.Launch(Name(l, "Grad")));
        if (!l.NeedsInputGradient)
        {
            return;
        }

        ReturnBelow(w, i);
        w.Line("if (UseTiled(" + paysOff + ")) " + g.Launch(Name(l, "InputGradTiled"), "Tiled"));
        w.Line("else " + g.Launch(Name(l, "InputGrad")));
    }
}
